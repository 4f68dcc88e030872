"""What the family tests read off a real package: the signatures found, and what a file links."""

from __future__ import annotations

import io
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from soupwatch.discover import discover_path


def found_signatures(path: Path) -> dict[str, set[str | None]]:
    """Signature key -> the versions discovery reports for it under ``path``."""
    out: dict[str, set[str | None]] = {}
    for c in discover_path(path).components:
        for key, value in c.properties:
            if key == "soupwatch:discovery:signature":
                out.setdefault(value, set()).add(c.version)
    return out


def needed(data: bytes) -> list[str]:
    """The libraries an ELF file loads (``DT_NEEDED``); none for other files."""
    if not data.startswith(b"\x7fELF"):
        return []
    out: list[str] = []
    try:
        for section in ELFFile(io.BytesIO(data)).iter_sections():
            if isinstance(section, DynamicSection):
                tags = section.iter_tags()
                out += [str(getattr(t, "needed", "")) for t in tags if t.entry.d_tag == "DT_NEEDED"]
    except ELFError:
        return []
    return out
