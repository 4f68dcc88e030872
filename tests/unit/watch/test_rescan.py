"""rescan_portfolio and impact on the real mirror feeds and the example SBOMs, both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from soupwatch.errors import ConfigError, StoreError
from soupwatch.model import ComponentRef
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.pipeline import load_target, store_document, sync_feeds
from soupwatch.store.db import Store
from soupwatch.store.watch_tables import last_run
from soupwatch.vex.decisions import set_decision
from soupwatch.watch import impact, known_to_feeds, rescan_portfolio

from .conftest import BASE_FEEDS, T0, old_openssl_sbom

HEARTBLEED = "CVE-2014-0160"


@pytest.mark.synced(*BASE_FEEDS)
def test_second_rescan_reports_nothing_new(portfolio: Store) -> None:
    first = rescan_portfolio(portfolio, now=T0)
    assert first.previous_run is None
    assert [(r.product, r.release) for r in first.releases] == [
        ("glucose-monitor", "1.0"),
        ("infusion-pump", "1.0"),
    ]
    assert first.new > 0 and first.new == sum(r.open_findings for r in first.releases)
    assert not first.failed
    second = rescan_portfolio(portfolio, now=T0 + timedelta(hours=1))
    assert second.previous_run == T0
    assert (second.new, second.resolved, second.kev_added) == (0, 0, 0)
    assert [r.open_findings for r in second.releases] == [r.open_findings for r in first.releases]
    with portfolio.session() as session:
        assert last_run(session) == T0 + timedelta(hours=1)


@pytest.mark.synced(*BASE_FEEDS)
def test_old_openssl_release_brings_heartbleed_then_kev(
    portfolio: Store, feeds: Path, tmp_path: Path
) -> None:
    rescan_portfolio(portfolio, now=T0)
    doc = load_target(old_openssl_sbom(tmp_path))
    store_document(portfolio, doc, "infusion-pump", "0.9", source="old", now=T0)
    delta = rescan_portfolio(portfolio, now=T0 + timedelta(days=1))
    changed = {(r.product, r.release): r for r in delta.releases if r.changed}
    assert list(changed) == [("infusion-pump", "0.9")]
    new = {c.vuln_id: c for c in changed[("infusion-pump", "0.9")].new}
    assert HEARTBLEED in new
    assert new[HEARTBLEED].component_name == "openssl"
    assert new[HEARTBLEED].component_version == "1.0.1f"
    assert new[HEARTBLEED].kev_date_added is None  # KEV not synced yet
    # CISA KEV lands: Heartbleed (already open) is reported as newly known-exploited.
    assert not sync_feeds(portfolio, mirror=feeds, sources=["kev"]).failures
    kev_run = rescan_portfolio(portfolio, now=T0 + timedelta(days=2))
    assert kev_run.new == 0
    kev = {(r.release, c.vuln_id) for r in kev_run.releases for c in r.kev_added}
    assert ("0.9", HEARTBLEED) in kev
    assert all(c.kev_date_added for r in kev_run.releases for c in r.kev_added)
    again = rescan_portfolio(portfolio, now=T0 + timedelta(days=3))
    assert (again.new, again.kev_added, again.resolved) == (0, 0, 0)
    # The release goes back to 1.1.1k: the OpenSSL findings are resolved by the re-scan.
    from tests.unit.watch.conftest import EXAMPLES

    fixed = load_target(EXAMPLES / "infusion-pump.cdx.json")
    store_document(portfolio, fixed, "infusion-pump", "0.9", source="fixed", now=T0)
    back = rescan_portfolio(portfolio, now=T0 + timedelta(days=4), products=["infusion-pump"])
    resolved = {c.vuln_id for r in back.releases for c in r.resolved}
    assert HEARTBLEED in resolved and back.new == 0


@pytest.mark.synced(*BASE_FEEDS)
def test_impact_lists_heartbleed_with_vex_state(portfolio: Store, tmp_path: Path) -> None:
    store_document(
        portfolio,
        load_target(old_openssl_sbom(tmp_path)),
        "infusion-pump",
        "0.9",
        source="old",
        now=T0,
    )
    rescan_portfolio(portfolio, now=T0)
    rows = impact(portfolio, HEARTBLEED.lower(), now=T0)
    assert [(r.product, r.release, r.component_name, r.component_version) for r in rows] == [
        ("infusion-pump", "0.9", "openssl", "1.0.1f")
    ]
    assert rows[0].is_open and rows[0].vex_state is None
    with portfolio.session() as session:
        set_decision(
            session,
            VexStatement(
                vulnerability=HEARTBLEED,
                state=VexState.NOT_AFFECTED,
                scope=VexScope.RELEASE,
                product="infusion-pump",
                release="0.9",
                component_name="openssl",
                component_version="1.0.1f",
                justification=VexJustification.CODE_NOT_REACHABLE,
                detail="heartbeat extension compiled out (OPENSSL_NO_HEARTBEATS)",
                author="psirt@example.com",
            ),
            actor="test",
            reason="build flags reviewed",
            now=T0,
        )
    (row,) = impact(portfolio, HEARTBLEED, now=T0)
    assert row.vex_state is VexState.NOT_AFFECTED and not row.is_open
    assert row.component_ref == ComponentRef("openssl-1.0.1f")
    assert impact(portfolio, "CVE-1999-99999", now=T0) == []
    assert known_to_feeds(portfolio, "cve-2014-0160")
    assert not known_to_feeds(portfolio, "CVE-1999-99999")


@pytest.mark.parametrize("bad", ["", "heartbleed", "CVE-2014-0160; drop table", "x" * 200])
def test_impact_refuses_what_is_not_an_id(store: Store, bad: str) -> None:
    with pytest.raises(ConfigError, match="not a vulnerability id"):
        impact(store, bad)


def test_unknown_product_is_an_error_and_records_nothing(store: Store) -> None:
    with pytest.raises(StoreError, match="no product named 'nope'"):
        rescan_portfolio(store, now=T0, products=["nope"])
    with store.session() as session:
        assert last_run(session) is None
