"""NVD 2.0, NVD 1.1 and OSV imports from the real mirror, read back through StoreIntelQuery."""

from __future__ import annotations

from pathlib import Path

import pytest

from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store


@pytest.mark.slow  # syncs NVD and OSV itself: that is what it tests
def test_nvd_and_osv_import_and_query(store: Store, feeds: Path) -> None:
    outcome = sync_all(store, mirror=feeds, sources=["nvd", "nvd-legacy", "osv"])
    assert outcome.failures == ()
    counts = {r.source: r.records for r in outcome.results}
    assert counts["nvd"] == 29
    # 3,100 subset + 2,228 modified + 513 recent, minus records that a newer copy replaced
    assert counts["osv"] == 2661 + 132 + 3237 + 1783 + 660 + 5
    with store.session() as session:
        query = store.intel(session)
        cpe = query.cpe_candidates([("Treck", "TCP\\/IP"), ("openssl", "openssl")])
        treck = {c.vuln_id for c in cpe[("treck", "tcp\\/ip")]}
        assert {"CVE-2020-11896", "CVE-2020-11901"} <= treck
        heartbleed = next(c for c in cpe[("openssl", "openssl")] if c.vuln_id == "CVE-2014-0160")
        ranges = [
            m
            for cfg in heartbleed.configurations
            for n in cfg["nodes"]
            for m in n["cpeMatch"]
            if m["criteria"].startswith("cpe:2.3:a:openssl:openssl:")
        ]
        # the API 2.0 record (newer) wins over the legacy 1.1 copy of Heartbleed
        assert [(m.get("versionStartIncluding"), m.get("versionEndExcluding")) for m in ranges] == [
            ("1.0.1", "1.0.1g")
        ]

        osv = query.osv_candidates(
            [
                ("PyPI", "Django"),
                ("AlmaLinux:9", "openssl"),
                ("Maven", "org.apache.logging.log4j:log4j-core"),
            ]
        )
        assert any(c.vuln_id == "PYSEC-2014-1" for c in osv[("PyPI", "Django")])
        assert osv[("AlmaLinux:9", "openssl")]
        log4shell = osv[("Maven", "org.apache.logging.log4j:log4j-core")]
        assert {c.vuln_id for c in log4shell} == {"GHSA-jfh8-c2jp-5v3q"}  # 3 affected items
        assert "CVE-2021-44228" in log4shell[0].aliases

        vulns = query.vulnerabilities(["CVE-2014-0160", "CVE-2020-11896", "NOPE-1"])
        assert set(vulns) == {"CVE-2014-0160", "CVE-2020-11896"}
        ripple = vulns["CVE-2020-11896"]
        assert ripple.cwes == ("CWE-119", "CWE-787")
        assert {(c.version, c.score) for c in ripple.cvss} >= {("3.1", 10.0), ("2.0", 9.3)}
        assert ripple.severity.value == "critical"


def test_legacy_configurations_converted_to_api_2_shape(store: Store, feeds: Path) -> None:
    sync_all(store, mirror=feeds, sources=["nvd-legacy"])
    with store.session() as session:
        found = store.intel(session).cpe_candidates([("oracle", "jre")])[("oracle", "jre")]
    assert found
    and_configs = [cfg for c in found for cfg in c.configurations if cfg.get("operator") == "AND"]
    assert and_configs, "1.1 nodes with children become AND configurations"
    platform = [
        m for cfg in and_configs for n in cfg["nodes"] for m in n["cpeMatch"] if not m["vulnerable"]
    ]
    assert platform and all(m["criteria"].startswith("cpe:2.3:") for m in platform)
    assert all(
        "cpe23Uri" not in m for cfg in and_configs for n in cfg["nodes"] for m in n["cpeMatch"]
    )


@pytest.mark.slow  # syncs NVD and OSV itself: that is what it tests
def test_rerun_skips_unchanged_files(store: Store, feeds: Path) -> None:
    sync_all(store, mirror=feeds, sources=["nvd", "osv"])
    again = sync_all(store, mirror=feeds, sources=["nvd", "osv"])
    assert [(r.source, r.records, r.resumed) for r in again.results] == [
        ("nvd", 0, True),
        ("osv", 0, True),
    ]
    with store.session() as session:
        snap = {s.source: s for s in store.intel(session).snapshot()}
    assert snap["nvd"].records == 29 and snap["nvd"].last_sync is not None
