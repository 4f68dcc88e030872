"""Helpers the sections share: ordering, component lookup, wording of VEX decisions."""

from __future__ import annotations

from soupwatch.model.assessment import AssessedFinding, Assessment, RiskLevel
from soupwatch.model.component import Component

RISK_ORDER: dict[RiskLevel, int] = {
    RiskLevel.CRITICAL: 0,
    RiskLevel.HIGH: 1,
    RiskLevel.MEDIUM: 2,
    RiskLevel.LOW: 3,
    RiskLevel.NONE: 4,
}


def finding_sort_key(f: AssessedFinding) -> tuple[int, float, str, str, str]:
    """Worst first: in-context risk, then base score, then ids for a stable order."""
    score = f.base_score if f.base_score is not None else -1.0
    return (
        RISK_ORDER[f.risk],
        -score,
        str(f.finding.vulnerability.id),
        f.finding.component_name,
        f.finding.component_version or "",
    )


def sorted_findings(a: Assessment) -> list[AssessedFinding]:
    """The assessment's findings, worst first."""
    return sorted(a.findings, key=finding_sort_key)


def components_by_ref(a: Assessment) -> dict[str, Component]:
    """Components keyed by ref."""
    return {ac.component.ref: ac.component for ac in a.components}


def vex_status(f: AssessedFinding) -> str:
    """The VEX state, or ``not yet triaged`` when no decision exists."""
    if f.vex is None:
        return "not yet triaged"
    return f.vex.state.value


def control_or_fix(f: AssessedFinding) -> str:
    """What controls or fixes the finding, in words: VEX response and detail, else the upgrade."""
    parts: list[str] = []
    if f.vex is not None and f.vex.responses:
        parts.append("response: " + ", ".join(r.value for r in f.vex.responses))
    if f.vex is not None and f.vex.detail:
        parts.append(f.vex.detail)
    if f.nearest_safe_upgrade:
        parts.append(f"upgrade to {f.nearest_safe_upgrade}")
    elif f.fixed_versions:
        parts.append("fixed in " + ", ".join(f.fixed_versions))
    if not parts:
        parts.append("no fix known")
    return "; ".join(parts)


def days_between(start: object, end: object) -> float | None:
    """Whole-day-rounded duration in days between two datetimes, or None if either is missing."""
    from datetime import datetime

    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return None
    return round((end - start).total_seconds() / 86400.0, 1)
