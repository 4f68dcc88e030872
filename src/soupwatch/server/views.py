"""Read helpers the API and the dashboard share (one transaction each, JSON-able results)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from soupwatch.model import Severity
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import StoredFinding, load_findings
from soupwatch.vex.decisions import Decision, decisions_for

SEVERITY_ORDER = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def finding_json(sf: StoredFinding, decision: Decision | None) -> dict[str, Any]:
    """A stored finding with its lifecycle and the VEX decision that applies."""
    f, v = sf.finding, sf.finding.vulnerability
    closed_by_vex = decision is not None and decision.closes_finding
    return {
        "component_ref": f.component_ref,
        "component": f.component_name,
        "version": f.component_version,
        "vulnerability": v.id,
        "aliases": sorted(v.aliases),
        "severity": v.severity.value,
        "summary": v.summary,
        "kev": v.kev is not None,
        "kev_date_added": v.kev.date_added.isoformat() if v.kev else None,
        "epss": v.epss.score if v.epss else None,
        "fixed_versions": list(f.fixed_versions),
        "matched_by": f.match.by,
        "confidence": f.match.confidence,
        "first_seen": _iso(sf.first_seen),
        "fix_available": _iso(sf.fix_available),
        "resolved_at": _iso(sf.resolved_at),
        "resolved_by": sf.resolved_by,
        "vex_state": decision.statement.state.value if decision else None,
        "vex_justification": decision.statement.justification.value
        if decision and decision.statement.justification
        else None,
        "vex_needs_review": decision.needs_review if decision else False,
        "open": sf.is_open and not closed_by_vex,
    }


def release_findings(
    store: Store, product: str, release: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every stored finding of a release (open first, then by severity), with VEX state."""
    with store.session() as session:
        stored = load_findings(session, product, release)
        lookup = decisions_for(
            session, product, release, [s.finding for s in stored], now or datetime.now(UTC)
        )
    rows = [finding_json(s, lookup.for_finding(s.finding)) for s in stored]
    return sorted(
        rows,
        key=lambda r: (
            not r["open"],
            SEVERITY_ORDER.index(r["severity"]),
            r["component"],
            r["vulnerability"],
        ),
    )


def severity_counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    """Open findings per severity, most severe first (zeros kept, for stable columns)."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for f in findings:
        if f["open"]:
            counts[f["severity"]] += 1
    return counts


def portfolio(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per release of every product: open findings by severity, KEV count, totals."""
    with store.session() as session:
        products = inventory.list_products(session)
    out = []
    for product, versions in products:
        for version in versions:
            findings = release_findings(store, product.name, version, now)
            out.append(
                {
                    "product": product.name,
                    "manufacturer": product.manufacturer,
                    "release": version,
                    "open": sum(1 for f in findings if f["open"]),
                    "by_severity": severity_counts(findings),
                    "kev": sum(1 for f in findings if f["open"] and f["kev"]),
                    "total": len(findings),
                }
            )
    return out
