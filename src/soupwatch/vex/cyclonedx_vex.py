"""CycloneDX 1.6 VEX: ``vulnerabilities[]`` with ``analysis`` and ``affects[].ref``.

Each statement is one vulnerability entry whose ``affects[].ref`` is the ``bom-ref`` of its
component in ``components`` (or of ``metadata.component``, the device release, when the
decision is about the whole release). Fields CycloneDX has no place for (scope, product,
release, expiry, author) are ``soupwatch:*`` properties of the vulnerability.
"""

from __future__ import annotations

import json
from typing import Any

from soupwatch.errors import VexError
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.vex.document import (
    ImportedVex,
    ImportTarget,
    VexContext,
    component_purl,
    device_purl,
    iso,
    parse_time,
    place,
    purl_identity,
    sorted_statements,
)
from soupwatch.vex.mapping import EXT_PREFIX

FORMAT = "cyclonedx"
DEVICE_REF = "device"


def component_entry(s: VexStatement) -> dict[str, Any]:
    """The ``components[]`` entry a statement's ``affects`` points to."""
    purl = component_purl(s)
    entry: dict[str, Any] = {
        "bom-ref": purl or f"component:{s.component_name}",
        "type": "library",
        "name": s.component_name,
    }
    if s.component_version:
        entry["version"] = s.component_version
    if s.component_purl:
        entry["purl"] = s.component_purl
    return entry


def vulnerability_entry(s: VexStatement, index: int) -> dict[str, Any]:
    """One ``vulnerabilities[]`` entry for a statement."""
    analysis: dict[str, Any] = {"state": s.state.value}
    if s.justification:
        analysis["justification"] = s.justification.value
    if s.responses:
        analysis["response"] = [r.value for r in s.responses]
    if s.detail:
        analysis["detail"] = s.detail
    if s.created:
        analysis["firstIssued"] = iso(s.created)
        analysis["lastUpdated"] = iso(s.created)
    ref = component_entry(s)["bom-ref"] if s.component_name else DEVICE_REF
    props = [
        ("scope", s.scope.value),
        ("product", s.product),
        ("release", s.release),
        ("expires", s.expires.isoformat() if s.expires else None),
        ("author", s.author),
    ]
    entry: dict[str, Any] = {"bom-ref": f"vex-{index + 1}", "id": s.vulnerability}
    if s.vulnerability.startswith("CVE-"):
        entry["source"] = {
            "name": "NVD",
            "url": f"https://nvd.nist.gov/vuln/detail/{s.vulnerability}",
        }
    if s.aliases:
        entry["references"] = [
            {"id": a, "source": {"name": _source_name(a)}} for a in sorted(s.aliases)
        ]
    entry["analysis"] = analysis
    entry["affects"] = [{"ref": ref}]
    entry["properties"] = [{"name": EXT_PREFIX + k, "value": v} for k, v in props if v]
    return entry


def _source_name(vuln_id: str) -> str:
    prefix = vuln_id.split("-", 1)[0].upper()
    return {"CVE": "NVD", "GHSA": "GitHub"}.get(prefix, "OSV")


def export(statements: list[VexStatement], ctx: VexContext) -> dict[str, Any]:
    """A CycloneDX 1.6 VEX BOM for one device release."""
    ordered = sorted_statements(statements)
    components: dict[str, dict[str, Any]] = {}
    for s in ordered:
        if s.component_name:
            c = component_entry(s)
            components.setdefault(c["bom-ref"], c)
    device: dict[str, Any] = {
        "bom-ref": DEVICE_REF,
        "type": "device",
        "name": ctx.product,
        "version": ctx.release,
        "purl": device_purl(ctx),
    }
    if ctx.manufacturer:
        device["manufacturer"] = {"name": ctx.manufacturer}
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "timestamp": iso(ctx.now),
            "authors": [{"name": ctx.author}],
            "component": device,
        },
        "components": [components[k] for k in sorted(components)],
        "vulnerabilities": [vulnerability_entry(s, i) for i, s in enumerate(ordered)],
    }


