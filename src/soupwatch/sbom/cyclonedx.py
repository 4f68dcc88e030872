"""CycloneDX 1.1–1.7 reader, JSON and XML.

Why not ``cyclonedx-python-lib``'s deserializer: it refuses real files we must read (the
DICOM plugin's SBOM in our corpus fails with ``MutuallyExclusivePropertiesException``),
merges components in sorted sets (which hides the duplicate ``bom-ref`` values we must
repair and report), and costs about 0.8 ms per component (8 s for a 10,000-component
SBOM). So this reader walks the parsed JSON (XML is first mapped to the same shape by
:mod:`soupwatch.sbom.cdx_xml`) and keeps what a SOUP inventory needs. Writing does use
cyclonedx-python-lib's model and outputters (:mod:`soupwatch.sbom.cdx_writer`).

Strict: a component that is not an object or has no name, a ``components`` that is not a
list, an unknown ``specVersion``. Lenient (warned): duplicate refs, dangling or cyclic
dependencies, malformed ``soupwatch:`` properties, hashes or licenses of odd shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soupwatch.model import (
    Component,
    ComponentRef,
    ComponentType,
    Evidence,
    Hash,
    Provenance,
    SbomDocument,
)
from soupwatch.sbom import namespace as ns
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.interface import SbomReader
from soupwatch.sbom.repair import RefAllocator, attach_dependencies

SPEC_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` allowed, any fraction of seconds), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python < 3.12 accepts at most 6 fractional digits
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)].ljust(1, "0") + rest[digits:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class CycloneDxReader(SbomReader):
    """Reads a CycloneDX BOM (JSON, or XML mapped to the JSON shape)."""

    format_name = "CycloneDX JSON"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Read the whole BOM: components at every depth, dependencies, metadata."""
        try:
            return self._read(loaded.data)
        except RecursionError as err:
            raise self.fail("components nested too deeply") from err

    def _read(self, bom: dict[str, Any]) -> SbomDocument:
        spec = str(bom.get("specVersion") or "")
        if spec not in SPEC_VERSIONS:
            shown = repr(spec) if spec else "missing"
            raise self.fail(
                f"unsupported CycloneDX specVersion {shown} (this reads 1.1–1.7)", "$.specVersion"
            )
        self.refs = RefAllocator(self.warnings)
        self.extra_deps: dict[str, list[str]] = {}
        meta: dict[str, Any] = bom["metadata"] if isinstance(bom.get("metadata"), dict) else {}
        subject = None
        if isinstance(meta.get("component"), dict):
            found: list[Component] = []
            self._component(meta["component"], "$.metadata.component", None, found)
            subject = found[0]
            if len(found) > 1:  # parts of the subject itself (first-party), not SOUP
                self.warnings.append(
                    f"$.metadata.component: {len(found) - 1} nested component(s) are parts of "
                    "the SBOM's subject, not third-party components; not imported"
                )
        comps = self._components(bom.get("components"), "$.components", None)
        graph = self._dependencies(bom.get("dependencies"))
        for ref, deps in self.extra_deps.items():
            graph.setdefault(ref, []).extend(deps)
        all_comps, subject = attach_dependencies(comps, graph, self.warnings, subject)
        return SbomDocument(
            format=self.format_name,
            spec_version=spec,
            components=tuple(all_comps),
            metadata_component=subject,
            serial_number=_text(bom.get("serialNumber")),
            name=subject.name if subject else None,
            created=parse_timestamp(meta.get("timestamp")),
            tools=self._tools(meta.get("tools")),
            authors=tuple(n for a in _list(meta.get("authors")) if (n := _name(a))),
            source=self.path.name,
            warnings=tuple(self.warnings),
        )

    def _components(self, items: object, path: str, parent: ComponentRef | None) -> list[Component]:
        if items is None:
            return []
        if not isinstance(items, list):
            raise self.fail(f"'components' must be a list, found {type(items).__name__}", path)
        out: list[Component] = []
        for i, item in enumerate(items):
            self._component(item, f"{path}[{i}]", parent, out)
        return out

    def _component(
        self, c: object, path: str, parent: ComponentRef | None, out: list[Component]
    ) -> None:
        if not isinstance(c, dict):
            raise self.fail(f"a component must be an object, found {type(c).__name__}", path)
        if isinstance(c.get("name"), dict | list):
            raise self.fail("component name must be a string", f"{path}.name")
        name = _text(c.get("name"))
        if name is None:
            raise self.fail("component has no name", path)
        version = _text(c.get("version"))
        own = ns.decode(_properties(c.get("properties")))
        self.warnings.extend(f"{path}: {p}" for p in own.problems)
        purl = own.purl or _text(c.get("purl"))
        raw_ref = _text(c.get("bom-ref")) or purl or (f"{name}@{version}" if version else name)
        ref = self.refs.take(raw_ref, path)
        if own.depends_on:
            self.extra_deps.setdefault(ref, []).extend(own.depends_on)
        extra = list(own.extra_identifiers)
        swid = c.get("swid")
        if isinstance(swid, dict) and swid.get("tagId"):
            extra.append(("swid", str(swid["tagId"])))
        for key in ("omniborId", "swhid"):
            extra.extend((key, str(v)) for v in _list(c.get(key)))
        hashes = [
            Hash(str(h.get("alg")), str(h.get("content")).strip())
            for h in _list(c.get("hashes"))
            if isinstance(h, dict) and h.get("content")
        ]
        hashes.extend(Hash(a, v) for a, v in own.hashes)
        out.append(
            Component(
                ref=ref,
                name=name,
                version=version,
                type=ComponentType.parse(_text(c.get("type"))),
                group=_text(c.get("group")),
                supplier=_name(c.get("supplier")),
                author=_author(c),
                description=_text(c.get("description")),
                purl=purl,
                cpe=own.cpe or _text(c.get("cpe")),
                hashes=tuple(hashes),
                licenses=_licenses(c.get("licenses")),
                copyright=_text(c.get("copyright")),
                properties=tuple(own.properties),
                parent=parent,
                support_level=own.support_level,
                end_of_support=own.end_of_support,
                support_source=own.support_source,
                provenance=own.provenance or _evidence(c.get("evidence"), self.path.name),
                extra_identifiers=tuple(extra),
            )
        )
        out.extend(self._components(c.get("components"), f"{path}.components", ref))

    def _dependencies(self, items: object) -> dict[str, list[str]]:
        graph: dict[str, list[str]] = {}
        for i, d in enumerate(_list(items)):
            if not isinstance(d, dict) or not d.get("ref"):
                self.warnings.append(f"$.dependencies[{i}]: entry without ref ignored")
                continue
            targets = [str(t) for t in _list(d.get("dependsOn")) if t]
            graph.setdefault(str(d["ref"]), []).extend(targets)
        return graph

    @staticmethod
    def _tools(tools: object) -> tuple[str, ...]:
        if isinstance(tools, dict):  # 1.5+: {"components": [...], "services": [...]}
            tools = _list(tools.get("components")) + _list(tools.get("services"))
        out = []
        for t in _list(tools):
            if isinstance(t, dict) and t.get("name"):
                out.append(" ".join(str(t[k]) for k in ("name", "version") if t.get(k)))
        return tuple(out)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value) if isinstance(value, str) else None


