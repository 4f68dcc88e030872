"""The main job end to end on real feeds: SBOM → release → findings → assessment → package."""

from __future__ import annotations

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
MIRRORED_FEEDS = ("nvd", "nvd-legacy", "osv", "cve5", "kev", "eol")


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
    assert result.counts.findings > 100 and result.counts.open < result.counts.findings
    names = {p.name for p in result.files}
    assert {"report.html", "assessment.json", "sbom.cdx.json", "sbom.spdx.json"} <= names
    doc = json.loads((tmp_path / "fda" / "assessment.json").read_text())
    assert doc["product"] == "infusion-pump" and doc["release"] == "3.2.0"
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
