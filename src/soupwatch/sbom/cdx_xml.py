"""CycloneDX XML mapped to the JSON shape, so that one reader serves both encodings.

Only what :class:`~soupwatch.sbom.cyclonedx.CycloneDxReader` reads is mapped: metadata
(timestamp, tools, authors, component), components at every depth, dependencies. The XML
was parsed by defusedxml in :mod:`soupwatch.sbom.detect`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from soupwatch.model import SbomDocument
from soupwatch.sbom.cyclonedx import CycloneDxReader
from soupwatch.sbom.detect import Loaded

_TEXT_FIELDS = (
    "name",
    "version",
    "group",
    "description",
    "author",
    "publisher",
    "copyright",
    "cpe",
    "purl",
    "scope",
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: ET.Element) -> str:
    return (el.text or "").strip()


def _child_text(el: ET.Element, name: str) -> str | None:
    for ch in el:
        if _local(ch.tag) == name:
            return _text(ch)
    return None


def _entity(el: ET.Element) -> dict[str, Any]:
    return {"name": _child_text(el, "name")}


def component(el: ET.Element) -> dict[str, Any]:
    """One ``<component>`` element as a CycloneDX JSON component object."""
    d: dict[str, Any] = dict(el.attrib)
    for ch in el:
        tag = _local(ch.tag)
        if tag in _TEXT_FIELDS:
            d[tag] = _text(ch)
        elif tag in ("supplier", "manufacturer"):
            d[tag] = _entity(ch)
        elif tag == "authors":
            d["authors"] = [_entity(a) for a in ch]
        elif tag == "hashes":
            d["hashes"] = [{"alg": h.get("alg"), "content": _text(h)} for h in ch]
        elif tag == "licenses":
            d["licenses"] = _licenses(ch)
        elif tag == "properties":
            d["properties"] = [{"name": p.get("name"), "value": _text(p)} for p in ch]
        elif tag == "components":
            d["components"] = [component(c) for c in ch if _local(c.tag) == "component"]
        elif tag == "swid":
            d["swid"] = dict(ch.attrib)
        elif tag in ("omniborId", "swhid"):
            d.setdefault(tag, []).append(_text(ch))
        elif tag == "evidence":
            d["evidence"] = {"occurrences": _occurrences(ch)}
    return d


def _licenses(el: ET.Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ch in el:
        tag = _local(ch.tag)
        if tag == "expression":
            out.append({"expression": _text(ch)})
        elif tag == "license":
            out.append({"license": {"id": _child_text(ch, "id"), "name": _child_text(ch, "name")}})
    return out


def _occurrences(evidence: ET.Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ch in evidence:
        if _local(ch.tag) != "occurrences":
            continue
        for occ in ch:
            item: dict[str, Any] = dict(occ.attrib)
            item.update({_local(x.tag): _text(x) for x in occ})
            out.append(item)
    return out


def _tools(el: ET.Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ch in el:
        tag = _local(ch.tag)
        if tag == "tool":
            out.append({"name": _child_text(ch, "name"), "version": _child_text(ch, "version")})
        elif tag in ("components", "services"):
            out.extend(
                {"name": _child_text(t, "name"), "version": _child_text(t, "version")} for t in ch
            )
    return out


def _dependencies(el: ET.Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for dep in el:
        if _local(dep.tag) == "dependency":
            out.append(
                {
                    "ref": dep.get("ref"),
                    "dependsOn": [d.get("ref") for d in dep if _local(d.tag) == "dependency"],
                }
            )
    return out


def to_json_shape(root: ET.Element) -> dict[str, Any]:
    """The ``<bom>`` element as a CycloneDX JSON document (the parts we read)."""
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": ns.rsplit("/", 1)[-1],
        "serialNumber": root.get("serialNumber"),
    }
    for ch in root:
        tag = _local(ch.tag)
        if tag == "metadata":
            meta: dict[str, Any] = {}
            for m in ch:
                mtag = _local(m.tag)
                if mtag == "timestamp":
                    meta["timestamp"] = _text(m)
                elif mtag == "tools":
                    meta["tools"] = _tools(m)
                elif mtag == "authors":
                    meta["authors"] = [_entity(a) for a in m]
                elif mtag == "component":
                    meta["component"] = component(m)
            bom["metadata"] = meta
        elif tag == "components":
            bom["components"] = [component(c) for c in ch if _local(c.tag) == "component"]
        elif tag == "dependencies":
            bom["dependencies"] = _dependencies(ch)
    return bom


class CycloneDxXmlReader(CycloneDxReader):
    """Reads a CycloneDX XML BOM (namespace ``http://cyclonedx.org/schema/bom/1.x``)."""

    format_name = "CycloneDX XML"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Map the XML to the JSON shape, then read it as CycloneDX."""
        try:
            bom = to_json_shape(loaded.data)
        except RecursionError as err:
            raise self.fail("components nested too deeply") from err
        return super().read(Loaded(loaded.kind, bom, loaded.text))
