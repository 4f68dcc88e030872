"""SPDX 3.0 JSON-LD reader (own code: spdx-tools 0.8 has no stable SPDX 3 parser).

Components are the ``software_Package`` elements of ``@graph``. Kept: name,
``software_packageVersion``, ``suppliedBy`` (resolved to the agent's name),
``originatedBy`` (author), ``software_packageUrl`` and purl / CPE external identifiers,
``verifiedUsing`` hashes, ``software_copyrightText``, ``description``, and the
``dependsOn`` / ``contains`` relationships between packages.
"""

from __future__ import annotations

import re
from typing import Any

from soupwatch.model import Component, ComponentRef, ComponentType, Hash, SbomDocument
from soupwatch.sbom.cyclonedx import parse_timestamp
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.interface import SbomReader
from soupwatch.sbom.repair import RefAllocator, attach_dependencies
from soupwatch.sbom.spdx import cdx_alg, value_or_none

_VERSION = re.compile(r"spdx\.org/rdf/(3\.[0-9.]+)")
_PACKAGE_TYPES = ("software_Package", "Package")


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


class Spdx3Reader(SbomReader):
    """Reads SPDX 3.0.x JSON-LD."""

    format_name = "SPDX 3 JSON-LD"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Read every ``software_Package`` and the relationships between them."""
        doc = loaded.data
        ctx = str(doc.get("@context"))
        m = _VERSION.search(ctx)
        spec = m.group(1) if m else ""
        if not spec.startswith("3.0"):
            raise self.fail(
                f"unsupported SPDX 3 version {spec or 'unknown'!r} (this reads 3.0.x)", "$.@context"
            )
        graph = doc.get("@graph") or doc.get("element") or []
        if not isinstance(graph, list):
            raise self.fail("'@graph' must be a list", "$.@graph")
        by_id = {
            ident: e
            for e in graph
            if isinstance(e, dict) and isinstance(ident := e.get("spdxId") or e.get("@id"), str)
        }
        refs = RefAllocator(self.warnings)
        comps: list[Component] = []
        for i, e in enumerate(graph):
            if isinstance(e, dict) and e.get("type") in _PACKAGE_TYPES:
                comps.append(self._package(e, f"$.@graph[{i}]", refs, by_id))
        known = {c.ref for c in comps}
        deps: dict[str, list[str]] = {}
        parents: dict[str, ComponentRef] = {}
        for e in graph:
            if not isinstance(e, dict) or e.get("type") != "Relationship":
                continue
            src, kind = e.get("from"), str(e.get("relationshipType"))
            for dst in _list(e.get("to")):
                if src in known and dst in known and kind == "dependsOn":
                    deps.setdefault(src, []).append(dst)
                elif src in known and dst in known and kind == "contains":
                    parents.setdefault(dst, ComponentRef(src))
        comps = [c.with_changes(parent=parents[c.ref]) if c.ref in parents else c for c in comps]
        comps, _ = attach_dependencies(comps, deps, self.warnings)
        info = next(
            (e for e in graph if isinstance(e, dict) and e.get("type") == "CreationInfo"), {}
        )
        return SbomDocument(
            format=self.format_name,
            spec_version=f"SPDX-{spec}",
            components=tuple(comps),
            created=parse_timestamp(info.get("created")),
            source=self.path.name,
            warnings=tuple(self.warnings),
        )

    def _package(
        self, e: dict[str, Any], path: str, refs: RefAllocator, by_id: dict[Any, dict[str, Any]]
    ) -> Component:
        name = e.get("name")
        ident = e.get("spdxId") or e.get("@id")
        if not name or not ident:
            raise self.fail(f"package has no {'name' if not name else 'spdxId'}", path)
        purl = e.get("software_packageUrl")
        cpe = None
        extra: list[tuple[str, str]] = []
        for x in _list(e.get("externalIdentifier")):
            if not isinstance(x, dict):
                continue
            kind, value = x.get("externalIdentifierType"), x.get("identifier")
            if kind in ("cpe23", "cpe22") and value:
                if cpe is None:
                    cpe = str(value)
                else:
                    extra.append(("cpe", str(value)))
            elif kind == "packageUrl" and value:
                if purl is None:
                    purl = str(value)
                else:
                    extra.append(("purl", str(value)))
        hashes = tuple(
            Hash(cdx_alg(str(h.get("algorithm"))), str(h.get("hashValue")))
            for h in _list(e.get("verifiedUsing"))
            if isinstance(h, dict) and h.get("hashValue")
        )
        return Component(
            ref=refs.take(str(ident), path),
            name=str(name),
            version=value_or_none(e.get("software_packageVersion")),
            type=ComponentType.parse(e.get("software_primaryPurpose")),
            supplier=self._agent(e.get("suppliedBy"), by_id),
            author=", ".join(
                a for x in _list(e.get("originatedBy")) if (a := self._agent(x, by_id))
            )
            or None,
            description=value_or_none(e.get("description")) or value_or_none(e.get("summary")),
            purl=purl,
            cpe=cpe,
            hashes=hashes,
            copyright=value_or_none(e.get("software_copyrightText")),
            extra_identifiers=tuple(extra),
        )

    @staticmethod
    def _agent(ref: object, by_id: dict[Any, dict[str, Any]]) -> str | None:
        if isinstance(ref, dict):
            return ref.get("name")
        agent = by_id.get(ref)
        return str(agent["name"]) if agent and agent.get("name") else None
