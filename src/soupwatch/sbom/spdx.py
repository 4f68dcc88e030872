"""SPDX 2.1–2.3 reader: every encoding is first brought to the SPDX JSON shape.

JSON and YAML are that shape already; XML is mapped with xmltodict (after defusedxml has
refused entities), tag-value by :mod:`soupwatch.sbom.spdx_tagvalue`, RDF/XML and Turtle
by :mod:`soupwatch.sbom.spdx_rdf` (rdflib). Why not spdx-tools' parsers: they refuse most
real files in our corpus — fractional-second timestamps (``2022-11-22T06:18:08.117Z``,
written by syft and trivy), ``PackageOriginator`` values and lower-case relationship
types; they also read no Turtle. spdx-tools' model and writer are used for output
(:mod:`soupwatch.sbom.spdx_writer`).

Mapping: every package is a component (the DESCRIBES target too, unless it carries our
``soupwatch:role=metadata-component`` annotation); ``DEPENDS_ON`` / ``*_DEPENDENCY_OF`` /
``*_LINK`` become ``depends_on``; ``CONTAINS`` / ``CONTAINED_BY`` set ``parent``;
``PackageSupplier: Organization: X`` gives supplier X, the originator gives the author;
``externalRefs`` cpe23Type/cpe22Type/purl give identifiers; checksums give hashes
(algorithm spelled as CycloneDX does); annotations whose comment starts with
``soupwatch:`` fill our own fields.
"""

from __future__ import annotations

import re
from typing import Any

from soupwatch.model import Component, ComponentRef, ComponentType, Hash, SbomDocument
from soupwatch.sbom import namespace as ns
from soupwatch.sbom.cyclonedx import parse_timestamp
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.interface import SbomReader
from soupwatch.sbom.repair import RefAllocator, attach_dependencies

SPEC_VERSIONS = ("SPDX-2.1", "SPDX-2.2", "SPDX-2.3")
_ACTOR = re.compile(r"^\s*(?:Organization|Person|Tool)\s*:\s*", re.I)
_NO_VALUE = {"NOASSERTION", "NONE", ""}
FORWARD_DEPENDENCY = {"DEPENDS_ON", "STATIC_LINK", "DYNAMIC_LINK"}
REVERSE_DEPENDENCY = {
    "DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
}
CHECKSUM_ALGS = {
    "SHA1": "SHA-1",
    "SHA224": "SHA-224",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
    "SHA3_256": "SHA3-256",
    "SHA3_384": "SHA3-384",
    "SHA3_512": "SHA3-512",
    "BLAKE2B_256": "BLAKE2b-256",
    "BLAKE2B_384": "BLAKE2b-384",
    "BLAKE2B_512": "BLAKE2b-512",
    "BLAKE3": "BLAKE3",
    "MD5": "MD5",
    "MD2": "MD2",
    "MD4": "MD4",
    "MD6": "MD6",
    "ADLER32": "ADLER32",
}


def actor_name(value: object) -> str | None:
    """``Organization: ACME (x@y)`` → ``ACME``; NOASSERTION and empty → None."""
    if not isinstance(value, str):
        return None
    text = _ACTOR.sub("", value.strip()).rstrip()
    # a trailing "(mail@host)" or "()" goes; found by hand, as the pattern for it backtracked
    # (100,000 spaces before it took 8 s)
    if text.endswith(")"):
        start = text.rfind("(")
        inner = text[start + 1 : -1]
        if start >= 0 and ")" not in inner and (not inner or "@" in inner):
            text = text[:start]
    text = text.strip()
    return None if text.upper() in _NO_VALUE else text


def cdx_alg(spdx_alg: str) -> str:
    """An SPDX checksum algorithm spelled as CycloneDX spells it (``SHA256`` → ``SHA-256``)."""
    key = spdx_alg.strip().upper().replace("-", "_")
    return CHECKSUM_ALGS.get(key, spdx_alg.strip())


def value_or_none(v: object) -> str | None:
    """A plain value, None for NOASSERTION / NONE / empty / structured values."""
    if v is None or isinstance(v, dict | list):
        return None
    text = str(v).strip()
    return None if text.upper() in _NO_VALUE else text


