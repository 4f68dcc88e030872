"""SPDX 2.x RDF/XML and RDF/Turtle mapped to the SPDX JSON shape with rdflib.

Packages are the nodes typed ``spdx:Package`` (any prefix bound to
``http://spdx.org/rdf/terms#``); an element's SPDXID is the fragment of its URI. RDF/XML
reaches this module only after defusedxml has refused entity declarations.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from soupwatch.model import SbomDocument
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.spdx import SpdxReader

SPDX = Namespace("http://spdx.org/rdf/terms#")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PACKAGE_FIELDS = {
    "versionInfo": "versionInfo",
    "supplier": "supplier",
    "originator": "originator",
    "copyrightText": "copyrightText",
    "description": "description",
    "summary": "summary",
}


def _tail(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def _enum(node: Node, prefix: str) -> str:
    """``…#relationshipType_dynamicLink`` → ``DYNAMIC_LINK``."""
    tail = _tail(node)
    tail = tail[len(prefix) :] if tail.startswith(prefix) else tail
    return _CAMEL.sub("_", tail).upper()


def _license(g: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        tail = _tail(node)
        return None if tail.lower() in ("noassertion", "none") else tail
    if isinstance(node, BNode):
        kinds = {_tail(t) for t in g.objects(node, RDF.type)}
        members = [m for m in (_license(g, x) for x in g.objects(node, SPDX.member)) if m]
        if members:
            op = " OR " if "DisjunctiveLicenseSet" in kinds else " AND "
            return op.join(sorted(members))
        lic_id = g.value(node, SPDX.licenseId)
        return str(lic_id) if lic_id else None
    return str(node)


def _package(g: Graph, node: Node) -> dict[str, Any]:
    pkg: dict[str, Any] = {"SPDXID": _tail(node), "name": str(g.value(node, SPDX.name) or "")}
    for pred, key in _PACKAGE_FIELDS.items():
        value = g.value(node, SPDX[pred])
        if value is not None:
            pkg[key] = str(value)
    purpose = g.value(node, SPDX.primaryPackagePurpose)
    if purpose is not None:
        pkg["primaryPackagePurpose"] = _enum(purpose, "purpose_")
    pkg["licenseDeclared"] = _license(g, g.value(node, SPDX.licenseDeclared))
    pkg["licenseConcluded"] = _license(g, g.value(node, SPDX.licenseConcluded))
    pkg["checksums"] = [
        {
            "algorithm": _enum(g.value(c, SPDX.algorithm) or URIRef(""), "checksumAlgorithm_"),
            "checksumValue": str(g.value(c, SPDX.checksumValue) or ""),
        }
        for c in g.objects(node, SPDX.checksum)
    ]
    pkg["externalRefs"] = [
        {
            "referenceType": str(g.value(r, SPDX.referenceType) or ""),
            "referenceLocator": str(g.value(r, SPDX.referenceLocator) or ""),
        }
        for r in g.objects(node, SPDX.externalRef)
    ]
    pkg["annotations"] = [
        {"comment": str(c)}
        for a in g.objects(node, SPDX.annotation)
        if (c := g.value(a, RDFS.comment)) is not None
    ]
    return pkg


def to_json_shape(g: Graph) -> dict[str, Any]:
    """Map an SPDX 2.x RDF graph to the SPDX JSON shape."""
    doc: dict[str, Any] = {"packages": [], "relationships": []}
    for d in g.subjects(RDF.type, SPDX.SpdxDocument):
        doc["spdxVersion"] = str(g.value(d, SPDX.specVersion) or "")
        doc["name"] = str(g.value(d, SPDX.name) or "") or None
        doc["documentNamespace"] = str(d).split("#", 1)[0]
        info = g.value(d, SPDX.creationInfo)
        if info is not None:
            doc["creationInfo"] = {
                "created": str(g.value(info, SPDX.created) or ""),
                "creators": [str(c) for c in g.objects(info, SPDX.creator)],
            }
        break
    packages = sorted(set(g.subjects(RDF.type, SPDX.Package)), key=str)
    doc["packages"] = [_package(g, p) for p in packages]
    for s, rel in g.subject_objects(SPDX.relationship):
        kind, other = g.value(rel, SPDX.relationshipType), g.value(rel, SPDX.relatedSpdxElement)
        if kind is not None and other is not None:
            doc["relationships"].append(
                {
                    "spdxElementId": _tail(s),
                    "relationshipType": _enum(kind, "relationshipType_"),
                    "relatedSpdxElement": _tail(other),
                }
            )
    return doc


class SpdxRdfReader(SpdxReader):
    """Reads SPDX 2.x RDF/XML."""

    format_name = "SPDX RDF/XML"
    rdf_format = "xml"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Parse the graph with rdflib, map it to the JSON shape, read it."""
        g = Graph()
        try:
            g.parse(data=loaded.text, format=self.rdf_format)
        except Exception as err:  # rdflib raises many unrelated types for bad input
            line = getattr(err, "lineno", None) or getattr(err, "_linenumber", None)
            raise self.fail(
                f"invalid {self.format_name}: {err}",  # one line: SoupwatchError folds it
                f"line {line}" if line else None,
            ) from err
        return self.read_document(to_json_shape(g))


class SpdxTurtleReader(SpdxRdfReader):
    """Reads SPDX 2.x RDF/Turtle."""

    format_name = "SPDX RDF/Turtle"
    rdf_format = "turtle"
