"""OpenVEX 0.2.0: one statement per decision, the device release as the product.

``products[0]`` is the device release (``@id`` its purl); the component the decision is about
is its ``subcomponents[0]`` (``@id`` and ``identifiers.purl``). Statements about the whole
release have no subcomponent. The exact soupwatch values ride in ``status_notes`` as one
``soupwatch:{...}`` line (see :mod:`soupwatch.vex.mapping`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from soupwatch.errors import VexError
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.vex.document import (
    ImportedVex,
    ImportTarget,
    VexContext,
    component_purl,
    device_purl,
    document_id,
    iso,
    parse_time,
    place,
    purl_identity,
    sorted_statements,
    validate_json,
)
from soupwatch.vex.mapping import (
    LABEL_TO_JUSTIFICATION,
    OPENVEX_TO_STATE,
    STATE_TO_OPENVEX,
    apply_extension,
    extension_text,
    human_notes,
    label_for,
    parse_extension_text,
)

FORMAT = "openvex"
CONTEXT = "https://openvex.dev/ns/v0.2.0"


def statement_entry(s: VexStatement, ctx: VexContext) -> dict[str, Any]:
    """One OpenVEX statement for a decision about a component of the device release."""
    product: dict[str, Any] = {"@id": device_purl(ctx), "identifiers": {"purl": device_purl(ctx)}}
    purl = component_purl(s)
    if purl:
        product["subcomponents"] = [{"@id": purl, "identifiers": {"purl": purl}}]
    vuln: dict[str, Any] = {"name": s.vulnerability}
    if s.aliases:
        vuln["aliases"] = sorted(s.aliases)
    status = STATE_TO_OPENVEX[s.state]
    entry: dict[str, Any] = {"vulnerability": vuln, "products": [product], "status": status}
    if s.created:
        entry["timestamp"] = iso(s.created)
    label = label_for(s)
    if status == "not_affected":
        if label:
            entry["justification"] = label
        if s.detail:
            entry["impact_statement"] = s.detail
    if status == "affected":
        actions = ", ".join(r.value for r in s.responses) or "none stated"
        entry["action_statement"] = s.detail or f"Responses: {actions}"
    entry["status_notes"] = extension_text(s)
    return entry


def export(statements: list[VexStatement], ctx: VexContext) -> dict[str, Any]:
    """An OpenVEX 0.2.0 document for one device release."""
    ordered = sorted_statements(statements)
    if not ordered:
        raise VexError(
            f"no VEX decisions for {ctx.product} {ctx.release}: "
            "OpenVEX needs at least one statement"
        )
    return {
        "@context": CONTEXT,
        "@id": f"urn:soupwatch:vex:{document_id(ctx, ordered)}",
        "author": ctx.author,
        "timestamp": iso(ctx.now),
        "version": 1,
        "tooling": "soupwatch",
        "statements": [statement_entry(s, ctx) for s in ordered],
    }


def _component(target: dict[str, Any], path: str, where: str) -> tuple[str | None, ...]:
    purl = (target.get("identifiers") or {}).get("purl") or target.get("@id")
    if not purl or not str(purl).startswith("pkg:"):
        return None, None, None, str(target.get("@id") or "")
    try:
        name, version = purl_identity(str(purl))
    except ValueError as err:
        raise VexError(f"invalid purl {purl!r}: {err}", path=path, where=where) from err
    return name, version, str(purl), None


def _one(
    st: dict[str, Any],
    p: dict[str, Any],
    doc: dict[str, Any],
    target: ImportTarget,
    path: str,
    where: str,
    *,
    whole: bool,
) -> VexStatement:
    """One statement about one product part; ``whole``: the product itself, no subcomponent."""
    ext = parse_extension_text(st.get("status_notes"), path=path, where=where + ".status_notes")
    name, version, purl, _other = _component(p, path, where)
    if ext is not None and whole:
        name = version = purl = None
    vuln = st.get("vulnerability") or {}
    if not vuln.get("name"):
        raise VexError("a statement needs vulnerability.name", path=path, where=where)
    status = st.get("status")
    if status not in OPENVEX_TO_STATE:
        raise VexError(f"unknown status {status!r}", path=path, where=where)
    created = parse_time(st.get("timestamp") or doc.get("timestamp"), path=path, where=where)
    if ext is not None:
        fields = apply_extension(ext, path=path, where=where + ".status_notes")
    else:
        label = st.get("justification")
        if label is not None and label not in LABEL_TO_JUSTIFICATION:
            raise VexError(f"unknown justification {label!r}", path=path, where=where)
        notes = human_notes(st.get("status_notes"))
        detail = st.get("impact_statement") or st.get("action_statement") or notes
        fields = {
            "state": OPENVEX_TO_STATE[status],
            "justification": LABEL_TO_JUSTIFICATION.get(label) if label else None,
            "detail": detail,
            "scope": VexScope.PRODUCT,
            "author": doc.get("author"),
        }
    fields = {"created": created, **fields}
    s = VexStatement(
        vulnerability=str(vuln["name"]),
        aliases=tuple(sorted(set(vuln.get("aliases") or ()))),
        component_name=name,
        component_version=version,
        component_purl=purl,
        **fields,
    )
    if ext is not None and s.component_purl and s.component_purl.startswith("pkg:generic/"):
        s = _drop_generated_purl(s)
    return place(s, target, from_extension=ext is not None, path=path, where=where)


def _drop_generated_purl(s: VexStatement) -> VexStatement:
    """A ``pkg:generic`` purl we made from name and version is not the component's own."""
    from dataclasses import replace

    from packageurl import PackageURL

    made = PackageURL(type="generic", name=s.component_name, version=s.component_version)
    return replace(s, component_purl=None) if s.component_purl == made.to_string() else s


def read(doc: dict[str, Any], target: ImportTarget, *, path: str) -> ImportedVex:
    """Statements from an OpenVEX document (one per statement and product)."""
    out: list[VexStatement] = []
    warnings: list[str] = []
    for i, st in enumerate(doc.get("statements") or []):
        where = f"statements[{i}]"
        if not isinstance(st, dict):
            raise VexError("a statement must be an object", path=path, where=where)
        products = st.get("products") or []
        if not products:
            warnings.append(f"{where}: no products, skipped")
        for j, p in enumerate(products):
            for k, part in enumerate(p.get("subcomponents") or [p]):
                s = _one(st, part, doc, target, path, f"{where}.products[{j}]#{k}", whole=part is p)
                if s.state is VexState.NOT_AFFECTED and not (s.justification or s.detail):
                    warnings.append(f"{where}: not_affected without justification or impact")
                out.append(s)
    return ImportedVex(FORMAT, sorted_statements(out), tuple(warnings))


def validate(doc: dict[str, Any], schema_dir: Path) -> list[str]:
    """Errors against the official OpenVEX 0.2.0 JSON schema in ``schema_dir`` (empty: valid)."""
    return validate_json(doc, schema_dir / "openvex" / "openvex_json_schema.json")
