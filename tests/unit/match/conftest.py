"""Fixtures of the matcher tests: a query over real mirror records, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.match.mirror import MirrorQuery

CNA_IDS = ("CVE-2014-0160", "CVE-2022-3602", "CVE-2023-0286", "CVE-2024-26581")
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
