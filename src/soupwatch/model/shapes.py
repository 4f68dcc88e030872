"""The one JSON shape of each entity that soupwatch emits in more than one place.

``vulnerability_json`` is a finding's vulnerability as ``soupwatch scan --format json``
(the stable ``soupwatch-scan/1`` contract) writes it; ``assessed_finding_json`` extends it
with the finding's component, lifecycle status, in-context risk, FDA category, clocks and VEX
decision, and is what the REST API and the dashboard serve. ``decision_json``,
``component_json`` and ``product_json`` are the one shape of a VEX decision, a component and
a product in the CLI's JSON and the API. Fields are only ever added.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from soupwatch.model.assessment import AssessedFinding
from soupwatch.model.component import Component, ComponentHit
from soupwatch.model.product import Product
from soupwatch.model.vex import Approval, DecisionComment, VexStatement
from soupwatch.model.vulnerability import Finding


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def vulnerability_json(f: Finding) -> dict[str, Any]:
    """A finding's vulnerability, its scores, KEV/EPSS, fixes and match evidence."""
    v = f.vulnerability
    return {
        "id": v.id,
        "aliases": list(v.aliases),
        "source": f.match.source,
        "severity": v.severity.value,
        "cvss": [
            {"version": c.version, "vector": c.vector, "score": c.score, "source": c.source}
            for c in sorted(v.cvss, key=lambda c: (c.version, c.source, c.vector))
        ],
        "kev": None
        if v.kev is None
        else {
            "date_added": v.kev.date_added.isoformat(),
            "due_date": _iso(v.kev.due_date),
            "known_ransomware": v.kev.known_ransomware,
        },
        "ssvc": [
            {
                "provider": s.provider,
                "exploitation": s.exploitation,
                "automatable": s.automatable,
                "technical_impact": s.technical_impact,
                "assessed_at": _iso(s.assessed_at),
            }
            for s in v.ssvc
        ],
        "epss": None
        if v.epss is None
        else {"score": v.epss.score, "percentile": v.epss.percentile},
        "fixed_versions": list(f.fixed_versions),
        "match": {
            "by": f.match.by,
            "criteria": f.match.criteria,
            "confidence": f.match.confidence,
            "explanation": f.match.explanation,
        },
        "other_matches": [
            {"by": m.by, "source": m.source, "criteria": m.criteria, "confidence": m.confidence}
            for m in f.other_matches
        ],
    }


def decision_json(s: VexStatement) -> dict[str, Any]:
    """A VEX decision (``vex list --format json``, ``/api/v1/vex``, the audit trail's values)."""
    return {
        "id": s.id,
        "vulnerability": s.vulnerability,
        "aliases": sorted(s.aliases),
        "state": s.state.value,
        "justification": s.justification.value if s.justification else None,
        "responses": [r.value for r in s.responses],
        "detail": s.detail,
        "author": s.author,
        "created": _iso(s.created),
        "expires": _iso(s.expires),
        "scope": s.scope.value,
        "product": s.product,
        "release": s.release,
        "component_name": s.component_name,
        "component_version": s.component_version,
        "component_purl": s.component_purl,
        "version": s.version,
        "approval": approval_json(s.approval),
    }


def approval_json(a: Approval | None) -> dict[str, Any] | None:
    """A decision's review verdict on its current version (None: not read from the store)."""
    if a is None:
        return None
    return {
        "state": a.state.value,
        "decision_version": a.decision_version,
        "by": a.by,
        "at": _iso(a.at),
        "reason": a.reason,
        "text": a.text(),
    }


def comment_json(c: DecisionComment) -> dict[str, Any]:
    """A comment on a VEX decision (``vex comments``, ``…/decisions/{id}/comments``)."""
    return {
        "id": c.id,
        "decision": c.decision_id,
        "decision_version": c.decision_version,
        "author": c.author,
        "at": _iso(c.at),
        "text": c.text,
    }


def component_json(c: Component) -> dict[str, Any]:
    """A component of a release (``components list --format json``, ``…/components``)."""
    return {
        "ref": c.ref,
        "name": c.name,
        "version": c.version,
        "type": c.type.value,
        "group": c.group,
        "purl": c.purl,
        "cpe": c.cpe,
        "supplier": c.supplier,
        "author": c.author,
        "licenses": list(c.licenses),
        "parent": c.parent,
        "depends_on": list(c.depends_on),
        "support_level": c.support_level.value,
        "end_of_support": _iso(c.end_of_support),
    }


def component_hit_json(h: ComponentHit) -> dict[str, Any]:
    """A component found across the portfolio (``inventory search``, ``/api/v1/components``)."""
    return {
        "product": h.product,
        "release": h.release,
        "ref": h.ref,
        "name": h.name,
        "version": h.version,
        "purl": h.purl,
        "cpe": h.cpe,
    }


def product_json(p: Product, releases: list[str]) -> dict[str, Any]:
    """A product with the versions of its releases (``products list``, ``/api/v1/products``)."""
    return {
        "name": p.name,
        "manufacturer": p.manufacturer,
        "device_class": p.device_class,
        "releases": releases,
    }


def assessed_finding_json(a: AssessedFinding) -> dict[str, Any]:
    """One assessed finding: the scan shape plus status, risk, category, clocks and VEX."""
    f = a.finding
    return {
        "priority": a.priority,
        "component": {
            "ref": f.component_ref,
            "name": f.component_name,
            "version": f.component_version,
            "purl": f.purl,
            "cpe": f.cpe,
        },
        "vulnerability": vulnerability_json(f),
        "summary": f.vulnerability.summary,
        "status": a.status.value,
        "open": a.is_open,
        "risk": a.risk.value,
        "category": a.category.value,
        "category_rationale": a.category_rationale,
        "scores": {
            "base": a.base_score,
            "base_vector": a.base_vector,
            "environmental": a.environmental_score,
            "environmental_vector": a.environmental_vector,
            "cvss4": a.cvss4_score,
            "cvss4_vector": a.cvss4_vector,
        },
        "ssvc": a.ssvc_decision,
        "exploitation": a.exploitation.value,
        "due": _iso(a.due),
        "reachable": a.reachable,
        "exposure": a.exposure,
        "nearest_safe_upgrade": a.nearest_safe_upgrade,
        "lifecycle": {
            "first_seen": _iso(a.first_seen),
            "fix_available": _iso(a.fix_available),
            "fix_available_source": a.fix_available_source,
            "resolved_at": _iso(a.resolved_at),
        },
        "clocks": {
            "communicate_by": _iso(a.communicate_by),
            "fix_by": _iso(a.fix_by),
            "kev_due": _iso(f.vulnerability.kev.due_date if f.vulnerability.kev else None),
        },
        "assessment": None
        if a.assessment_due is None
        else {"due": _iso(a.assessment_due), "owner": a.owner},
        "vex": None
        if a.vex is None
        else {**decision_json(a.vex), "needs_review": a.vex_needs_review},
        "factors": [{"name": x.name, "value": x.value, "effect": x.effect} for x in a.factors],
    }
