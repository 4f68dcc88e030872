"""CSAF 2.0 security advisory (``csaf_security_advisory``) about one vulnerability in a product.

The product tree is ``vendor → product_name → product_version`` with one leaf per release.
Each release's status for the vulnerability comes from its findings and their VEX decisions:

* a finding with VEX ``exploitable`` or no decision → ``known_affected``;
* VEX ``in_triage`` → ``under_investigation``;
* VEX ``resolved`` / ``resolved_with_pedigree`` or a recorded fix release → ``fixed``;
* VEX ``not_affected`` / ``false_positive`` → ``known_not_affected``, with the CSAF flag for
  its justification and an impact statement;
* no finding at all: ``fixed`` if an earlier release was affected (the component moved on),
  else ``known_not_affected`` (no match against the release's SBOM; said so in a note).

Remediations: ``vendor_fix`` naming the first later fixed release, and the VEX responses
(workaround, no fix planned, none available) with their details. Dates are injected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from soupwatch import __version__
from soupwatch.errors import ReportError
from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.model.vex import VexState
from soupwatch.report.csaf_parts import (
    STATUS_ORDER,
    cvss_v3,
    finding_status,
    references,
    revision_history,
    tracking_id,
)
from soupwatch.report.table import iso
from soupwatch.vex.mapping import RESPONSE_TO_REMEDIATION, label_for


@dataclass(frozen=True, slots=True)
class AdvisoryMeta:
    """Who publishes the advisory, its tracking data, and the injected clock."""

    now: datetime
    publisher: str
    namespace: str
    tracking_id: str | None = None
    status: str = "final"
    summary: str = "Initial version."
    previous: dict[str, Any] | None = None
    """The previous version of this advisory: its revision history is continued."""
    tlp: str = "WHITE"
    extra_notes: tuple[tuple[str, str], ...] = field(default=())


def _pid(product: str, release: str) -> str:
    return "CSAFPID-" + re.sub(r"[^A-Za-z0-9._-]+", "-", f"{product}-{release}").strip("-")


def _matches(f: AssessedFinding, vuln: str) -> bool:
    v = f.finding.vulnerability
    return vuln.upper() in {str(v.id).upper(), *(x.upper() for x in v.aliases)}


@dataclass(frozen=True, slots=True)
class ReleaseStatus:
    """One release's CSAF status for the vulnerability, with the findings behind it."""

    release: str
    product_id: str
    status: str
    findings: tuple[AssessedFinding, ...]


def release_statuses(
    product: str, vuln: str, assessments: Sequence[Assessment]
) -> list[ReleaseStatus]:
    """The status of every release, in the order given (oldest release first)."""
    out: list[ReleaseStatus] = []
    seen_affected = False
    for a in assessments:
        found = tuple(f for f in a.findings if _matches(f, vuln))
        if found:
            status = min((finding_status(f) for f in found), key=STATUS_ORDER.index)
        else:
            status = "fixed" if seen_affected else "known_not_affected"
        seen_affected = seen_affected or status in (
            "known_affected",
            "under_investigation",
            "fixed",
        )
        out.append(ReleaseStatus(a.release, _pid(product, a.release), status, found))
    if not any(r.findings for r in out):
        raise ReportError(
            f"no release of {product!r} has a finding for {vuln}; "
            "nothing to advise (check the id, or run soupwatch scan first)"
        )
    return out


def product_tree(product: str, vendor: str, statuses: Sequence[ReleaseStatus]) -> dict[str, Any]:
    """vendor → product_name → one product_version per release."""
    versions = [
        {
            "category": "product_version",
            "name": s.release,
            "product": {"product_id": s.product_id, "name": f"{vendor} {product} {s.release}"},
        }
        for s in statuses
    ]
    return {
        "branches": [
            {
                "category": "vendor",
                "name": vendor,
                "branches": [{"category": "product_name", "name": product, "branches": versions}],
            }
        ]
    }


