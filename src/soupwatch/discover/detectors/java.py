"""Java: Maven coordinates in jars (``pom.properties``), MANIFEST.MF, pom.xml, Gradle locks.

Jars are zip files, so the unpacker has already opened them (nested jars too): each jar is
its own tree, and its ``META-INF`` sits at that tree's root.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import defusedxml.ElementTree as ET

from soupwatch.discover.found import NAME_ONLY_CONFIDENCE, Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component

_JAR_NAME = re.compile(
    r"^(?P<a>[A-Za-z][\w.-]*?)-(?P<v>\d+(?:\.\d+)+(?:[.-][\w.]+)?)\.(?:jar|war)$"
)


def maven(group: str | None, artifact: str, version: str | None, seen: Seen) -> Component:
    """A component with a ``pkg:maven`` purl."""
    return component(
        artifact, version, seen, group=group, purl=purl("maven", artifact, version, namespace=group)
    )


def _props(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def _manifest(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if line.startswith(" ") and key:
            out[key] += line[1:]
        elif ":" in line:
            key, _, v = line.partition(":")
            out[key.strip()] = v.strip()
    return out


class JavaDetector:
    """Maven and OSGi metadata, pom.xml and gradle.lockfile."""

    name = "java"

    def wants(self, entry: FileEntry) -> bool:
        """The metadata files."""
        return (
            (entry.name == "pom.properties" and "META-INF/maven/" in entry.rel)
            or entry.rel == "META-INF/MANIFEST.MF"
            or entry.name in ("pom.xml", "gradle.lockfile")
        )

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Components from every metadata file."""
        out = Findings()
        with_pom = {e.tree for e in entries if e.name == "pom.properties"}
        for e in entries:
            text = e.path.read_text(encoding="utf-8", errors="replace")
            if e.name == "pom.properties":
                p = _props(text)
                if p.get("artifactId"):
                    seen = Seen(
                        self.name,
                        e.location,
                        f"{p.get('groupId')}:{p['artifactId']}:{p.get('version')}",
                        1.0,
                    )
                    out.components.append(
                        maven(p.get("groupId"), p["artifactId"], p.get("version"), seen)
                    )
            elif e.name == "MANIFEST.MF" and e.tree not in with_pom:
                self._from_manifest(e, _manifest(text), out)
            elif e.name == "pom.xml":
                self._pom(e, text, out)
            else:
                for lineno, line in enumerate(text.splitlines(), 1):
                    parts = line.split("=")[0].split(":")
                    if len(parts) == 3 and not line.startswith("#"):
                        seen = Seen(self.name, e.location, line.strip(), 0.9, offset=lineno)
                        out.components.append(maven(parts[0], parts[1], parts[2], seen))
        return out

    def _from_manifest(self, e: FileEntry, m: dict[str, str], out: Findings) -> None:
        name = m.get("Bundle-SymbolicName", "").split(";")[0] or m.get("Implementation-Title")
        version = m.get("Bundle-Version") or m.get("Implementation-Version")
        jar = e.tree.rstrip("!").rsplit("/", 1)[-1]
        if name and version:
            seen = Seen(self.name, e.location, f"{name} {version} (MANIFEST.MF)", 0.8)
            out.components.append(
                component(name, version, seen, supplier=m.get("Implementation-Vendor"))
            )
            return
        guess = _JAR_NAME.match(jar)
        if guess:
            text = f"guessed from the file name {jar} only: no Maven or manifest version"
            seen = Seen(self.name, e.location, text, NAME_ONLY_CONFIDENCE)
            out.components.append(
                component(
                    guess["a"],
                    guess["v"],
                    seen,
                    properties=(("soupwatch:discovery:name-only", "true"),),
                )
            )

    def _pom(self, e: FileEntry, text: str, out: Findings) -> None:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as err:
            out.warnings.append(f"{e.location}: unreadable pom.xml ({err}), skipped")
            return
        ns = {"m": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
        p = "m:" if ns else ""
        for dep in root.iterfind(f".//{p}dependencies/{p}dependency", ns):
            g = dep.findtext(f"{p}groupId", None, ns)
            a = dep.findtext(f"{p}artifactId", None, ns)
            v = dep.findtext(f"{p}version", None, ns)
            if a and v and "${" not in v:
                seen = Seen(self.name, e.location, f"<dependency> {g}:{a}:{v}", 0.8)
                out.components.append(maven(g, a, v, seen))
