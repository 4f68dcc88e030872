"""CSAF 2.0 VEX (``csaf_vex``): product tree, product status, flags, threats, remediations.

The device release is ``vendor → product_name → product_version`` in ``product_tree``; each
component is a branch of its own, and a ``default_component_of`` relationship names
"component in device release" with the product id the statuses list. The public, small
builders (:func:`product_tree`, :func:`vulnerability_entry`, :func:`document_meta`) are reused
by the security-advisory writer. The exact soupwatch values ride in one ``notes[]`` entry per
product (category ``other``, title ``soupwatch:<product id>``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from soupwatch.errors import VexError
from soupwatch.model.vex import VexStatement
from soupwatch.vex.csaf_read import read
from soupwatch.vex.document import (
    VexContext,
    component_purl,
    device_purl,
    document_id,
    iso,
    sorted_statements,
    validate_json,
)
from soupwatch.vex.mapping import (
    EXT_PREFIX,
    RESPONSE_TO_REMEDIATION,
    STATE_TO_CSAF,
    extension,
    label_for,
)

FORMAT = "csaf"
__all__ = [
    "FORMAT",
    "document_meta",
    "export",
    "product_id",
    "product_tree",
    "read",
    "validate",
    "vulnerability_entry",
]


def device_id(ctx: VexContext) -> str:
    """Product id of the device release."""
    return f"DEVICE:{ctx.product}@{ctx.release}"


def product_id(s: VexStatement, ctx: VexContext) -> str:
    """Product id a statement's status lists: the component in the device, or the device."""
    if not s.component_name:
        return device_id(ctx)
    return f"{component_purl(s)} in {ctx.product}@{ctx.release}"


def _component_branch(s: VexStatement) -> dict[str, Any]:
    comp_id = f"COMPONENT:{component_purl(s)}"
    product: dict[str, Any] = {
        "name": f"{s.component_name} {s.component_version or ''}".strip(),
        "product_id": comp_id,
    }
    purl = component_purl(s)
    if purl:
        product["product_identification_helper"] = {"purl": purl}
    leaf: dict[str, Any] = {"category": "product_name", "name": s.component_name}
    if s.component_version:
        leaf["branches"] = [
            {"category": "product_version", "name": s.component_version, "product": product}
        ]
    else:
        leaf["product"] = product
    vendor = purl.split("/")[1] if purl and purl.count("/") >= 2 else "unspecified"
    return {"category": "vendor", "name": vendor, "branches": [leaf]}


def product_tree(statements: list[VexStatement], ctx: VexContext) -> dict[str, Any]:
    """The ``product_tree``: the device release, its components, and their relationships."""
    device = {
        "category": "vendor",
        "name": ctx.manufacturer or ctx.author,
        "branches": [
            {
                "category": "product_name",
                "name": ctx.product,
                "branches": [
                    {
                        "category": "product_version",
                        "name": ctx.release,
                        "product": {
                            "name": f"{ctx.product} {ctx.release}",
                            "product_id": device_id(ctx),
                            "product_identification_helper": {"purl": device_purl(ctx)},
                        },
                    }
                ],
            }
        ],
    }
    comps: dict[str, dict[str, Any]] = {}
    relationships: dict[str, dict[str, Any]] = {}
    for s in statements:
        if not s.component_name:
            continue
        branch = _component_branch(s)
        comp_id = _leaf_product(branch)["product_id"]
        comps.setdefault(comp_id, branch)
        pid = product_id(s, ctx)
        relationships.setdefault(
            pid,
            {
                "category": "default_component_of",
                "product_reference": comp_id,
                "relates_to_product_reference": device_id(ctx),
                "full_product_name": {"name": pid, "product_id": pid},
            },
        )
    tree: dict[str, Any] = {"branches": [device, *(comps[k] for k in sorted(comps))]}
    if relationships:
        tree["relationships"] = [relationships[k] for k in sorted(relationships)]
    return tree


def _leaf_product(branch: dict[str, Any]) -> dict[str, Any]:
    while "product" not in branch:
        branch = branch["branches"][0]
    product: dict[str, Any] = branch["product"]
    return product


def _detail_text(s: VexStatement) -> str:
    if s.detail:
        return s.detail
    label = label_for(s)
    return f"Not affected: {label}." if label else f"Status: {s.state.value}."


