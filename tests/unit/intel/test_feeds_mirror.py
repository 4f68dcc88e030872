"""CVE JSON 5, KEV, EPSS and endoflife.date imports, read back through StoreIntelQuery."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from soupwatch.intel.cve5 import Cve5Feed
from soupwatch.intel.source import FeedSource
from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store

DATA = Path(__file__).parent / "data"


def test_cve5_cna_affected_and_metrics(store: Store, feeds: Path) -> None:
    result = Cve5Feed().sync(store.intel_sink(), FeedSource(mirror=feeds))
    assert result.records == 14_626 + 272 and result.warnings == ()
    with store.session() as session:
        query = store.intel(session)
        cna = query.cna_candidates(["OpenSSL", "linux"])
        assert {c.assigner for c in cna["openssl"]} == {"openssl"}
        assert len({c.vuln_id for c in cna["openssl"]}) == 272
        kernel = [c for c in cna["linux"] if c.vuln_id == "CVE-2024-26581"]
        assert kernel and kernel[0].assigner == "Linux"
        assert {
            i["affected"].get("defaultStatus") for i in [{"affected": k.affected} for k in kernel]
        } >= {"unaffected"}
        assert any(
            k.affected.get("programFiles") == ["net/netfilter/nft_set_rbtree.c"] for k in kernel
        )
        vuln = query.vulnerabilities(["CVE-2024-26581"])["CVE-2024-26581"]
        assert [(c.version, c.score, c.source, c.type) for c in vuln.cvss] == [
            ("3.1", 7.8, "Linux", "Secondary")
        ]
        assert vuln.summary and "nft_set_rbtree" in vuln.summary


def test_kev_eol_and_epss(store: Store, feeds: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "epss").mkdir(parents=True)
    shutil.copy(DATA / "epss_scores-2025-03-15.csv", mirror / "epss")
    for sub in ("kev", "eol"):
        (mirror / sub).symlink_to(feeds / sub)
    outcome = sync_all(store, mirror=mirror, sources=["kev", "epss", "eol"])
    by = {r.source: r for r in outcome.results}
    assert by["kev"].records == 1404 and by["eol"].records == 29
    assert by["epss"].records == 5
    assert len(by["epss"].warnings) == 2  # the two deliberately bad rows, reported
    with store.session() as session:
        query = store.intel(session)
        vuln = query.vulnerabilities(["CVE-2021-44228"])["CVE-2021-44228"]
        assert vuln.kev is not None and vuln.kev.known_ransomware
        assert vuln.kev.date_added == date(2021, 12, 10)
        assert vuln.epss is not None and vuln.epss.model_version == "v2025.03.14"
        assert vuln.epss.score_date == date(2025, 3, 15)
        openssl = query.eol_product("openssl")
        assert openssl is not None and ("cpe", "cpe:2.3:a:openssl:openssl") in openssl.identifiers
        cycles = {c.cycle: c for c in openssl.cycles}
        assert cycles["4.0"].eol == date(2027, 5, 14) and cycles["4.0"].latest == "4.0.1"
        assert len(query.eol_products()) == 29
        snap = {s.source: s.records for s in query.snapshot()}
    assert snap == {"kev": 1404, "epss": 5, "eol": 29}
