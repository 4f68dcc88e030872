"""The main job end to end on real feeds: SBOM → release → findings → assessment → package."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import ROOT

from soupwatch.pipeline import run_main_job, unsynced_feeds
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import load_findings

EXAMPLES = ROOT / "examples"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MIRRORED_FEEDS = ("nvd", "nvd-legacy", "osv", "cve5", "vulnrichment", "kev", "eol")


# The store starts with every mirrored feed synced (a template's copy), so the job syncs only
# what is missing (EPSS, which the mirror lacks); syncing an empty store from scratch is
# covered end to end by tests/e2e/test_run_cli.py and the intel tests.
@pytest.mark.slow
@pytest.mark.synced(*MIRRORED_FEEDS)
def test_main_job_on_the_example_pump(store: Store, feeds: Path, tmp_path: Path) -> None:
    steps: list[str] = []
    result = run_main_job(
        store,
        target=EXAMPLES / "infusion-pump.cdx.json",
        profile_path=EXAMPLES / "infusion-pump.profile.yaml",
        product="infusion-pump",
        release="3.2.0",
        out=tmp_path / "fda",
        mirror=feeds,
        pdf=False,
        kernel_config=EXAMPLES / "infusion-pump.kconfig",
        now=NOW,
        step=steps.append,
    )
    assert [s.split()[0] for s in steps] == [
        "reading", "syncing", "matching", "triaging", "assessing", "writing",
    ]  # fmt: skip
    assert unsynced_feeds(store) in ([], ["epss"])  # the mirror has no EPSS file
    assert result.counts.components == 14
    kt = result.kernel_triage  # the 5.10.52 kernel is judged with the bundled map of its series
    assert kt is not None and kt.map_series == "5.10" and not kt.series_mismatch
    assert result.counts.findings > 100 and result.counts.open < result.counts.findings
    names = {p.name for p in result.files}
    assert {"report.html", "assessment.json", "sbom.cdx.json", "sbom.spdx.json"} <= names
    doc = json.loads((tmp_path / "fda" / "assessment.json").read_text())
    assert doc["product"] == "infusion-pump" and doc["release"] == "3.2.0"
    assert any(c["text"].startswith("kernel findings judged") for c in doc["coverage"])
    _headline_is_explained(tmp_path / "fda", result.counts.as_dict(), result.notes)
    with store.session() as s:
        found = {f.finding.vulnerability.id for f in load_findings(s, "infusion-pump", "3.2.0")}
    assert "CVE-2022-39176" in found  # BlueZ 5.55, from NVD's CPE configuration
    assert "CVE-2022-35737" in found  # SQLite 3.31.1

    # Running again re-imports the release: findings keep their first-seen time.
    later = datetime(2026, 12, 5, tzinfo=UTC)
    run_main_job(
        store,
        target=EXAMPLES / "infusion-pump.cdx.json",
        profile_path=EXAMPLES / "infusion-pump.profile.yaml",
        product="infusion-pump",
        release="3.2.0",
        out=tmp_path / "fda2",
        mirror=feeds,
        pdf=False,
        now=later,
    )
    with store.session() as s:
        stored = load_findings(s, "infusion-pump", "3.2.0")
        assert inventory.list_releases(s, "infusion-pump") == ["3.2.0"]
    bluez = [f for f in stored if f.finding.vulnerability.id == "CVE-2022-39176"]
    assert bluez and bluez[0].first_seen is not None
    assert bluez[0].first_seen.replace(tzinfo=UTC) == NOW


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _headline_is_explained(out: Path, counts: dict[str, object], notes: tuple[str, ...]) -> None:
    """Each number of the summary is traceable to CSV rows; clocks and fix dates are honest."""
    rows = _csv(out / "vulnerability-assessment.csv")
    anomalies = _csv(out / "unresolved-anomalies.csv")
    groups = _csv(out / "finding-groups.csv")
    detail = _csv(out / "metrics-detail.csv")
    kev_ids = {r["Vulnerability"] for r in rows if r["KEV"].startswith("yes")}
    assert len(rows) == counts["findings"]
    assert len(anomalies) == counts["open"]  # open = not closed by a decision
    assert (
        sum(int(g["Findings"]) for g in groups if g["FDA category"] == "uncontrolled")
        == (counts["uncontrolled"])
    )
    awaiting = [g for g in groups if g["FDA category"] == "awaiting assessment"]
    assert sum(int(g["Findings"]) for g in awaiting) == counts["awaiting_assessment"]
    assert (
        sum(1 for r in anomalies if r["Anomaly (vulnerability)"] in kev_ids) == (counts["kev_open"])
    )
    # Every group lists all its identifiers; awaiting ones have an owner and an assess-by date.
    assert all(len(g["Vulnerabilities"].split()) == int(g["Findings"]) for g in groups)
    assert all(g["Owner"] and g["Assess by"] for g in awaiting)
    # Every uncontrolled finding cites its exploitation evidence with its source.
    for r in rows:
        if r["Controlled?"] == "uncontrolled" and r["VEX status"] == "not yet triaged":
            assert any(
                s in r["Rationale"] for s in ("CISA KEV", "CISA-ADP SSVC", "vector by", "exploit")
            ), r["Rationale"]
    # No clock precedes first identification; no fix date is the identification time.
    first = {(d["Vulnerability"], d["Component"]): d["Identified"][:10] for d in detail}
    for r in rows:
        seen = first.get((r["Vulnerability"], r["Component"]))
        for clock in (r["Communicate by"], r["Fix due"]):
            assert not clock or not seen or clock >= seen, (r["Vulnerability"], clock, seen)
    for d in detail:
        assert d["Fix available"] != d["Identified"], d
        assert bool(d["Fix available"]) == bool(d["Fix date source"]), d
    # The data's gaps are said out loud (this mirror has no EPSS and only 29 NVD records).
    assert any("epss" in n and n.startswith("warning") for n in notes)
    assert any(n.startswith("to assess: linux") for n in notes)
