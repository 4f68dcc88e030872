"""Python packages: installed metadata and lock files."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from email.parser import HeaderParser

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component

_LOCKS = ("poetry.lock", "Pipfile.lock", "pdm.lock")
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#,]+)")


def normalize(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pypi(
    name: str,
    version: str | None,
    seen: Seen,
    licenses: tuple[str, ...] = (),
    supplier: str | None = None,
) -> Component:
    return component(
        normalize(name),
        version,
        seen,
        purl=purl("pypi", normalize(name), version),
        licenses=licenses,
        supplier=supplier,
    )


def _author(value: str | None) -> str | None:
    """``Maintainer``/``Author`` text, or the names of an ``*-email`` field (``A <a@x>``)."""
    if not value:
        return None
    names = [re.sub(r"\s*<[^>]*>", "", part).strip(' "') for part in value.split(",")]
    text = ", ".join(n for n in names if n)
    return text[:200] or None


class PythonDetector:
    """``*.dist-info/METADATA``, ``*.egg-info/PKG-INFO``, requirements and lock files."""

    name = "python"

    def wants(self, entry: FileEntry) -> bool:
        """Metadata and lock files."""
        parent = entry.rel.rsplit("/", 2)[-2] if "/" in entry.rel else ""
        return (
            (entry.name == "METADATA" and parent.endswith(".dist-info"))
            or (entry.name == "PKG-INFO" and parent.endswith(".egg-info"))
            or entry.name in _LOCKS
            or (entry.name.startswith("requirements") and entry.name.endswith(".txt"))
        )

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per installed or locked distribution."""
        out = Findings()
        for e in entries:
            text = e.path.read_text(encoding="utf-8", errors="replace")
            try:
                if e.name in ("METADATA", "PKG-INFO"):
                    self._metadata(e, text, out)
                elif e.name == "Pipfile.lock":
                    self._pipfile(e, text, out)
                elif e.name in ("poetry.lock", "pdm.lock"):
                    self._toml_lock(e, text, out)
                else:
                    self._requirements(e, text, out)
            except (ValueError, tomllib.TOMLDecodeError, AttributeError, TypeError) as err:
                out.warnings.append(f"{e.location}: unreadable {e.name} ({err}), skipped")
        return out

    def _metadata(self, e: FileEntry, text: str, out: Findings) -> None:
        msg = HeaderParser().parsestr(text)
        name, version = msg.get("Name"), msg.get("Version")
        if not name:
            out.warnings.append(f"{e.location}: metadata without Name")
            return
        lic = msg.get("License-Expression") or msg.get("License") or ""
        licenses = (lic,) if lic and len(lic) < 80 and "\n" not in lic else ()
        seen = Seen(self.name, e.location, f"Name: {name} / Version: {version}", 1.0)
        supplier = next(
            (
                a
                for k in ("Maintainer", "Author", "Maintainer-email", "Author-email")
                if (a := _author(msg.get(k)))
            ),
            None,
        )
        out.components.append(_pypi(name, version, seen, licenses, supplier))

    def _pipfile(self, e: FileEntry, text: str, out: Findings) -> None:
        data = json.loads(text)
        for section in ("default", "develop"):
            for name, spec in sorted((data.get(section) or {}).items()):
                version = str(spec.get("version", "")).lstrip("=") or None
                seen = Seen(self.name, e.location, f"{section}.{name}: {version}", 0.9)
                out.components.append(_pypi(name, version, seen))

    def _toml_lock(self, e: FileEntry, text: str, out: Findings) -> None:
        for pkg in tomllib.loads(text).get("package", []):
            name, version = pkg.get("name"), pkg.get("version")
            if name:
                seen = Seen(self.name, e.location, f'name = "{name}" version = "{version}"', 0.9)
                out.components.append(_pypi(name, version, seen))

    def _requirements(self, e: FileEntry, text: str, out: Findings) -> None:
        for lineno, line in enumerate(text.splitlines(), 1):
            m = _REQ.match(line)
            if m:
                seen = Seen(self.name, e.location, line.strip(), 0.8, offset=lineno)
                out.components.append(_pypi(m.group(1), m.group(2), seen))
