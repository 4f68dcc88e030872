"""Stored assessments: recomputed exactly when one of their inputs changes, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from soupwatch import pipeline
from soupwatch.model import Finding, MatchEvidence, Product, Release, Vulnerability
from soupwatch.model.component import Component, ComponentRef
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.model.vulnerability import CvssScore, VulnId
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def _release(store: Store, product: str) -> None:
    comps = (
        Component(ref=ComponentRef("openssl"), name="openssl", version="1.0.1f"),
        Component(ref=ComponentRef("zlib"), name="zlib", version="1.2.11"),
    )
    vulns = [
        Vulnerability(VulnId(v), cvss=(CvssScore("3.1", VECTOR, 7.5, "nvd"),))
        for v in ("CVE-2014-0160", "CVE-2016-2108")
    ]
    how = MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "cpe range", 1.0)
    findings = [Finding(ComponentRef("openssl"), "openssl", "1.0.1f", v, how) for v in vulns]
    with store.session() as s:
        inventory.save_release(s, Product(product), Release(product, "1.0", comps))
        save_findings(s, product, "1.0", findings, NOW)


def _recomputed(store: Store, now: datetime = NOW) -> dict[str, bool]:
    return {s.product: s.recomputed for s in pipeline.portfolio(store, now=now)}


def _decide(store: Store, product: str | None, scope: VexScope) -> None:
    statement = VexStatement(
        vulnerability="CVE-2014-0160",
        state=VexState.NOT_AFFECTED,
        scope=scope,
        product=product,
        component_name="openssl",
        component_version="1.0.1f" if scope is VexScope.COMPONENT else None,
        justification=VexJustification.CODE_NOT_REACHABLE,
        detail="the heartbeat extension is compiled out",
        author="psirt",
    )
    pipeline.record_decision(store, statement, actor="psirt", reason="review", now=NOW)


def test_only_what_a_change_touches_is_recomputed(store: Store) -> None:
    _release(store, "pump")
    _release(store, "monitor")
    assert _recomputed(store) == {"pump": True, "monitor": True}  # first view: made and stored
    assert _recomputed(store) == {"pump": False, "monitor": False}  # then read

    _decide(store, "pump", VexScope.PRODUCT)  # one product's decision: that product only
    assert _recomputed(store) == {"pump": True, "monitor": False}
    counts = {s.product: s.counts for s in pipeline.portfolio(store, now=NOW)}
    assert counts["pump"]["open"] == 1 and counts["monitor"]["open"] == 2
    assert counts["pump"]["by_status"]["closed"] == 1

    _decide(store, None, VexScope.COMPONENT)  # a component-wide decision reaches every product
    assert _recomputed(store) == {"pump": True, "monitor": True}

    pipeline.scan_release(store, "monitor", "1.0", now=NOW)  # a re-scan: that release
    assert _recomputed(store) == {"pump": False, "monitor": True}

    assert _recomputed(store, NOW + timedelta(days=1)) == {"pump": True, "monitor": True}  # a day


def test_every_view_reads_the_stored_assessment(store: Store) -> None:
    _release(store, "pump")
    made = pipeline.assessment(store, "pump", "1.0", now=NOW)
    again = pipeline.assessment(store, "pump", "1.0", now=NOW)
    assert again == made  # decoded from the store, equal field for field
    summary = pipeline.release_summary(store, "pump", "1.0", now=NOW)
    assert not summary.recomputed and summary.counts == made.counts.as_dict()
    header = pipeline.assessment_header(store, "pump", "1.0", now=NOW)
    assert header.findings == () and header.components == made.components
