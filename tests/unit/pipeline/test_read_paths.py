"""The cheap read paths of the views (end-of-support rows, kept pages, kept counts) show what
the stored assessment holds, before and after it is recomputed, on both databases."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

from soupwatch import pipeline
from soupwatch.model import Finding, MatchEvidence, Product, Release, Vulnerability
from soupwatch.model.component import Component, ComponentRef, SupportLevel
from soupwatch.model.status import FindingFilter
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.model.vulnerability import CvssScore, VulnId
from soupwatch.store import assessments as repo
from soupwatch.store import inventory
from soupwatch.store.assessment_tables import AssessmentRow
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
MIGRATION = (
    Path(__file__).resolve().parents[3]
    / "src/soupwatch/store/migrations/versions/0022_read_indexes.py"
)


def _release(store: Store, product: str) -> None:
    comps = (
        Component(
            ref=ComponentRef("openssl"),
            name="openssl",
            version="1.0.1f",
            support_level=SupportLevel.NO_LONGER_MAINTAINED,
            end_of_support=date(2016, 12, 31),
            support_source="supplier letter",
        ),
        Component(
            ref=ComponentRef("zlib"),
            name="zlib",
            version="1.2.11",
            support_level=SupportLevel.ACTIVELY_MAINTAINED,
            end_of_support=date(2027, 6, 30),
        ),
        Component(ref=ComponentRef("busybox"), name="busybox", version="1.36.1"),
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


def _from_header(store: Store, product: str, now: datetime) -> list[tuple[object, ...]]:
    header = pipeline.assessment_header(store, product, "1.0", now=now)
    return sorted(
        (
            a.support.end_of_support,
            a.component.name,
            a.component.version,
            a.support.level.value,
            a.support.source,
            a.support_finding,
        )
        for a in header.components
        if a.support.end_of_support is not None
    )


def _shown(
    store: Store, now: datetime, products: frozenset[str] | None = None
) -> list[tuple[object, ...]]:
    return [
        (s.product, s.ends, s.name, s.version, s.level, s.source, s.finding)
        for s in pipeline.support_ends(store, products=products, now=now)
    ]


def test_end_of_support_rows_are_the_stored_headers(store: Store) -> None:
    _release(store, "pump")
    _release(store, "monitor")
    for now in (NOW, NOW + timedelta(days=1)):  # the next day: recomputed, rows replaced
        shown = _shown(store, now)
        assert [row[1] for row in shown] == sorted(row[1] for row in shown)  # soonest first
        for product in ("pump", "monitor"):
            mine = sorted(tuple(row[1:]) for row in shown if row[0] == product)
            assert mine == _from_header(store, product, now)
        assert len(shown) == 4  # two dated components per release, no leftovers
    assert {row[0] for row in _shown(store, NOW + timedelta(days=1), frozenset({"pump"}))} == {
        "pump"
    }


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0022", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_fills_the_rows_the_assessment_writes(store: Store) -> None:
    """Migration 0022 reads stored headers as plain JSON: the same rows as save_assessment."""
    _release(store, "pump")
    pipeline.portfolio(store, now=NOW)
    with store.session() as s:
        rid = inventory.release_id(s, "pump", "1.0")
        blob = s.get(AssessmentRow, rid).header  # type: ignore[union-attr]
        header = repo.load_header(s, rid)
    assert header is not None
    assert _migration()._rows(rid, blob) == repo.support_rows(rid, header.components)


def test_a_kept_page_gives_way_to_the_recomputed_assessment(store: Store) -> None:
    _release(store, "pump")
    first = pipeline.findings_page(store, "pump", "1.0", FindingFilter(open=True), now=NOW)
    again = pipeline.findings_page(store, "pump", "1.0", FindingFilter(open=True), now=NOW)
    assert (again.total, again.items) == (first.total, first.items) == (2, first.items)
    statement = VexStatement(
        vulnerability="CVE-2014-0160",
        state=VexState.NOT_AFFECTED,
        scope=VexScope.PRODUCT,
        product="pump",
        component_name="openssl",
        justification=VexJustification.CODE_NOT_REACHABLE,
        detail="the heartbeat extension is compiled out",
        author="psirt",
    )
    pipeline.record_decision(store, statement, actor="psirt", reason="review", now=NOW)
    after = pipeline.findings_page(store, "pump", "1.0", FindingFilter(open=True), now=NOW)
    assert after.total == 1 and after.summary.recomputed  # the decision made it stale
    kept = pipeline.findings_page(store, "pump", "1.0", FindingFilter(open=True), now=NOW)
    assert not kept.summary.recomputed and (kept.total, kept.items) == (1, after.items)
    assert [str(a.finding.vulnerability.id) for a in kept.items] == ["CVE-2016-2108"]
    summary = {s.release: s.counts for s in pipeline.portfolio(store, now=NOW)}
    assert summary["1.0"]["open"] == 1  # the kept counts follow the new assessment too
