"""Reading CSAF 2.0 documents (``csaf_vex`` and advisories) into VEX statements."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from soupwatch.errors import VexError
from soupwatch.model.vex import VexResponse, VexScope, VexStatement
from soupwatch.vex.document import ImportedVex, ImportTarget, parse_time, place, sorted_statements
from soupwatch.vex.mapping import (
    CSAF_TO_STATE,
    EXT_PREFIX,
    LABEL_TO_JUSTIFICATION,
    REMEDIATION_TO_RESPONSE,
    apply_extension,
)

FORMAT = "csaf"


@dataclass(frozen=True, slots=True)
class CsafProduct:
    """A product of the tree: the name, version and purl of the component it stands for."""

    name: str
    version: str | None
    purl: str | None
    version_is_range: bool = False


def _walk(branch: dict[str, Any], trail: dict[str, str], out: dict[str, CsafProduct]) -> None:
    trail = {**trail, branch.get("category", ""): str(branch.get("name", ""))}
    product = branch.get("product")
    if isinstance(product, dict) and product.get("product_id"):
        helper = product.get("product_identification_helper") or {}
        rng = trail.get("product_version_range")
        out[product["product_id"]] = CsafProduct(
            name=trail.get("product_name") or trail.get("product_family") or product["name"],
            version=trail.get("product_version") or rng,
            purl=helper.get("purl"),
            version_is_range=rng is not None and "product_version" not in trail,
        )
    for sub in branch.get("branches") or []:
        _walk(sub, trail, out)


def products(tree: dict[str, Any]) -> dict[str, CsafProduct]:
    """Every product id of a ``product_tree`` with the component it names.

    A ``default_component_of`` relationship's product stands for the component it refers to.
    """
    out: dict[str, CsafProduct] = {}
    for b in tree.get("branches") or []:
        _walk(b, {}, out)
    for fp in tree.get("full_product_names") or []:
        helper = fp.get("product_identification_helper") or {}
        out[fp["product_id"]] = CsafProduct(fp["name"], None, helper.get("purl"))
    for rel in tree.get("relationships") or []:
        fpn = rel.get("full_product_name") or {}
        ref = out.get(rel.get("product_reference", ""))
        if fpn.get("product_id") and ref is not None:
            out[fpn["product_id"]] = ref
    return out


def _by_product(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        for pid in item.get("product_ids") or []:
            index[pid].append(item)
    return index


def _ext_notes(v: dict[str, Any], path: str, where: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for k, n in enumerate(v.get("notes") or []):
        title = str(n.get("title") or "")
        if n.get("category") == "other" and title.startswith(EXT_PREFIX):
            try:
                found[title[len(EXT_PREFIX) :]] = json.loads(n.get("text") or "")
            except json.JSONDecodeError as err:
                raise VexError(
                    f"malformed soupwatch note: {err.msg}", path=path, where=f"{where}.notes[{k}]"
                ) from err
    return found


def _native(v: dict[str, Any], pid: str, status: str) -> dict[str, Any]:
    flags = _by_product(v.get("flags") or []).get(pid, [])
    threats = [
        t for t in _by_product(v.get("threats") or []).get(pid, []) if t.get("category") == "impact"
    ]
    rems = _by_product(v.get("remediations") or []).get(pid, [])
    responses = sorted(
        {
            REMEDIATION_TO_RESPONSE[r["category"]]
            for r in rems
            if r.get("category") in REMEDIATION_TO_RESPONSE
        }
    )
    label = flags[0].get("label") if flags else None
    details = [t.get("details") for t in threats] or [r.get("details") for r in rems]
    detail = "\n".join(str(d) for d in details if d) or None
    state = CSAF_TO_STATE[status]
    return {
        "state": state,
        "justification": LABEL_TO_JUSTIFICATION.get(str(label))
        if label and state.value == "not_affected"
        else None,
        "responses": tuple(VexResponse(r) for r in responses),
        "detail": detail,
        "scope": VexScope.PRODUCT,
    }


def _vulnerability(
    v: dict[str, Any],
    index: dict[str, CsafProduct],
    doc: dict[str, Any],
    target: ImportTarget,
    path: str,
    where: str,
) -> list[VexStatement]:
    ids = [str(i.get("text")) for i in v.get("ids") or [] if i.get("text")]
    vuln = v.get("cve") or (ids[0] if ids else None)
    if not vuln:
        raise VexError("a vulnerability needs a cve or ids", path=path, where=where)
    aliases = tuple(sorted(set(ids) - {vuln}))
    ext = _ext_notes(v, path, where)
    tracking = (doc.get("document") or {}).get("tracking") or {}
    created = parse_time(
        v.get("release_date") or tracking.get("current_release_date"), path=path, where=where
    )
    publisher = ((doc.get("document") or {}).get("publisher") or {}).get("name")
    out: list[VexStatement] = []
    for status, pids in sorted((v.get("product_status") or {}).items()):
        if status not in CSAF_TO_STATE:
            continue
        for pid in pids:
            product = index.get(pid)
            if product is None:
                raise VexError(
                    f"product id {pid!r} is not in the product tree",
                    path=path,
                    where=f"{where}.product_status.{status}",
                )
            mine = ext.get(pid)
            fields = (
                apply_extension(mine, path=path, where=f"{where}.notes")
                if mine is not None
                else {**_native(v, pid, status), "author": publisher}
            )
            fields = {"created": created, **fields}
            is_device = pid.startswith("DEVICE:") and mine is not None
            s = VexStatement(
                vulnerability=str(vuln),
                aliases=aliases,
                component_name=None if is_device else product.name,
                component_version=None if is_device else product.version,
                component_purl=None if is_device or _generated(product) else product.purl,
                **fields,
            )
            out.append(
                place(
                    s,
                    target,
                    from_extension=mine is not None,
                    path=path,
                    where=f"{where}.product_status.{status}",
                )
            )
    return out


def _generated(p: CsafProduct) -> bool:
    from packageurl import PackageURL

    made = PackageURL(type="generic", name=p.name, version=p.version).to_string()
    return p.purl == made


def read(doc: dict[str, Any], target: ImportTarget, *, path: str) -> ImportedVex:
    """Statements from a CSAF 2.0 document: one per vulnerability, status and product."""
    index = products(doc.get("product_tree") or {})
    out: list[VexStatement] = []
    warnings = [
        f"product {pid!r} has the version range {p.version!r}: decisions on it will "
        "need review against the exact version in each release"
        for pid, p in sorted(index.items())
        if p.version_is_range
    ]
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        out.extend(_vulnerability(v, index, doc, target, path, f"vulnerabilities[{i}]"))
    return ImportedVex(FORMAT, sorted_statements(out), tuple(warnings))
