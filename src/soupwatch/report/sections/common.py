"""Helpers the sections share: ordering, component lookup, wording of VEX decisions."""

from __future__ import annotations

from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.model.component import Component


def sorted_findings(a: Assessment) -> list[AssessedFinding]:
    """The assessment's findings in its one priority order (``soupwatch.risk.priority_key``:
    exploitation evidence first, then FDA category, then in-context risk)."""
    return sorted(a.findings, key=lambda f: f.priority)


def components_by_ref(a: Assessment) -> dict[str, Component]:
    """Components keyed by ref."""
    return {ac.component.ref: ac.component for ac in a.components}


def vex_status(f: AssessedFinding) -> str:
    """The VEX state with its review (``not_affected (approved by carol on 2026-12-02)``,
    ``exploitable (not yet approved)``), or ``not yet triaged`` when no decision exists."""
    if f.vex is None:
        return "not yet triaged"
    review = f.vex.approval.text() if f.vex.approval is not None else "not yet approved"
    return f"{f.vex.state.value} ({review})"


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