def _author(c: dict[str, Any]) -> str | None:
    names = [n for a in _list(c.get("authors")) if (n := _name(a))]
    if names:
        return ", ".join(names)
    return _text(c.get("author"))


def _properties(items: object) -> list[tuple[str, str]]:
    return [
        (str(p["name"]), "" if p.get("value") is None else str(p["value"]))
        for p in _list(items)
        if isinstance(p, dict) and p.get("name")
    ]


def _licenses(items: object) -> tuple[str, ...]:
    out: list[str] = []
    for entry in _list(items):
        if not isinstance(entry, dict):
            continue
        if entry.get("expression"):
            out.append(str(entry["expression"]).strip())
        lic = entry.get("license")
        if isinstance(lic, dict):
            value = _text(lic.get("id")) or _text(lic.get("name"))
            if value:
                out.append(value)
    return tuple(dict.fromkeys(out))


def _evidence(evidence: object, source: str) -> tuple[Provenance, ...]:
    """CycloneDX ``evidence.occurrences`` of a foreign SBOM as one provenance record."""
    if not isinstance(evidence, dict):
        return ()
    found = []
    for o in _list(evidence.get("occurrences")):
        if isinstance(o, dict) and o.get("location"):
            offset = o.get("offset")
            text = _text(o.get("additionalContext")) or _text(o.get("symbol"))
            found.append(
                Evidence(
                    detector="cyclonedx-evidence",
                    location=str(o["location"]),
                    offset=int(str(offset)) if str(offset).isdigit() else None,
                    text=text,
                )
            )
    if not found:
        return ()
    return (Provenance(source=source, method="cyclonedx-evidence", evidence=tuple(found)),)