def vulnerability_entry(
    vuln_id: str, statements: list[VexStatement], ctx: VexContext
) -> dict[str, Any]:
    """One ``vulnerabilities[]`` entry: every statement about one vulnerability."""
    status: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, list[str]] = defaultdict(list)
    threats, remediations, notes = [], [], []
    aliases: set[str] = set()
    for s in statements:
        pid = product_id(s, ctx)
        aliases.update(s.aliases)
        csaf_status = STATE_TO_CSAF[s.state]
        status[csaf_status].append(pid)
        label = label_for(s)
        if csaf_status == "known_not_affected":
            if label:
                flags[label].append(pid)
            threats.append({"category": "impact", "details": _detail_text(s), "product_ids": [pid]})
        categories = sorted({RESPONSE_TO_REMEDIATION[r] for r in s.responses})
        if csaf_status == "known_affected" and not categories:
            categories = ["none_available"]
        for category in categories:
            remediations.append(
                {"category": category, "details": _detail_text(s), "product_ids": [pid]}
            )
        notes.append(
            {
                "category": "other",
                "title": EXT_PREFIX + pid,
                "text": json.dumps(extension(s), sort_keys=True),
            }
        )
    entry: dict[str, Any] = {}
    if vuln_id.startswith("CVE-"):
        entry["cve"] = vuln_id
    ids = sorted(aliases | ({vuln_id} if not vuln_id.startswith("CVE-") else set()))
    if ids:
        entry["ids"] = [{"system_name": _system(i), "text": i} for i in ids]
    if flags:
        entry["flags"] = [{"label": k, "product_ids": sorted(v)} for k, v in sorted(flags.items())]
    entry["notes"] = sorted(notes, key=lambda n: n["title"])
    entry["product_status"] = {k: sorted(v) for k, v in sorted(status.items())}
    if remediations:
        entry["remediations"] = remediations
    if threats:
        entry["threats"] = threats
    return entry


def _system(vuln_id: str) -> str:
    prefix = vuln_id.split("-", 1)[0].upper()
    return {"CVE": "CVE", "GHSA": "GitHub Security Advisory"}.get(prefix, f"{prefix} (OSV)")


def document_meta(ctx: VexContext, *, category: str, title: str, doc_id: str) -> dict[str, Any]:
    """The ``document`` object (publisher, tracking with one revision, a summary note)."""
    now = iso(ctx.now)
    return {
        "category": category,
        "csaf_version": "2.0",
        "lang": "en",
        "title": title,
        "publisher": {
            "category": "vendor",
            "name": ctx.manufacturer or ctx.author,
            "namespace": "https://soupwatch.invalid/"
            + (ctx.manufacturer or "vendor").replace(" ", "-").lower(),
        },
        "distribution": {"tlp": {"label": "WHITE"}},
        "notes": [
            {
                "category": "summary",
                "title": "Summary",
                "text": f"VEX statements for {ctx.product} {ctx.release} by {ctx.author}.",
            }
        ],
        "tracking": {
            "id": doc_id,
            "status": "final",
            "version": "1",
            "initial_release_date": now,
            "current_release_date": now,
            "revision_history": [{"date": now, "number": "1", "summary": "Initial version."}],
            "generator": {"engine": {"name": "soupwatch"}, "date": now},
        },
    }


def export(statements: list[VexStatement], ctx: VexContext) -> dict[str, Any]:
    """A CSAF 2.0 ``csaf_vex`` document for one device release."""
    ordered = sorted_statements(statements)
    if not ordered:
        raise VexError(
            f"no VEX decisions for {ctx.product} {ctx.release}: "
            "a CSAF VEX document needs at least one vulnerability"
        )
    by_vuln: dict[str, list[VexStatement]] = defaultdict(list)
    for s in ordered:
        by_vuln[s.vulnerability].append(s)
    doc_id = f"SOUPWATCH-VEX-{document_id(ctx, ordered).upper()}"
    return {
        "document": document_meta(
            ctx, category="csaf_vex", title=f"VEX for {ctx.product} {ctx.release}", doc_id=doc_id
        ),
        "product_tree": product_tree(list(ordered), ctx),
        "vulnerabilities": [vulnerability_entry(v, by_vuln[v], ctx) for v in sorted(by_vuln)],
    }


def validate(doc: dict[str, Any], schema_dir: Path) -> list[str]:
    """Errors against the CSAF 2.0 schema, ``$ref``s resolved to the local CVSS schemas."""
    base = schema_dir / "csaf-2.0"
    extra = tuple(base / f"cvss-v{v}.json" for v in ("2.0", "3.0", "3.1"))
    return validate_json(doc, base / "csaf_json_schema.json", extra)
