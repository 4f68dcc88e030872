"""Debian dpkg and OpenWrt/Yocto opkg status databases (RFC 822 stanzas)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from soupwatch.discover.detectors.osrelease import distro_qualifier, os_release_of
from soupwatch.discover.elements import DEPENDS
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry

DPKG = ("var/lib/dpkg/status",)
DPKG_DIR = "var/lib/dpkg/status.d/"
OPKG = ("usr/lib/opkg/status", "var/lib/opkg/status")


def stanzas(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, fields)`` for every stanza; continuation lines are folded in."""
    fields: dict[str, str] = {}
    start = 1
    key = ""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                yield start, fields
            fields, key = {}, ""
            start = lineno + 1
            continue
        if line[0] in " \t" and key:
            fields[key] += "\n" + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip()
            fields[key] = value.strip()
    if fields:
        yield start, fields


def upstream_version(version: str) -> str:
    """``1:9.2p1-2+deb12u1`` -> ``9.2p1``: epoch and Debian revision removed."""
    v = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    return v.rsplit("-", 1)[0] if "-" in v else v


def package_names(*fields: str) -> list[str]:
    """Package names of ``Depends``-style fields: versions, arch qualifiers dropped; of
    alternatives (``a | b``) every one is kept (whichever is installed is the dependency)."""
    names: list[str] = []
    for value in fields:
        for clause in value.split(","):
            for alt in clause.split("|"):
                name = re.split(r"[\s(:\[<]", alt.strip(), maxsplit=1)[0]
                if name and name not in names:
                    names.append(name)
    return names


class DpkgDetector:
    """Installed packages from dpkg (and opkg) status files."""

    name = "dpkg"

    def wants(self, entry: FileEntry) -> bool:
        """The status files."""
        return entry.rel in DPKG or entry.rel in OPKG or entry.rel.startswith(DPKG_DIR)

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Every installed package, with its purl."""
        out = Findings()
        for entry in entries:
            opkg = entry.rel in OPKG
            osr = os_release_of(entry.tree, all_files)
            ns = osr.id if osr and osr.id in ("debian", "ubuntu") else "debian"
            distro = distro_qualifier(osr)
            text = entry.path.read_text(encoding="utf-8", errors="replace")
            for line, f in stanzas(text):
                name, version = f.get("Package"), f.get("Version")
                if not name or not version:
                    out.warnings.append(
                        f"{entry.location} (line {line}): stanza without "
                        "Package or Version, skipped"
                    )
                    continue
                status = f.get("Status", "install ok installed")
                if not status.endswith(" installed"):
                    continue
                arch = f.get("Architecture")
                source = f.get("Source", "").split(" ")[0] or None
                props = [("soupwatch:package:version", version)]
                if source:
                    props.append(("soupwatch:package:source", source))
                depends = package_names(f.get("Pre-Depends", ""), f.get("Depends", ""))
                if depends:
                    props.append((DEPENDS, ",".join(depends)))
                detector = "opkg" if opkg else self.name
                seen = Seen(
                    detector,
                    entry.location,
                    f"Package: {name} / Version: {version}",
                    1.0,
                    offset=line,
                )
                if opkg:
                    p = purl("generic", name, version, qualifiers={"arch": arch or ""})
                else:
                    p = purl(
                        "deb",
                        name,
                        version,
                        namespace=ns,
                        qualifiers={"arch": arch or "", "distro": distro or ""},
                    )
                out.components.append(
                    component(
                        name,
                        version,
                        seen,
                        purl=p,
                        supplier=f.get("Maintainer"),
                        description=f.get("Description", "").split("\n")[0] or None,
                        properties=tuple(props),
                    )
                )
        return out