def _product_status(statuses: Sequence[ReleaseStatus]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in statuses:
        out.setdefault(s.status, []).append(s.product_id)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _remediations(statuses: Sequence[ReleaseStatus]) -> list[dict[str, Any]]:
    rems: list[dict[str, Any]] = []
    for i, s in enumerate(statuses):
        if s.status not in ("known_affected", "under_investigation"):
            continue
        later = next((x for x in statuses[i + 1 :] if x.status == "fixed"), None)
        if later is not None:
            rems.append(
                {
                    "category": "vendor_fix",
                    "product_ids": [s.product_id],
                    "details": f"Update to release {later.release}, which is fixed.",
                }
            )
        for f in s.findings:
            if f.vex is None:
                continue
            for r in f.vex.responses:
                category = RESPONSE_TO_REMEDIATION[r]
                if category == "vendor_fix" and later is not None:
                    continue
                detail = f.vex.detail or f"{r.value.replace('_', ' ')} ({f.finding.component_name})"
                rems.append(
                    {"category": category, "product_ids": [s.product_id], "details": detail}
                )
        if not any(r["product_ids"] == [s.product_id] for r in rems):
            rems.append(
                {
                    "category": "none_available",
                    "product_ids": [s.product_id],
                    "details": "No fixed release is available yet; the manufacturer will "
                    "update this advisory.",
                }
            )
    return rems


def _flags_and_threats(
    statuses: Sequence[ReleaseStatus],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    flags: dict[str, list[str]] = {}
    threats: list[dict[str, Any]] = []
    for s in statuses:
        if s.status != "known_not_affected":
            continue
        closed = [
            f
            for f in s.findings
            if f.vex is not None and f.vex.state in (VexState.NOT_AFFECTED, VexState.FALSE_POSITIVE)
        ]
        for f in closed:
            assert f.vex is not None
            label = label_for(f.vex)
            if label:
                flags.setdefault(label, []).append(s.product_id)
        details = "; ".join(
            sorted({f.vex.detail or f.vex.state.value for f in closed if f.vex is not None})
        ) or ("No component of this release matched the vulnerability's affected versions.")
        threats.append({"category": "impact", "details": details, "product_ids": [s.product_id]})
    return (
        [{"label": k, "product_ids": sorted(set(v))} for k, v in sorted(flags.items())],
        threats,
    )


def _scores(statuses: Sequence[ReleaseStatus]) -> list[dict[str, Any]]:
    by_vector: dict[str, list[str]] = {}
    for s in statuses:
        for f in s.findings:
            if f.base_vector and f.base_vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
                by_vector.setdefault(f.base_vector, []).append(s.product_id)
    return [
        {"products": sorted(set(p)), "cvss_v3": cvss_v3(v)} for v, p in sorted(by_vector.items())
    ]


def _vulnerability(vuln: str, statuses: Sequence[ReleaseStatus]) -> dict[str, Any]:
    all_f = [f for s in statuses for f in s.findings]
    record = all_f[0].finding.vulnerability
    comps = sorted(
        {f"{f.finding.component_name} {f.finding.component_version or ''}".strip() for f in all_f}
    )
    notes = [
        {
            "category": "description",
            "title": "Vulnerability description",
            "text": record.summary or f"{vuln} (no description published).",
        },
        {
            "category": "details",
            "title": "Affected components",
            "text": "Matched components: " + ", ".join(comps) + ".",
        },
    ]
    context = [
        f"{s.release}: {f.finding.component_name} in-context score "
        f"{f.environmental_score if f.environmental_score is not None else 'n/a'}, "
        f"risk {f.risk.value}, {f.category.value}"
        for s in statuses
        for f in s.findings
    ]
    notes.append(
        {
            "category": "other",
            "title": "Risk in the device's context",
            "text": "; ".join(context) + ".",
        }
    )
    flags, threats = _flags_and_threats(statuses)
    v: dict[str, Any] = {}
    if re.fullmatch(r"CVE-\d{4}-\d{4,}", str(record.id)):
        v["cve"] = str(record.id)
    else:
        v["ids"] = [{"system_name": str(record.id).split("-")[0], "text": str(record.id)}]
    v["notes"] = notes
    v["product_status"] = _product_status(statuses)
    if record.published is not None:
        v["release_date"] = iso(record.published)
    if refs := references(record.references):
        v["references"] = refs
    v["remediations"] = _remediations(statuses)
    if scores := _scores(statuses):
        v["scores"] = scores
    if flags:
        v["flags"] = flags
    if threats:
        v["threats"] = threats
    if not v["remediations"]:
        del v["remediations"]
    return v


def _releases(names: Sequence[str]) -> str:
    word = "release" if len(names) == 1 else "releases"
    return f"{word} {', '.join(names)}"


def advisory_summary(
    product: str, vuln: str, affected: Sequence[str], fixed: Sequence[str], total: int
) -> str:
    """The advisory's one-paragraph summary, in plain words for every case."""
    if affected:
        text = f"{vuln} affects {product} {_releases(affected)}"
        text += f"; fixed in {_releases(fixed)}." if fixed else "; no release fixes it yet."
        return text
    if fixed:
        return f"{vuln} affected earlier {product} releases; it is fixed in {_releases(fixed)}."
    return (
        f"No {product} release is affected by {vuln} "
        f"({total} release{'' if total == 1 else 's'} checked)."
    )


def build_advisory(
    product: str, vuln: str, assessments: Sequence[Assessment], meta: AdvisoryMeta
) -> dict[str, Any]:
    """The CSAF document; ``assessments`` are the product's releases, oldest first."""
    statuses = release_statuses(product, vuln, assessments)
    now = iso(meta.now)
    assert now is not None
    history, version, initial = revision_history(meta.previous, now, meta.summary)
    affected = [
        s.release for s in statuses if s.status in ("known_affected", "under_investigation")
    ]
    fixed = [s.release for s in statuses if s.status == "fixed"]
    summary = advisory_summary(product, vuln, affected, fixed, len(statuses))
    doc_notes = [
        {"category": "summary", "title": "Summary", "text": summary},
        {
            "category": "general",
            "title": "How the status was determined",
            "text": "Each release's status comes from the manufacturer's software bill of "
            "materials "
            "matched against public vulnerability data and the manufacturer's recorded "
            "exploitability (VEX) decisions. 'Not affected' without a justification means "
            "no component of that release matched the affected versions.",
        },
    ]
    doc_notes += [{"category": "other", "title": t, "text": x} for t, x in meta.extra_notes]
    return {
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "lang": "en",
            "title": f"{product}: {vuln}",
            "publisher": {
                "category": "vendor",
                "name": meta.publisher,
                "namespace": meta.namespace,
            },
            "distribution": {"tlp": {"label": meta.tlp}},
            "notes": doc_notes,
            "tracking": {
                "id": meta.tracking_id or tracking_id(product, vuln),
                "status": meta.status,
                "version": version,
                "initial_release_date": initial,
                "current_release_date": now,
                "revision_history": history,
                "generator": {"engine": {"name": "soupwatch", "version": __version__}, "date": now},
            },
        },
        "product_tree": product_tree(product, meta.publisher, statuses),
        "vulnerabilities": [_vulnerability(vuln, statuses)],
    }
