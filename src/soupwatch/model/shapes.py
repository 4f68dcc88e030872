"""The one JSON shape of each entity that soupwatch emits in more than one place.

``vulnerability_json`` is a finding's vulnerability as ``soupwatch scan --format json``
(the stable ``soupwatch-scan/1`` contract) writes it; ``assessed_finding_json`` extends it
with the finding's component, lifecycle status, in-context risk, FDA category, clocks and VEX
decision, and is what the REST API and the dashboard serve. Fields are only ever added.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from soupwatch.model.assessment import AssessedFinding
from soupwatch.model.vex import VexStatement
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
            "known_ransomware": v.kev.known_ransomware,
        },
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


def decision_summary_json(s: VexStatement | None, needs_review: bool) -> dict[str, Any] | None:
    """The VEX decision that reaches a finding, as a finding shows it."""
    if s is None:
        return None
    return {
        "id": s.id,
        "state": s.state.value,
        "justification": s.justification.value if s.justification else None,
        "detail": s.detail,
        "scope": s.scope.value,
        "author": s.author,
        "created": _iso(s.created),
        "expires": _iso(s.expires),
        "needs_review": needs_review,
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
        "reachable": a.reachable,
        "exposure": a.exposure,
        "nearest_safe_upgrade": a.nearest_safe_upgrade,
        "lifecycle": {
            "first_seen": _iso(a.first_seen),
            "fix_available": _iso(a.fix_available),
            "resolved_at": _iso(a.resolved_at),
        },
        "clocks": {"communicate_by": _iso(a.communicate_by), "fix_by": _iso(a.fix_by)},
        "vex": decision_summary_json(a.vex, a.vex_needs_review),
        "factors": [{"name": x.name, "value": x.value, "effect": x.effect} for x in a.factors],
    }
