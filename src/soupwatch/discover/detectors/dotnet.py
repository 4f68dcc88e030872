""".NET: NuGet lock and dependency files, project references, assembly metadata."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import defusedxml.ElementTree as ET

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component


def nuget(name: str, version: str | None, seen: Seen) -> Component:
    """A component with a ``pkg:nuget`` purl."""
    return component(name, version, seen, purl=purl("nuget", name, version))


class DotnetDetector:
    """``*.deps.json``, ``packages.lock.json``, ``packages.config``, ``*.csproj``."""

    name = "dotnet"

    def wants(self, entry: FileEntry) -> bool:
        """The NuGet metadata files."""
        n = entry.name
        return n.endswith((".deps.json", ".csproj")) or n in (
            "packages.lock.json",
            "packages.config",
        )

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per package reference."""
        out = Findings()
        for e in entries:
            text = e.path.read_text(encoding="utf-8-sig", errors="replace")
            try:
                if e.name.endswith(".deps.json"):
                    self._deps(e, json.loads(text), out)
                elif e.name == "packages.lock.json":
                    self._lock(e, json.loads(text), out)
                else:
                    self._xml(e, text, out)
            except (ValueError, ET.ParseError, AttributeError) as err:
                out.warnings.append(f"{e.location}: unreadable {e.name} ({err}), skipped")
        return out

    def _deps(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        for key, info in sorted((data.get("libraries") or {}).items()):
            if isinstance(info, dict) and info.get("type") == "package" and "/" in key:
                name, version = key.split("/", 1)
                out.components.append(nuget(name, version, Seen(self.name, e.location, key, 0.95)))

    def _lock(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        for framework, deps in sorted((data.get("dependencies") or {}).items()):
            for name, info in sorted(deps.items()):
                if isinstance(info, dict) and info.get("type") != "Project":
                    v = info.get("resolved")
                    text = f"{framework}: {name} {v}"
                    out.components.append(nuget(name, v, Seen(self.name, e.location, text, 0.95)))

    def _xml(self, e: FileEntry, text: str, out: Findings) -> None:
        root = ET.fromstring(text)
        for el in root.iter():
            tag = el.tag.split("}")[-1]
            if tag == "package" and el.get("id"):
                name, version = el.get("id"), el.get("version")
            elif tag == "PackageReference" and el.get("Include"):
                name = el.get("Include")
                version = el.get("Version") or el.findtext("Version")
            else:
                continue
            if name:
                seen = Seen(self.name, e.location, f"<{tag}> {name} {version}", 0.85)
                out.components.append(nuget(name, version, seen))
