"""npm packages: installed ``node_modules`` and the four lock-file formats."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component

_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")


def npm_component(name: str, version: str | None, seen: Seen) -> Component:
    """A component with a ``pkg:npm`` purl (scope as namespace)."""
    namespace, _, base = name.rpartition("/") if name.startswith("@") else ("", "", name)
    return component(
        name, version, seen, purl=purl("npm", base, version, namespace=namespace or None)
    )


class NpmDetector:
    """``node_modules/**/package.json`` and lock files."""

    name = "npm"

    def wants(self, entry: FileEntry) -> bool:
        """Lock files and installed package manifests."""
        return entry.name in _LOCKS or (
            entry.name == "package.json" and "node_modules/" in entry.rel
        )

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per package and version."""
        out = Findings()
        for e in entries:
            text = e.path.read_text(encoding="utf-8", errors="replace")
            try:
                if e.name == "package.json":
                    self._installed(e, json.loads(text), out)
                elif e.name == "yarn.lock":
                    self._yarn(e, text, out)
                elif e.name == "pnpm-lock.yaml":
                    self._pnpm(e, yaml.safe_load(text) or {}, out)
                else:
                    self._package_lock(e, json.loads(text), out)
            except (ValueError, yaml.YAMLError, AttributeError, TypeError) as err:
                out.warnings.append(f"{e.location}: unreadable {e.name} ({err}), skipped")
        return out

    def _add(
        self,
        e: FileEntry,
        name: str,
        version: str | None,
        text: str,
        out: Findings,
        confidence: float = 0.9,
    ) -> None:
        if name and version:
            out.components.append(
                npm_component(name, version, Seen(self.name, e.location, text, confidence))
            )

    def _installed(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        name, version = data.get("name"), data.get("version")
        if isinstance(name, str) and isinstance(version, str):
            self._add(e, name, version, f'"name": "{name}", "version": "{version}"', out, 1.0)
            author = data.get("author")
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, str) and author.strip():
                supplier = re.sub(r"\s*[<(].*$", "", author).strip()[:200] or None
                out.components[-1] = out.components[-1].with_changes(supplier=supplier)

    def _package_lock(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        packages = data.get("packages")
        if isinstance(packages, dict):  # lockfileVersion 2 and 3
            for key, info in sorted(packages.items()):
                if not key or "node_modules/" not in key or not isinstance(info, dict):
                    continue
                name = info.get("name") or key.rsplit("node_modules/", 1)[1]
                self._add(e, name, info.get("version"), f'"{key}": {info.get("version")}', out)
            return

        def walk(deps: dict[str, Any]) -> None:  # lockfileVersion 1
            for name, info in sorted(deps.items()):
                if isinstance(info, dict):
                    self._add(e, name, info.get("version"), f'"{name}": {info.get("version")}', out)
                    walk(info.get("dependencies") or {})

        walk(data.get("dependencies") or {})

    def _yarn(self, e: FileEntry, text: str, out: Findings) -> None:
        current: str | None = None
        for line in text.splitlines():
            if line and not line.startswith((" ", "#")) and line.rstrip().endswith(":"):
                spec = line.rstrip(":").split(",")[0].strip().strip('"')
                current = spec.rsplit("@", 1)[0] if spec.rfind("@") > 0 else spec
            m = re.match(r'^\s+version:?\s+"?([^"\s]+)"?', line)
            if m and current:
                self._add(e, current, m.group(1), f"{current} version {m.group(1)}", out)
                current = None

    def _pnpm(self, e: FileEntry, data: dict[str, Any], out: Findings) -> None:
        for key in sorted((data.get("packages") or {}).keys()):
            k = key.lstrip("/").split("(")[0]
            if "@" in k[1:]:
                name, _, version = k.rpartition("@")
            else:
                name, _, version = k.rpartition("/")
            self._add(e, name, version, key, out)
