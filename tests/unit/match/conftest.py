"""Fixtures of the matcher tests: a query over real mirror records, built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.intel.interface import IntelQuery
from soupwatch.store.db import Store
from tests import synced
from tests.unit.match.mirror import MirrorQuery

CNA_IDS = ("CVE-2014-0160", "CVE-2022-3602", "CVE-2023-0286", "CVE-2024-26581")
EPSS_CSV = Path(__file__).resolve().parents[1] / "intel" / "data" / "epss_scores-2025-03-15.csv"
"""Hand-written EPSS scores (not real values) for CVE-2014-0160, CVE-2021-44228, …"""
OSV_FILES = (
    "AlmaLinux/9/all.zip::ALSA-2022:6224.json",
    "PyPI/all.zip::PYSEC-2018-35.json",
    "github-advisory-database/advisories/github-reviewed/2021/12/GHSA-jfh8-c2jp-5v3q/"
    "GHSA-jfh8-c2jp-5v3q.json",
)


@pytest.fixture(scope="session")
def mirror(feeds: Path) -> MirrorQuery:
    """IntelQuery over real NVD 2.0, CNA, OSV and KEV records read from the mirror."""
    if not (feeds / "nvd").is_dir():
        pytest.skip(f"feed mirror {feeds} not found")
    return MirrorQuery(feeds, CNA_IDS, OSV_FILES)


@pytest.fixture(scope="session")
def intel_store(
    feeds: Path, templates: synced.Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A SQLite store loaded once per test run from the whole mirror through the feeds.

    A copy of the run's synced template (every feed but EOL; the mirror has no EPSS), so the
    xdist workers sync the mirror once between them.
    """
    from soupwatch.intel.sync import feed_names, sync_all

    if not (feeds / "nvd").is_dir():
        pytest.skip(f"feed mirror {feeds} not found")
    home = tmp_path_factory.mktemp("intel")
    sources = [n for n in feed_names() if n not in ("eol", "epss")]
    url = templates.sqlite_copy(sources, home / "intel.db")
    store = Store.open(Settings(home=home, database_url=url))
    # the mirror has no EPSS file: import the hand-written one (tests/unit/intel/data/README.md)
    epss_mirror = home / "epss-mirror"
    (epss_mirror / "epss").mkdir(parents=True)
    (epss_mirror / "epss" / EPSS_CSV.name).write_bytes(EPSS_CSV.read_bytes())
    outcome = sync_all(store, mirror=epss_mirror, sources=["epss"])
    assert not outcome.failures, outcome.failures
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def intel(intel_store: Store) -> Iterator[IntelQuery]:
    """The store-backed IntelQuery over the loaded mirror."""
    with intel_store.session() as session:
        yield intel_store.intel(session)