class SpdxReader(SbomReader):
    """Reads an SPDX 2.x document in the JSON shape (JSON, YAML, or mapped from other encodings)."""

    format_name = "SPDX JSON"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Read every package, its relationships and annotations."""
        return self.read_document(loaded.data)

    def read_document(self, doc: dict[str, Any]) -> SbomDocument:
        """Read an SPDX document already in the JSON shape."""
        spec = str(doc.get("spdxVersion") or "").strip()
        if spec not in SPEC_VERSIONS:
            raise self.fail(
                f"unsupported SPDX version {spec or 'missing'!r} (this reads SPDX-2.1 to SPDX-2.3)",
                "spdxVersion",
            )
        packages: Any = doc.get("packages") or []
        if not isinstance(packages, list):
            raise self.fail("'packages' must be a list", "$.packages")
        notes = self._annotations(doc)
        refs = RefAllocator(self.warnings)
        self.extra_deps: dict[str, list[str]] = {}
        ids: dict[str, ComponentRef] = {}
        comps: list[Component] = []
        subject: Component | None = None
        for i, pkg in enumerate(packages):
            comp = self._package(pkg, f"$.packages[{i}]", refs, ids, notes)
            key = str(pkg.get("SPDXID")) if isinstance(pkg, dict) else ""
            own_role = f"{ns.ROLE}={ns.ROLE_SUBJECT}" in notes.get(key, ())
            if own_role and subject is None:
                subject = comp
            else:
                comps.append(comp)
        graph, parents = self._relationships(doc.get("relationships"), ids)
        for ref, deps in self.extra_deps.items():
            graph.setdefault(ref, []).extend(deps)
        comps = [c.with_changes(parent=parents[c.ref]) if c.ref in parents else c for c in comps]
        comps, subject = attach_dependencies(comps, graph, self.warnings, subject)
        info: dict[str, Any] = (
            doc["creationInfo"] if isinstance(doc.get("creationInfo"), dict) else {}
        )
        creators = [str(c) for c in _as_list(info.get("creators"))]
        return SbomDocument(
            format=self.format_name,
            spec_version=spec,
            components=tuple(comps),
            metadata_component=subject,
            serial_number=value_or_none(doc.get("documentNamespace")),
            name=value_or_none(doc.get("name")),
            created=parse_timestamp(info.get("created")),
            tools=tuple(actor_name(c) or c for c in creators if c.lower().startswith("tool")),
            authors=tuple(actor_name(c) or c for c in creators if not c.lower().startswith("tool")),
            source=self.path.name,
            warnings=tuple(self.warnings),
        )

    def _annotations(self, doc: dict[str, Any]) -> dict[str, list[str]]:
        notes: dict[str, list[str]] = {}
        for pkg in _as_list(doc.get("packages")):
            if isinstance(pkg, dict):
                for a in _as_list(pkg.get("annotations")):
                    if isinstance(a, dict) and a.get("comment"):
                        notes.setdefault(str(pkg.get("SPDXID")), []).append(str(a["comment"]))
        for a in _as_list(doc.get("annotations")):
            target = isinstance(a, dict) and (a.get("spdxElementId") or a.get("SPDXREF"))
            if target and a.get("comment"):
                notes.setdefault(str(target), []).append(str(a["comment"]))
        return notes

    def _package(
        self,
        pkg: object,
        path: str,
        refs: RefAllocator,
        ids: dict[str, ComponentRef],
        notes: dict[str, list[str]],
    ) -> Component:
        if not isinstance(pkg, dict):
            raise self.fail(f"a package must be an object, found {type(pkg).__name__}", path)
        name = value_or_none(pkg.get("name"))
        spdxid = value_or_none(pkg.get("SPDXID"))
        if name is None or spdxid is None:
            raise self.fail(f"package has no {'name' if name is None else 'SPDXID'}", path)
        own = ns.decode(_pairs(notes.get(spdxid, ())))
        self.warnings.extend(f"{path}: {p}" for p in own.problems)
        ref = refs.take(own.bom_ref or spdxid, path)
        if own.depends_on:
            self.extra_deps.setdefault(ref, []).extend(own.depends_on)
        ids.setdefault(spdxid, ref)
        purl, cpe, extra = self._identifiers(pkg.get("externalRefs"))
        if own.cpe is not None:  # the primary CPE did not validate as an externalRef
            if cpe is not None:
                extra.insert(0, ("cpe", cpe))
            cpe = own.cpe
        if own.purl is not None:
            if purl is not None:
                extra.insert(0, ("purl", purl))
            purl = own.purl
        hashes = [
            Hash(cdx_alg(str(c.get("algorithm"))), str(c.get("checksumValue")).strip())
            for c in _as_list(pkg.get("checksums"))
            if isinstance(c, dict) and c.get("checksumValue")
        ]
        hashes.extend(Hash(a, v) for a, v in own.hashes)
        licenses = tuple(
            dict.fromkeys(
                x
                for x in (
                    value_or_none(pkg.get("licenseDeclared")),
                    value_or_none(pkg.get("licenseConcluded")),
                )
                if x
            )
        )
        return Component(
            ref=ref,
            name=name,
            version=value_or_none(pkg.get("versionInfo")),
            type=ComponentType.parse(own.type or value_or_none(pkg.get("primaryPackagePurpose"))),
            group=own.group,
            supplier=actor_name(pkg.get("supplier")),
            author=actor_name(pkg.get("originator")),
            description=value_or_none(pkg.get("description")) or value_or_none(pkg.get("summary")),
            purl=purl,
            cpe=cpe,
            hashes=tuple(hashes),
            licenses=own.licenses if own.licenses is not None else licenses,
            copyright=value_or_none(pkg.get("copyrightText")),
            properties=tuple(own.properties),
            support_level=own.support_level,
            end_of_support=own.end_of_support,
            support_source=own.support_source,
            provenance=own.provenance,
            extra_identifiers=tuple(extra + own.extra_identifiers),
        )

    @staticmethod
    def _identifiers(refs: object) -> tuple[str | None, str | None, list[tuple[str, str]]]:
        purl = cpe = None
        extra: list[tuple[str, str]] = []
        for r in _as_list(refs):
            if not isinstance(r, dict) or not r.get("referenceLocator"):
                continue
            kind = str(r.get("referenceType") or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            locator = str(r["referenceLocator"]).strip()
            if kind in ("cpe23Type", "cpe22Type"):
                if cpe is None:
                    cpe = locator
                else:
                    extra.append(("cpe", locator))
            elif kind == "purl":
                if purl is None:
                    purl = locator
                else:
                    extra.append(("purl", locator))
            elif kind == "swid":
                extra.append(("swid", locator))
        return purl, cpe, extra

    def _relationships(
        self, items: object, ids: dict[str, ComponentRef]
    ) -> tuple[dict[str, list[str]], dict[ComponentRef, ComponentRef]]:
        graph: dict[str, list[str]] = {}
        parents: dict[ComponentRef, ComponentRef] = {}
        order: dict[ComponentRef, int] = {}
        for r in _as_list(items):
            if not isinstance(r, dict):
                continue
            a = ids.get(str(r.get("spdxElementId")))
            b = ids.get(str(r.get("relatedSpdxElement")))
            kind = str(r.get("relationshipType") or "").upper()
            if a is None or b is None or a == b:
                continue
            if kind in FORWARD_DEPENDENCY:
                graph.setdefault(a, []).append(b)
            elif kind in REVERSE_DEPENDENCY:
                graph.setdefault(b, []).append(a)
            elif kind in ("CONTAINS", "CONTAINED_BY"):
                outer, inner = (a, b) if kind == "CONTAINS" else (b, a)
                if inner not in parents:
                    parents[inner] = outer
                    order[inner] = len(order)
        _break_cycles(parents, order)
        return graph, parents


def _break_cycles(
    parents: dict[ComponentRef, ComponentRef], order: dict[ComponentRef, int]
) -> None:
    """Drop the newest containment edge of every cycle, in one linear pass.

    Each component has at most one parent, so every cycle is found by following parents; the
    edge read last is the one that closed it. (Checking ancestry per edge was quadratic: a
    20,000-long CONTAINS chain took 15 s.)
    """
    state: dict[ComponentRef, bool] = {}  # False: on the current walk, True: done
    for start in list(parents):
        path: list[ComponentRef] = []
        node: ComponentRef | None = start
        while node is not None and node not in state:
            state[node] = False
            path.append(node)
            node = parents.get(node)
        if node is not None and state[node] is False:
            cycle = path[path.index(node) :]
            del parents[max(cycle, key=order.__getitem__)]
        for done in path:
            state[done] = True


def _pairs(comments: Any) -> list[tuple[str, str]]:
    out = []
    for text in comments:
        if text.startswith(ns.PREFIX) and "=" in text:
            key, _, value = text.partition("=")
            out.append((key, value))
    return out


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


class SpdxYamlReader(SpdxReader):
    """Reads SPDX 2.x YAML (the JSON shape in YAML syntax)."""

    format_name = "SPDX YAML"
