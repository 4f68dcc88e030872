"""Benchmark "what changed?": a portfolio re-scan after a feed sync, and one CVE's impact.

Builds a portfolio of releases from the example SBOMs (each product in several releases with
shifted component versions, as a device maker's field base looks), syncs the legacy NVD feeds,
NVD 2.0, OSV and KEV from ../shared/feeds into a temporary SQLite database, then times:

- baseline: one release scanned through ``pipeline.scan_release`` (the unit a re-scan repeats);
- ``rescan_portfolio`` over every release (first run: everything is new; second: nothing is);
- ``impact`` of Heartbleed across the portfolio.

Prints seconds, peak RSS and each ratio against the baseline.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from soupwatch.config import Settings
from soupwatch.intel.sync import sync_all
from soupwatch.model import Product, Release
from soupwatch.pipeline import scan_release
from soupwatch.sbom import read
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.watch.delta import rescan_portfolio
from soupwatch.watch.impact import impact

ROOT = Path(__file__).resolve().parents[1]
FEEDS = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared")) / "feeds"
RELEASES_PER_PRODUCT = 12
OLD_OPENSSL = ("1.0.1f", "1.0.1g", "1.0.2k", "1.1.1k")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _portfolio(store: Store) -> int:
    count = 0
    for sbom in ("infusion-pump.cdx.json", "glucose-monitor.cdx.json"):
        doc = read(ROOT / "examples" / sbom)
        name = sbom.split(".")[0]
        for i in range(RELEASES_PER_PRODUCT):
            comps = tuple(
                c.with_changes(version=OLD_OPENSSL[i % len(OLD_OPENSSL)], purl=None, cpe=None)
                if c.name == "openssl"
                else c
                for c in doc.components
            )
            with store.session() as s:
                inventory.save_release(s, Product(name), Release(name, f"1.{i}", comps))
            count += 1
    return count


def main() -> int:
    """Run the benchmark; 2 when the feed mirror is missing."""
    if not FEEDS.is_dir():
        print(f"feed mirror {FEEDS} not found (set SOUPWATCH_SHARED)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Settings(home=Path(tmp), database_url=f"sqlite:///{tmp}/w.db"))
        sync_all(store, mirror=FEEDS, sources=["nvd", "nvd-legacy", "osv", "kev"])
        releases = _portfolio(store)
        now = datetime(2026, 11, 28, tzinfo=UTC)
        t0 = time.perf_counter()
        scan_release(store, "infusion-pump", "1.0", now=now)
        base = time.perf_counter() - t0
        print(f"portfolio: {releases} releases; baseline one scan_release: {base:.3f} s")
        for label, when in (("first re-scan", now), ("second re-scan", now + timedelta(1))):
            t0 = time.perf_counter()
            delta = rescan_portfolio(store, now=when)
            took = time.perf_counter() - t0
            new = sum(len(r.new) for r in delta.releases)
            print(
                f"{label:<15} {took:7.3f} s  ({took / base:5.1f}x baseline)  new findings {new}"
                f"  peak RSS {_rss_mb():.0f} MB"
            )
        t0 = time.perf_counter()
        rows = impact(store, "CVE-2014-0160", now=now)
        took = time.perf_counter() - t0
        print(f"impact CVE-2014-0160: {took:.3f} s ({took / base:.2f}x baseline), {len(rows)} rows")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
