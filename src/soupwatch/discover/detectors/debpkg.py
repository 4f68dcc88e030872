"""A Debian (.deb) or opkg (.ipk) package file: its own ``control`` says what it is.

A ``.deb`` is an ``ar`` archive of ``debian-binary``, ``control.tar.*`` and ``data.tar.*``;
the unpacker opens each, so the control file is the file ``control`` at the root of a tree
named ``….deb!/control.tar.xz!``. The package becomes a component with a
``pkg:deb/debian/NAME@VERSION?arch=ARCH`` purl (``distro`` only when an os-release in the
same artifact says which; the namespace is ``ubuntu`` when that os-release does), or a
``pkg:generic`` purl for an ``.ipk``, as the opkg status database gets. Binary detections in
the package's data merge with it by the package merge rules (``merge.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from soupwatch.discover.detectors.dpkg import stanzas
from soupwatch.discover.detectors.osrelease import OsRelease, distro_qualifier, os_release_of
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component

_CONTROL_TREE = re.compile(r"^(?P<pkg>.*)!/control\.tar(?:\.\w+)?!$")
"""The tree of a package's control member; ``pkg`` is the package file's location."""


def package_of(entry: FileEntry) -> str | None:
    """The location of the .deb/.ipk whose control member holds ``entry``, if it is one."""
    if entry.rel != "control":
        return None
    m = _CONTROL_TREE.match(entry.tree)
    return m.group("pkg") if m else None


def _os_release(package: str, all_files: Sequence[FileEntry]) -> OsRelease | None:
    """An os-release in the package's own data, else in a tree that encloses the package."""
    data_trees = sorted({f.tree for f in all_files if f.tree.startswith(f"{package}!/data.tar")})
    for tree in data_trees:
        osr = os_release_of(tree, all_files)
        if osr is not None:
            return osr
    parts = package.split("!/")
    for depth in range(len(parts) - 1, 0, -1):
        enclosing = "!/".join(parts[:depth]) + "!"
        osr = os_release_of(enclosing, all_files)
        if osr is not None:
            return osr
    return None


class DebPackageDetector:
    """The package a .deb or .ipk file holds, read from its control member."""

    name = "deb-control"

    def wants(self, entry: FileEntry) -> bool:
        """The ``control`` file of a package's control archive."""
        return package_of(entry) is not None

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per package file."""
        out = Findings()
        for entry in entries:
            package = package_of(entry)
            assert package is not None
            text = entry.path.read_text(encoding="utf-8", errors="replace")
            fields = next((f for _, f in stanzas(text)), {})
            name, version = fields.get("Package"), fields.get("Version")
            if not name or not version:
                out.warnings.append(
                    f"{entry.location}: control file without Package or Version, skipped"
                )
                continue
            out.components.append(self._component(entry, package, fields, all_files))
        return out

    def _component(
        self, entry: FileEntry, package: str, f: dict[str, str], all_files: Sequence[FileEntry]
    ) -> Component:
        name, version = f["Package"], f["Version"]
        arch = f.get("Architecture", "")
        source = f.get("Source", "").split(" ")[0] or None
        ipk = package.lower().endswith(".ipk")
        if ipk:
            p = purl("generic", name, version, qualifiers={"arch": arch})
        else:
            osr = _os_release(package, all_files)
            ns = osr.id if osr and osr.id in ("debian", "ubuntu") else "debian"
            p = purl(
                "deb",
                name,
                version,
                namespace=ns,
                qualifiers={"arch": arch, "distro": distro_qualifier(osr) or ""},
            )
        props = [("soupwatch:package:version", version)]
        if source:
            props.append(("soupwatch:package:source", source))
        seen = Seen(self.name, entry.location, f"Package: {name} / Version: {version}", 1.0)
        return component(
            name,
            version,
            seen,
            purl=p,
            supplier=f.get("Maintainer"),
            description=f.get("Description", "").split("\n")[0] or None,
            properties=tuple(props),
        )