def _index_components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    stack = list(doc.get("components") or [])
    meta = (doc.get("metadata") or {}).get("component")
    if isinstance(meta, dict):
        stack.append(meta)
    while stack:
        c = stack.pop()
        if isinstance(c, dict):
            if c.get("bom-ref"):
                found[str(c["bom-ref"])] = c
            stack.extend(c.get("components") or [])
    return found


def _component_of(
    ref: str, comps: dict[str, dict[str, Any]], meta_ref: str | None, path: str, where: str
) -> tuple[str | None, str | None, str | None]:
    if ref == meta_ref:
        return None, None, None
    c = comps.get(ref)
    if c is not None:
        return c.get("name"), c.get("version"), c.get("purl")
    purl = ref.split("#", 1)[1] if ref.startswith("urn:cdx:") and "#" in ref else ref
    if purl.startswith("pkg:"):
        try:
            name, version = purl_identity(purl)
        except ValueError as err:
            raise VexError(
                f"affects ref {ref!r} is not a valid purl: {err}", path=path, where=where
            ) from err
        return name, version, purl
    raise VexError(
        f"affects ref {ref!r} names no component of this document", path=path, where=where
    )


def _statement(
    v: dict[str, Any],
    ref: str,
    ctx: tuple[dict[str, dict[str, Any]], str | None],
    path: str,
    where: str,
) -> tuple[VexStatement, bool]:
    comps, meta_ref = ctx
    a = v.get("analysis") or {}
    props = {
        p.get("name", "")[len(EXT_PREFIX) :]: p.get("value")
        for p in v.get("properties") or []
        if str(p.get("name", "")).startswith(EXT_PREFIX)
    }
    name, version, purl = _component_of(ref, comps, meta_ref, path, where)
    try:
        s = VexStatement(
            vulnerability=str(v["id"]),
            aliases=tuple(
                sorted(
                    {
                        str(r["id"])
                        for r in v.get("references") or []
                        if r.get("id") and r["id"] != v["id"]
                    }
                )
            ),
            state=VexState(a.get("state") or "in_triage"),
            justification=VexJustification(a["justification"]) if a.get("justification") else None,
            responses=tuple(VexResponse(r) for r in a.get("response") or ()),
            detail=a.get("detail"),
            created=parse_time(a.get("firstIssued"), path=path, where=where + ".analysis"),
            scope=VexScope(props.get("scope") or "product"),
            product=props.get("product"),
            release=props.get("release"),
            expires=_date(props.get("expires"), path, where),
            author=props.get("author"),
            component_name=name,
            component_version=version,
            component_purl=purl,
        )
    except (KeyError, ValueError) as err:
        raise VexError(f"invalid vulnerability entry: {err}", path=path, where=where) from err
    return s, "scope" in props


def _date(value: Any, path: str, where: str) -> Any:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as err:
        raise VexError(f"invalid expiry date {value!r}", path=path, where=where) from err


def read(doc: dict[str, Any], target: ImportTarget, *, path: str) -> ImportedVex:
    """Statements from a CycloneDX BOM's ``vulnerabilities`` (any spec version 1.4–1.6)."""
    comps = _index_components(doc)
    meta = (doc.get("metadata") or {}).get("component") or {}
    meta_ref = meta.get("bom-ref") if isinstance(meta, dict) else None
    default = ImportTarget(product=target.product or meta.get("name"), release=target.release)
    out: list[VexStatement] = []
    warnings: list[str] = []
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        where = f"vulnerabilities[{i}]"
        if not isinstance(v, dict) or "id" not in v:
            raise VexError("a vulnerability entry needs an id", path=path, where=where)
        if not v.get("analysis"):
            warnings.append(f"{where}: {v['id']} has no analysis, skipped")
            continue
        for j, affect in enumerate(v.get("affects") or []):
            s, ext = _statement(
                v, str(affect.get("ref", "")), (comps, meta_ref), path, f"{where}.affects[{j}]"
            )
            out.append(place(s, default, from_extension=ext, path=path, where=where))
    return ImportedVex(FORMAT, sorted_statements(out), tuple(warnings))


def validate(doc: dict[str, Any]) -> list[str]:
    """Errors of a document against the official CycloneDX 1.6 JSON schema (empty: valid)."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    return [] if error is None else [str(error)]
