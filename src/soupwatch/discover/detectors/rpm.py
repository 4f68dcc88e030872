"""RPM's SQLite package database (``var/lib/rpm/rpmdb.sqlite``): header blobs parsed here."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

from soupwatch.discover.detectors.osrelease import OsRelease, distro_qualifier, os_release_of
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry

PATHS = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
_TAGS = {
    1000: "name",
    1001: "version",
    1002: "release",
    1003: "epoch",
    1011: "vendor",
    1014: "license",
    1022: "arch",
    1044: "sourcerpm",
}
_STRING, _INT32, _I18N = 6, 4, 9


def rpm_identity(h: dict[str, str], osr: OsRelease | None) -> tuple[str, str]:
    """An RPM header's ``version-release`` and its purl (namespace and distro from os-release)."""
    full = f"{h['version']}-{h['release']}" if h.get("release") else h["version"]
    p = purl(
        "rpm",
        h["name"],
        full,
        namespace=osr.id if osr else None,
        qualifiers={
            "arch": h.get("arch", ""),
            "epoch": h.get("epoch", ""),
            "distro": distro_qualifier(osr) or "",
        },
    )
    return full, p


def parse_header(blob: bytes) -> dict[str, str]:
    """The tags we need from one RPM header blob (index count, data size, index, data)."""
    il, dl = struct.unpack_from(">II", blob, 0)
    data_start = 8 + 16 * il
    if il > 100_000 or data_start + dl > len(blob):
        raise ValueError("header index larger than the blob")
    out: dict[str, str] = {}
    for i in range(il):
        tag, typ, offset, count = struct.unpack_from(">IIII", blob, 8 + 16 * i)
        key = _TAGS.get(tag)
        if key is None:
            continue
        pos = data_start + offset
        if typ in (_STRING, _I18N):
            end = blob.index(b"\x00", pos)
            out[key] = blob[pos:end].decode("utf-8", "replace")
        elif typ == _INT32 and count >= 1:
            out[key] = str(struct.unpack_from(">I", blob, pos)[0])
    return out


class RpmDetector:
    """Installed RPM packages."""

    name = "rpm"

    def wants(self, entry: FileEntry) -> bool:
        """The sqlite rpmdb."""
        return entry.rel in PATHS

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per header."""
        out = Findings()
        for entry in entries:
            osr = os_release_of(entry.tree, all_files)
            try:
                con = sqlite3.connect(f"file:{entry.path}?mode=ro", uri=True)
                try:
                    rows = con.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
                finally:
                    con.close()
            except sqlite3.Error as err:
                out.warnings.append(f"{entry.location}: not a readable rpmdb ({err})")
                continue
            for hnum, blob in rows:
                try:
                    h = parse_header(bytes(blob))
                except (ValueError, struct.error) as err:
                    out.warnings.append(f"{entry.location} (header {hnum}): {err}")
                    continue
                if "name" not in h or "version" not in h:
                    continue
                full, p = rpm_identity(h, osr)
                seen = Seen(
                    self.name,
                    entry.location,
                    f"header {hnum}: {h['name']}-{full}",
                    1.0,
                    offset=int(hnum),
                )
                out.components.append(
                    component(
                        h["name"],
                        h["version"],
                        seen,
                        purl=p,
                        supplier=h.get("vendor"),
                        licenses=(h["license"],) if h.get("license") else (),
                        properties=(("soupwatch:package:version", full),),
                    )
                )
        return out
