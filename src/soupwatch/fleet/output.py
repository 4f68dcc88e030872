"""The JSON shapes of units, drift, check-ins, fleet impact and metrics (shared by the CLI and
the API), and the metrics as a report table (CSV, HTML and PDF through ``report/``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from soupwatch.fleet.impact import FleetImpact
from soupwatch.fleet.metrics import METHODS, Durations, MetricsRow
from soupwatch.fleet.status import UnitPatch
from soupwatch.fleet.units import CheckIn, ImportResult
from soupwatch.model.fleet import Drift, Unit, UnitMove
from soupwatch.report.render import html_to_pdf, render_html
from soupwatch.report.table import Cell, Column, Table, iso
from soupwatch.watch.output import impact_json


def unit_json(u: Unit) -> dict[str, Any]:
    """One unit as JSON-able data."""
    return {
        "serial": u.serial,
        "product": u.product,
        "release": u.release,
        "site": u.site,
        "customer": u.customer,
        "location": u.location,
        "network_zone": u.network_zone,
        "installed_on": iso(u.installed_on),
        "release_since": iso(u.release_since),
        "last_check_in": iso(u.last_check_in),
        "status": u.status.value,
    }


def move_json(m: UnitMove) -> dict[str, Any]:
    """One move between releases."""
    return {
        "from_release": m.from_release,
        "to_release": m.to_release,
        "moved_on": iso(m.moved_on),
        "how": m.how,
    }


def drift_json(d: Drift) -> dict[str, Any]:
    """One drift finding with its evidence."""
    return {
        "serial": d.serial,
        "product": d.product,
        "release": d.release,
        "component": d.component,
        "sbom_versions": list(d.expected),
        "reported_version": d.reported,
        "detected_at": iso(d.detected_at),
        "explanation": d.explanation,
    }


def patch_json(p: UnitPatch) -> dict[str, Any]:
    """A unit's status for one vulnerability."""
    return {"vulnerability": p.vuln_id, "status": p.status.value, "fixed_by": p.fixed_by}


def unit_detail_json(
    unit: Unit, moves: Sequence[UnitMove], patches: Sequence[UnitPatch], drift: Sequence[Drift]
) -> dict[str, Any]:
    """A unit with its moves, patch status per vulnerability and open drift."""
    return {
        **unit_json(unit),
        "moves": [move_json(m) for m in moves],
        "patch_status": [patch_json(p) for p in patches],
        "drift": [drift_json(d) for d in drift],
    }


def import_json(r: ImportResult) -> dict[str, Any]:
    """What an import stored."""
    return {
        "source": r.source,
        "units": r.units,
        "added": r.added,
        "updated": r.updated,
        "moves": r.moves,
    }


def check_in_json(c: CheckIn) -> dict[str, Any]:
    """What a check-in recorded."""
    return {
        "unit": unit_json(c.unit),
        "moved": None if c.move is None else move_json(c.move),
        "drift": [drift_json(d) for d in c.drift],
    }


