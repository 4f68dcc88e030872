"""Embedded-Linux build manifests: Buildroot ``legal-info/manifest.csv`` and Yocto manifests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry


class BuildrootDetector:
    """Buildroot's legal-info manifest: one row per target package."""

    name = "buildroot"

    def wants(self, entry: FileEntry) -> bool:
        """``legal-info/manifest.csv``."""
        return entry.rel.endswith("legal-info/manifest.csv")

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Packages with versions and licences."""
        out = Findings()
        for entry in entries:
            text = entry.path.read_text(encoding="utf-8", errors="replace")
            reader = csv.DictReader(io.StringIO(text))
            for row in reader:
                name = (row.get("PACKAGE") or "").strip()
                version = (row.get("VERSION") or "").strip()
                if not name:
                    continue
                seen = Seen(
                    self.name, entry.location, f"{name},{version}", 0.95, offset=reader.line_num
                )
                out.components.append(
                    component(
                        name,
                        version or None,
                        seen,
                        purl=purl("generic", name, version or None),
                        licenses=tuple(x.strip() for x in (row.get("LICENSE") or "").split(",")),
                    )
                )
        return out


class YoctoDetector:
    """Yocto/OpenEmbedded ``license.manifest`` and image ``*.manifest`` (name arch version)."""

    name = "yocto"

    def wants(self, entry: FileEntry) -> bool:
        """``license.manifest`` and ``*.rootfs.manifest`` / ``*.manifest``."""
        return entry.name == "license.manifest" or entry.name.endswith(".manifest")

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Packages from either manifest form."""
        out = Findings()
        for entry in entries:
            text = entry.path.read_text(encoding="utf-8", errors="replace")
            if entry.name == "license.manifest" or "PACKAGE NAME:" in text:
                self._license(entry, text, out)
            else:
                self._image(entry, text, out)
        return out

    def _license(self, entry: FileEntry, text: str, out: Findings) -> None:
        for block in text.split("\n\n"):
            f = {
                k.strip(): v.strip()
                for k, _, v in (line.partition(":") for line in block.splitlines())
                if k
            }
            name, version = f.get("PACKAGE NAME"), f.get("PACKAGE VERSION")
            if not name:
                continue
            seen = Seen(self.name, entry.location, f"PACKAGE NAME: {name}", 0.95)
            props = (("soupwatch:yocto:recipe", f["RECIPE NAME"]),) if f.get("RECIPE NAME") else ()
            out.components.append(
                component(
                    name,
                    version,
                    seen,
                    purl=purl("generic", name, version),
                    licenses=tuple(
                        f.get("LICENSE", "").replace("&", " ").replace("|", " ").split()
                    ),
                    properties=props,
                )
            )

    def _image(self, entry: FileEntry, text: str, out: Findings) -> None:
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines or any(len(line.split()) != 3 for line in lines):
            return  # not an image manifest (Windows and other manifests are XML)
        for lineno, line in enumerate(text.splitlines(), 1):
            parts = line.split()
            if len(parts) != 3:
                continue
            name, arch, version = parts
            seen = Seen(self.name, entry.location, line.strip(), 0.9, offset=lineno)
            out.components.append(
                component(
                    name,
                    version,
                    seen,
                    purl=purl("generic", name, version, qualifiers={"arch": arch}),
                )
            )
