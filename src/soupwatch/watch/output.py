"""The JSON shapes of a portfolio delta and an impact list (shared by the CLI and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from soupwatch.watch.delta import ChangedFinding, PortfolioDelta, ReleaseDelta
from soupwatch.watch.impact import ImpactRow


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def changed_json(c: ChangedFinding) -> dict[str, Any]:
    """One changed finding as JSON-able data."""
    return {
        "component_ref": c.component_ref,
        "component": c.component_name,
        "version": c.component_version,
        "vulnerability": c.vuln_id,
        "aliases": list(c.aliases),
        "severity": c.severity.value,
        "kev_date_added": _iso(c.kev_date_added),
        "fixed_versions": list(c.fixed_versions),
        "first_seen": _iso(c.first_seen),
    }


def release_json(r: ReleaseDelta) -> dict[str, Any]:
    """One release's delta as JSON-able data."""
    return {
        "product": r.product,
        "release": r.release,
        "open_findings": r.open_findings,
        "new": [changed_json(c) for c in r.new],
        "resolved": [changed_json(c) for c in r.resolved],
        "kev_added": [changed_json(c) for c in r.kev_added],
        "error": r.error,
    }


def delta_json(delta: PortfolioDelta) -> dict[str, Any]:
    """A portfolio delta as JSON-able data, releases in scan order."""
    return {
        "ran_at": _iso(delta.ran_at),
        "previous_run": _iso(delta.previous_run),
        "summary": {
            "releases": len(delta.releases),
            "new": delta.new,
            "resolved": delta.resolved,
            "kev_added": delta.kev_added,
            "failed": len(delta.failed),
        },
        "releases": [release_json(r) for r in delta.releases],
    }


def impact_json(rows: Sequence[ImpactRow]) -> list[dict[str, Any]]:
    """Impact rows as JSON-able data."""
    return [
        {
            "product": r.product,
            "release": r.release,
            "component_ref": r.component_ref,
            "component": r.component_name,
            "version": r.component_version,
            "vulnerability": r.vuln_id,
            "aliases": list(r.aliases),
            "severity": r.severity.value,
            "kev": r.kev,
            "fixed_versions": list(r.fixed_versions),
            "first_seen": _iso(r.first_seen),
            "resolved_at": _iso(r.resolved_at),
            "resolved_by": r.resolved_by,
            "vex_state": r.vex_state.value if r.vex_state else None,
            "vex_needs_review": r.vex_needs_review,
            "open": r.is_open,
        }
        for r in rows
    ]
