"""Benchmark: import throughput of the intelligence feeds, and extrapolation to the full NVD.

1. The whole offline mirror (../shared/feeds or SOUPWATCH_SHARED/feeds) into a fresh SQLite.
2. A scaled NVD: real 1.1 and 2.0 records copied with new ids (default 30,000 records, in
   1.1 files of 15,000 items like a real year file and 2.0 pages of 2,000) into a temp mirror,
   imported with the same feeds; the rate is extrapolated to ~300,000 CVEs.
Baseline measured in the same process: only decompressing + ``json.loads`` of the same scaled
files (the floor any importer pays); the ratio says what storing costs on top.
Floors: full NVD in under 10 minutes and under 1 GB peak RSS.

Usage: .venv/bin/python benchmarks/bench_intel_import.py [--records 30000] [--db-url URL]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from soupwatch.config import Settings
from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store

FULL_NVD = 300_000
FLOOR_SECONDS = 600
FLOOR_RSS_MB = 1024


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def feeds_dir() -> Path:
    shared = Path(
        os.environ.get("SOUPWATCH_SHARED", Path(__file__).resolve().parents[2] / "shared")
    )
    return shared / "feeds"


def open_store(url: str | None, tmp: Path, name: str) -> Store:
    return Store.open(Settings(home=tmp, database_url=url or f"sqlite:///{tmp / name}"))


def scale_nvd(feeds: Path, out: Path, total: int) -> int:
    """Write ``total`` scaled records (3/4 legacy 1.1, 1/4 API 2.0) under ``out``; returns count."""
    legacy_items: list[Any] = []
    for path in sorted((feeds / "nvd-1.1").glob("*.json.gz")):
        legacy_items.extend(json.loads(gzip.decompress(path.read_bytes()))["CVE_Items"])
    page = json.loads(gzip.decompress((feeds / "nvd/nvdcve-2.0-subset-0001.json.gz").read_bytes()))
    api_items = page["vulnerabilities"]
    (out / "nvd-1.1").mkdir(parents=True)
    (out / "nvd").mkdir()
    n_legacy = total * 3 // 4
    serial = 0
    for start in range(0, n_legacy, 15_000):
        items = []
        for i in range(start, min(start + 15_000, n_legacy)):
            item = copy.deepcopy(legacy_items[i % len(legacy_items)])
            serial += 1
            item["cve"]["CVE_data_meta"]["ID"] = f"CVE-9001-{serial:07d}"
            items.append(item)
        doc = {
            "CVE_data_type": "CVE",
            "CVE_data_format": "MITRE",
            "CVE_data_version": "4.0",
            "CVE_data_numberOfCVEs": str(len(items)),
            "CVE_Items": items,
        }
        name = out / "nvd-1.1" / f"nvdcve-1.1-{9000 + start // 15_000}-scaled.json.gz"
        name.write_bytes(gzip.compress(json.dumps(doc).encode(), 6))
    for start in range(n_legacy, total, 2000):
        vulns = []
        for i in range(start, min(start + 2000, total)):
            item = copy.deepcopy(api_items[i % len(api_items)])
            serial += 1
            item["cve"]["id"] = f"CVE-9002-{serial:07d}"
            vulns.append(item)
        doc = {
            **{k: v for k, v in page.items() if k != "vulnerabilities"},
            "resultsPerPage": len(vulns),
            "startIndex": start,
            "vulnerabilities": vulns,
        }
        (out / "nvd" / f"scaled-{start:07d}.json.gz").write_bytes(
            gzip.compress(json.dumps(doc).encode(), 6)
        )
    return serial


def parse_only(mirror: Path) -> float:
    """Baseline: decompress + json.loads every scaled file."""
    start = time.perf_counter()
    for path in sorted(mirror.rglob("*.json.gz")):
        json.loads(gzip.decompress(path.read_bytes()))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--db-url", default=None, help="default: a temp SQLite file")
    args = parser.parse_args()
    feeds = feeds_dir()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        store = open_store(args.db_url, tmp, "mirror.db")
        start = time.perf_counter()
        outcome = sync_all(store, mirror=feeds)
        mirror_s = time.perf_counter() - start
        store.close()
        records = sum(r.records for r in outcome.results)
        print(
            f"whole mirror: {records} records in {mirror_s:.1f} s "
            f"= {records / mirror_s:,.0f} records/s; peak RSS {peak_rss_mb():.0f} MiB"
        )
        for result in outcome.results:
            print(
                f"  {result.source:10} {result.records:7} records, {len(result.warnings)} warnings"
            )

        scaled = tmp / "scaled"
        count = scale_nvd(feeds, scaled, args.records)
        baseline = parse_only(scaled)
        store = open_store(args.db_url and args.db_url, tmp, "scaled.db")
        start = time.perf_counter()
        result = sync_all(store, mirror=scaled, sources=["nvd-legacy", "nvd"])
        scaled_s = time.perf_counter() - start
        store.close()
        imported = sum(r.records for r in result.results)
        rate = imported / scaled_s
        full = FULL_NVD / rate
        rss = peak_rss_mb()
        print(
            f"scaled NVD: {imported}/{count} records in {scaled_s:.1f} s = {rate:,.0f} records/s;"
            f" baseline parse-only {baseline:.1f} s (ratio {scaled_s / baseline:.1f}x)"
        )
        print(
            f"extrapolated full NVD ({FULL_NVD:,} CVEs): {full / 60:.1f} min "
            f"(floor {FLOOR_SECONDS / 60:.0f} min) — {'OK' if full < FLOOR_SECONDS else 'TOO SLOW'}"
        )
        print(
            f"peak RSS {rss:.0f} MiB (floor {FLOOR_RSS_MB} MiB; files of 15,000 records bound it) "
            f"— {'OK' if rss < FLOOR_RSS_MB else 'TOO BIG'}"
        )


if __name__ == "__main__":
    main()
