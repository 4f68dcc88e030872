""".NET assembly metadata (ECMA-335 ``Assembly`` and ``AssemblyRef`` tables), read with dnfile.

Only the two tables are loaded (``clr_lazy_load``): 30 ms for Newtonsoft.Json, not 0.6 s.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import dnfile
from pefile import PEFormatError


@dataclass(frozen=True, slots=True)
class Assembly:
    """An assembly's identity and the assemblies it references (name, version)."""

    name: str
    version: str
    references: tuple[tuple[str, str], ...]
    strong_named: bool


def _version(row: object) -> str:
    fields = ("MajorVersion", "MinorVersion", "BuildNumber", "RevisionNumber")
    return ".".join(str(getattr(row, f, 0) or 0) for f in fields)


def read_assembly(path: Path) -> Assembly | None:
    """The assembly defined by the PE file at ``path``; None when it defines none."""
    with warnings.catch_warnings():
        # dnfile warns about odd but harmless metadata; a bad file is reported by the caller
        warnings.simplefilter("ignore")
        try:
            pe = dnfile.dnPE(str(path), clr_lazy_load=True)  # type: ignore[no-untyped-call]
        except (PEFormatError, ValueError, IndexError, KeyError, AttributeError):
            return None
        try:
            tables = pe.net.mdtables if pe.net else None
            rows = tables.Assembly.rows if tables and tables.Assembly else []
            if not rows:
                return None
            row = rows[0]
            refs = tables.AssemblyRef.rows if tables and tables.AssemblyRef else []
            return Assembly(
                name=str(row.Name),
                version=_version(row),
                references=tuple((str(r.Name), _version(r)) for r in refs),
                strong_named=bool(getattr(row.PublicKey, "value", None)),
            )
        except (ValueError, IndexError, KeyError, AttributeError):
            return None
        finally:
            pe.close()
