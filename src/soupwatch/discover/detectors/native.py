"""C/C++ and Rust package managers: Cargo.lock, conanfile.txt / conan.lock, vcpkg.json."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from typing import Any

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry

_FILES = ("Cargo.lock", "conanfile.txt", "conan.lock", "vcpkg.json")


class NativeDetector:
    """Cargo, Conan and vcpkg manifests."""

    name = "native-lock"

    def wants(self, entry: FileEntry) -> bool:
        """The four file names."""
        return entry.name in _FILES

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Locked or pinned packages."""
        out = Findings()
        for e in entries:
            text = e.path.read_text(encoding="utf-8", errors="replace")
            try:
                if e.name == "Cargo.lock":
                    self._cargo(e, tomllib.loads(text), out)
                elif e.name == "conanfile.txt":
                    self._conanfile(e, text, out)
                elif e.name == "conan.lock":
                    self._conan_lock(e, json.loads(text), out)
                else:
                    self._vcpkg(e, json.loads(text), out)
            except (ValueError, tomllib.TOMLDecodeError, AttributeError, TypeError) as err:
                out.warnings.append(f"{e.location}: unreadable {e.name} ({err}), skipped")
        return out

    def _cargo(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        for pkg in data.get("package", []):
            name, version = pkg.get("name"), pkg.get("version")
            if name and pkg.get("source"):  # local workspace crates have no source
                seen = Seen(self.name, e.location, f'name = "{name}" version = "{version}"', 0.95)
                out.components.append(
                    component(name, version, seen, purl=purl("cargo", name, version))
                )

    def _conan_ref(self, e: FileEntry, ref: str, out: Findings, confidence: float) -> None:
        base = ref.split("#")[0].split("@")[0]
        if "/" in base:
            name, version = base.split("/", 1)
            seen = Seen(self.name, e.location, ref, confidence)
            out.components.append(component(name, version, seen, purl=purl("conan", name, version)))

    def _conanfile(self, e: FileEntry, text: str, out: Findings) -> None:
        section = ""
        for line in text.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("["):
                section = line
            elif line and section in ("[requires]", "[tool_requires]", "[build_requires]"):
                self._conan_ref(e, line, out, 0.8)

    def _conan_lock(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        refs = list(data.get("requires", []))
        for node in ((data.get("graph_lock") or {}).get("nodes") or {}).values():
            if isinstance(node, dict) and node.get("ref"):
                refs.append(node["ref"])
        for ref in refs:
            self._conan_ref(e, str(ref), out, 0.95)

    def _vcpkg(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        for dep in data.get("overrides", []):
            if isinstance(dep, dict) and dep.get("name"):
                version = (
                    dep.get("version") or dep.get("version-string") or dep.get("version-semver")
                )
                seen = Seen(self.name, e.location, f"override {dep['name']} {version}", 0.8)
                out.components.append(
                    component(
                        dep["name"], version, seen, purl=purl("generic", dep["name"], version)
                    )
                )
        for dep in data.get("dependencies", []):
            if isinstance(dep, dict) and dep.get("name") and dep.get("version>="):
                version = dep["version>="]
                seen = Seen(
                    self.name,
                    e.location,
                    f"{dep['name']} version>= {version} (a minimum, not the built one)",
                    0.5,
                )
                out.components.append(
                    component(
                        dep["name"], version, seen, purl=purl("generic", dep["name"], version)
                    )
                )
