"""Alpine's installed-package database ``lib/apk/db/installed``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from soupwatch.discover.detectors.osrelease import distro_qualifier, os_release_of
from soupwatch.discover.elements import DEPENDS
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry

PATH = "lib/apk/db/installed"


class ApkDetector:
    """Installed Alpine packages."""

    name = "apk"

    def wants(self, entry: FileEntry) -> bool:
        """The apk database."""
        return entry.rel == PATH

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per ``P:`` record."""
        out = Findings()
        for entry in entries:
            distro = distro_qualifier(os_release_of(entry.tree, all_files))
            record: dict[str, str] = {}
            start = 1
            lines = entry.path.read_text(encoding="utf-8", errors="replace").splitlines()
            for lineno, line in enumerate([*lines, ""], 1):
                if line.strip():
                    key, sep, value = line.partition(":")
                    if sep and len(key) == 1:
                        record.setdefault(key, value)
                    continue
                if record:
                    self._one(record, start, entry, distro, out)
                record, start = {}, lineno + 1
        return out

    def _one(
        self, r: dict[str, str], line: int, entry: FileEntry, distro: str | None, out: Findings
    ) -> None:
        name, version = r.get("P"), r.get("V")
        if not name or not version:
            out.warnings.append(f"{entry.location} (line {line}): record without P: or V:")
            return
        seen = Seen(self.name, entry.location, f"P:{name} V:{version}", 1.0, offset=line)
        p = purl(
            "apk",
            name,
            version,
            namespace="alpine",
            qualifiers={"arch": r.get("A", ""), "distro": distro or ""},
        )
        props: tuple[tuple[str, str], ...] = (
            (("soupwatch:package:source", r["o"]),) if r.get("o") else ()
        )
        # D: names packages, and provided sonames/commands (so:, cmd:) that need a provides index
        depends = [
            re.split(r"[<>=~]", d, maxsplit=1)[0]
            for d in r.get("D", "").split()
            if ":" not in d and "/" not in d and not d.startswith("!")
        ]
        if depends:
            props += ((DEPENDS, ",".join(dict.fromkeys(depends))),)
        out.components.append(
            component(
                name,
                version,
                seen,
                purl=p,
                supplier=r.get("m"),
                licenses=tuple(r.get("L", "").split()) if r.get("L") else (),
                description=r.get("T"),
                properties=props,
            )
        )
