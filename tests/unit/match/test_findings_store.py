"""Findings store on SQLite and PostgreSQL: lifecycle timestamps, carry-over, VEX resolution."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from soupwatch.errors import StoreError
from soupwatch.model import (
    ComponentRef,
    CvssScore,
    Epss,
    Finding,
    KevEntry,
    MatchEvidence,
    Product,
    Release,
    Vulnerability,
    VulnId,
)
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import load_findings, mark_resolved, save_findings
from soupwatch.store.inventory import save_release

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def finding(ref: str, vuln: str, version: str = "1.0.1f", fixed: tuple[str, ...] = ()) -> Finding:
    v = Vulnerability(
        id=VulnId(vuln),
        aliases=("GHSA-x",),
        cvss=(CvssScore("3.1", "AV:N/AC:L", 7.5, "nvd"),),
        kev=KevEntry(vuln, date(2022, 5, 4)),
        epss=Epss(vuln, 0.94, 0.99, "v2025", date(2025, 8, 1)),
    )
    ev = MatchEvidence(
        "cna-range", "cna:openssl", "openssl 1.0.1f", "affected: 1.0.1 < 1.0.1g", 0.95
    )
    return Finding(
        ComponentRef(ref),
        "openssl",
        version,
        v,
        ev,
        fixed,
        (MatchEvidence("cpe", "nvd", "q", "c", 0.9),),
        purl=None,
        cpe=None,
    )


@pytest.fixture
def releases(store: Store) -> Store:
    with store.session() as s:
        save_release(s, Product("Pump"), Release("Pump", "1.0"))
        save_release(s, Product("Pump"), Release("Pump", "2.0"))
    return store


def test_round_trip_and_rescan_lifecycle(releases: Store) -> None:
    a, b = finding("c1", "CVE-2014-0160", fixed=("1.0.1g",)), finding("c1", "CVE-2016-2108")
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [a, b], T0)
    with releases.session() as s:
        stored = load_findings(s, "Pump", "1.0")
    assert [x.finding for x in stored] == [a, b]
    # No fix date from the advisory data: unknown, never the scan time (risk/fixdate.py dates it).
    assert stored[0].first_seen == T0 and stored[0].fix_available is None
    assert stored[1].fix_available is None and all(x.is_open for x in stored)
    t1 = T0 + timedelta(days=3)
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [a], t1)
        stored = load_findings(s, "Pump", "1.0")
    assert stored[0].first_seen == T0 and stored[0].last_seen == t1
    assert stored[1].resolved_at == t1 and stored[1].resolved_by == "rescan"
    t2 = t1 + timedelta(days=1)
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [a, b], t2)
        again = load_findings(s, "Pump", "1.0")[1]
    assert again.is_open and again.first_seen == T0


def test_first_seen_carried_to_later_release_and_fix_dates(releases: Store) -> None:
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [finding("c1", "CVE-2014-0160")], T0)
    later = T0 + timedelta(days=30)
    fix_day = T0 - timedelta(days=400)
    with releases.session() as s:
        save_findings(
            s,
            "Pump",
            "2.0",
            [
                finding("other-ref", "CVE-2014-0160", fixed=("1.0.1g",)),
                finding("c2", "CVE-2014-0160", version="1.0.2"),
            ],
            later,
            fix_dates={("CVE-2014-0160", "1.0.1g"): fix_day},
        )
        stored = {x.finding.component_ref: x for x in load_findings(s, "Pump", "2.0")}
    assert stored[ComponentRef("other-ref")].first_seen == T0  # same name+version+vuln
    assert stored[ComponentRef("other-ref")].fix_available == fix_day
    assert stored[ComponentRef("c2")].first_seen == later  # another version: new


def test_vex_resolution_survives_rescan(releases: Store) -> None:
    a = finding("c1", "CVE-2014-0160")
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [a], T0)
        mark_resolved(s, "Pump", "1.0", "CVE-2014-0160", "c1", T0 + timedelta(hours=1))
    with releases.session() as s:
        save_findings(s, "Pump", "1.0", [a], T0 + timedelta(days=1))
        stored = load_findings(s, "Pump", "1.0")[0]
    assert stored.resolved_by == "vex" and stored.resolved_at == T0 + timedelta(hours=1)


def test_bad_input_names_the_place_and_stores_nothing(releases: Store) -> None:
    with pytest.raises(StoreError, match=r"no release '9\.9'"), releases.session() as s:
        save_findings(s, "Pump", "9.9", [finding("c1", "CVE-1")], T0)
    with (
        pytest.raises(StoreError, match="duplicate finding CVE-1 for component c1"),
        releases.session() as s,
    ):
        save_findings(
            s,
            "Pump",
            "1.0",
            [finding("c0", "CVE-0"), finding("c1", "CVE-1"), finding("c1", "CVE-1")],
            T0,
        )
    with releases.session() as s:
        assert load_findings(s, "Pump", "1.0") == []
    with (
        pytest.raises(StoreError, match="no finding CVE-2 for component c9"),
        releases.session() as s,
    ):
        mark_resolved(s, "Pump", "1.0", "CVE-2", "c9", T0)
