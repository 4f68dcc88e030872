"""Read helpers the API and the dashboard share (one transaction each, JSON-able results)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soupwatch.errors import SoupwatchError
from soupwatch.model import Severity
from soupwatch.model.assessment import PostmarketCategory, RiskLevel
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import StoredFinding, load_findings
from soupwatch.vex.decisions import Decision, decisions_for

if TYPE_CHECKING:
    from soupwatch.risk.profile import DeviceProfile

SEVERITY_ORDER = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
RISK_ORDER = tuple(r.value for r in RiskLevel)


def profiles_by_product(folder: Path) -> tuple[dict[str, DeviceProfile], list[str]]:
    """Device profiles of the folder by the product they name, and one line per bad file."""
    from soupwatch.risk.profile import load_profile

    found: dict[str, DeviceProfile] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.profile.yaml")) if folder.is_dir() else []:
        try:
            profile = load_profile(path)
        except SoupwatchError as err:
            problems.append(str(err))
            continue
        if profile.product:
            found.setdefault(profile.product, profile)
    return found, problems


def risk_counts(
    store: Store, product: str, release: str, profile: DeviceProfile, now: datetime
) -> dict[str, Any]:
    """Open findings per in-context risk level, and how many are uncontrolled (FDA sense)."""
    from soupwatch import pipeline

    result = pipeline.assess(store, product, release, profile, now=now)
    counts = dict.fromkeys(RISK_ORDER, 0)
    uncontrolled = 0
    for a in result.findings:
        if a.is_open and a.resolved_at is None:
            counts[a.risk.value] += 1
            uncontrolled += a.category is PostmarketCategory.UNCONTROLLED
    return {"profile": profile.name, "by_risk": counts, "uncontrolled": uncontrolled}


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


def portfolio(
    store: Store, profiles: dict[str, DeviceProfile], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per release: open findings by severity and (with a profile) by in-context risk, KEV."""
    when = now or datetime.now(UTC)
    with store.session() as session:
        products = inventory.list_products(session)
    out = []
    for product, versions in products:
        profile = profiles.get(product.name)
        for version in versions:
            findings = release_findings(store, product.name, version, when)
            risk = risk_counts(store, product.name, version, profile, when) if profile else None
            out.append(
                {
                    "risk": risk,
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