def fleet_impact_json(vuln: str, found: FleetImpact, known: bool) -> dict[str, Any]:
    """``impact`` with its fleet: releases, units and sites."""
    return {
        "vulnerability": vuln,
        "known_to_feeds": known,
        "open": sum(1 for r in found.findings if r.is_open),
        "findings": impact_json(found.findings),
        "fleet": {
            "units": found.units,
            "units_exposed": found.units_exposed,
            "sites_exposed": [
                {"customer": s.customer, "site": s.site, "units": s.units} for s in found.sites
            ],
            "releases": [
                {
                    "product": r.product,
                    "release": r.release,
                    "open": r.open,
                    "units": r.units,
                    "sites": r.sites,
                }
                for r in found.releases
            ],
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _durations_json(d: Durations, method: str) -> dict[str, Any]:
    return {
        "n": d.n,
        "median_days": _round(d.median),
        "mean_days": _round(d.mean),
        "unknown": len(d.unknown),
        "unknown_items": sorted(d.unknown),
        "pending": len(d.pending),
        "pending_items": sorted(d.pending),
        "method": method,
    }


def metrics_json(rows: Sequence[MetricsRow], now: datetime) -> dict[str, Any]:
    """The metrics as JSON-able data, with each figure's method."""
    return {
        "computed_at": iso(now),
        "rows": [
            {
                "product": r.product,
                "site": r.site,
                "quarter": r.quarter,
                "vulnerabilities": len(r.vulnerabilities),
                "patched": {
                    "patched": r.patched.patched,
                    "fix_available_not_installed": r.patched.fix_not_installed,
                    "vulnerable": r.patched.vulnerable,
                    "share": None if r.patched.share is None else round(r.patched.share, 4),
                    "method": METHODS["patched"],
                },
                "identification_to_fix": _durations_json(
                    r.identification_to_fix, METHODS["identification_to_fix"]
                ),
                "fix_to_release": _durations_json(r.fix_to_release, METHODS["fix_to_release"]),
                "release_to_deployment": _durations_json(
                    r.release_to_deployment, METHODS["release_to_deployment"]
                ),
            }
            for r in rows
        ],
    }


FIGURES = {
    "patched": "share of findings patched",
    "identification_to_fix": "identification → fix available",
    "fix_to_release": "fix available → release",
    "release_to_deployment": "release → deployment",
}

COLUMNS = (
    Column("product", "Product", "The device model.", nullable=False),
    Column("site", "Site", "The site of the units, or (all sites).", nullable=False),
    Column(
        "quarter", "Quarter", "The quarter the vulnerabilities were identified in.", nullable=False
    ),
    Column("figure", "Figure", "What is measured (how: the Method column).", nullable=False),
    Column("n", "Measured", "Items measured (pairs counted, for the share).", "integer", False),
    Column("value", "Value", "The share patched (0–1), or the median in days.", "number"),
    Column("mean", "Mean days", "The mean in days (durations only).", "number"),
    Column(
        "unknown",
        "Unknown dates",
        "Items whose date was unknown: not measured, never guessed.",
        "integer",
        False,
    ),
    Column("unknown_items", "Unknown items", "Which items had an unknown date."),
    Column(
        "pending",
        "Pending",
        "Items not there yet (no fixing release; not deployed).",
        "integer",
        False,
    ),
    Column("method", "Method", "How the figure was computed.", nullable=False),
)


def metrics_table(rows: Sequence[MetricsRow]) -> Table:
    """One line per product, site, quarter and figure."""
    lines: list[dict[str, Cell]] = []
    for r in rows:
        base: dict[str, Cell] = {"product": r.product, "site": r.site, "quarter": r.quarter}
        lines.append(
            {
                **base,
                "figure": FIGURES["patched"],
                "n": r.patched.total,
                "value": None if r.patched.share is None else round(r.patched.share, 4),
                "mean": None,
                "unknown": 0,
                "unknown_items": None,
                "pending": 0,
                "method": METHODS["patched"],
            }
        )
        for key in ("identification_to_fix", "fix_to_release", "release_to_deployment"):
            d: Durations = getattr(r, key)
            lines.append(
                {
                    **base,
                    "figure": FIGURES[key],
                    "n": d.n,
                    "value": _round(d.median),
                    "mean": _round(d.mean),
                    "unknown": len(d.unknown),
                    "unknown_items": ", ".join(sorted(d.unknown)) or None,
                    "pending": len(d.pending),
                    "method": METHODS[key],
                }
            )
    return Table("fleet_metrics", "Postmarket metrics", COLUMNS, tuple(lines))


def metrics_csv(rows: Sequence[MetricsRow]) -> str:
    """The metrics as CSV (a cell starting with = + - @ is prefixed with ' against formula
    injection: site and customer names come from outside)."""
    table = metrics_table(rows)
    safe = tuple(
        {k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in line.items()}
        for line in table.rows
    )
    return Table(table.key, table.title, table.columns, safe).csv_text()


def metrics_html(rows: Sequence[MetricsRow], now: datetime) -> str:
    """The metrics as a self-contained HTML page (the report stage's templates)."""
    return render_html(
        "fleet_metrics.html.j2",
        {
            "table": metrics_table(rows),
            "computed_at": iso(now),
            "methods": METHODS,
            "figures": FIGURES,
        },
    )


def metrics_pdf(rows: Sequence[MetricsRow], now: datetime) -> bytes:
    """The metrics page printed to PDF."""
    return html_to_pdf(metrics_html(rows, now))
