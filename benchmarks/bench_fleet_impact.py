"""Benchmark the fleet: ``impact CVE`` over 50,000 units on 1,000 releases, and unit import.

Builds (synthetic, no feeds needed) 10 products × 100 releases of 20 components each; the
oldest 40 releases of every product carry a finding of CVE-2014-0160 (400 releases), the
rest do not, and every release has 30 findings of other CVEs (30,000 rows for impact to
search); then imports 50,000 units (50 per release in runs of 25 per site, 200 sites of
50 customers) from a CSV export through ``fleet.import_units`` (parse, check, one
transaction). Times, in one process:

- baseline: ``watch.impact`` (the release-level answer the fleet adds units to);
- ``fleet_impact``: the same findings with units and sites per release (target < 50 ms),
  for everyone and for one hospital customer;
- import of the 50,000-unit CSV (units/s), then the same file again (every unit updated),
  against parsing the file alone.

Prints seconds, ratios against the baseline, and peak RSS. ``--postgres URL`` runs the same on
PostgreSQL (a scratch schema is not made: give an empty database).
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from soupwatch.config import Settings, input_limits
from soupwatch.fleet import Scope, fleet_impact, import_units
from soupwatch.fleet.importer import parse_units
from soupwatch.model import (
    Component,
    ComponentRef,
    Finding,
    MatchEvidence,
    Product,
    Release,
    Vulnerability,
    VulnId,
)
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.watch.impact import impact

PRODUCTS, RELEASES, COMPONENTS, AFFECTED = 10, 100, 20, 40
OTHER_FINDINGS = 30
"""Findings of other vulnerabilities per release (30,000 in all: the table impact searches)."""
UNITS, SITES, CUSTOMERS = 50_000, 200, 50
PER_SITE = 25
"""Consecutive units of one release at one site (a site is equipped, and updated, together)."""
CVE = "CVE-2014-0160"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _portfolio(store: Store) -> None:
    for p in range(PRODUCTS):
        name = f"device-{p}"
        for r in range(RELEASES):
            openssl = "1.0.1f" if r < AFFECTED else "1.1.1w"
            comps = [Component(ComponentRef("openssl"), "openssl", openssl)] + [
                Component(ComponentRef(f"lib{c}"), f"lib{c}", f"{c}.{r}")
                for c in range(COMPONENTS - 1)
            ]
            when = T0 + timedelta(days=r)
            findings = [
                Finding(
                    ComponentRef(f"lib{k % (COMPONENTS - 1)}"),
                    f"lib{k % (COMPONENTS - 1)}",
                    f"{k % (COMPONENTS - 1)}.{r}",
                    Vulnerability(id=VulnId(f"CVE-2020-{10000 + p * 1000 + (r + k) % 500}")),
                    MatchEvidence("cpe", "nvd", "lib", "bench", 0.9),
                )
                for k in range(OTHER_FINDINGS)
            ]
            if r < AFFECTED:
                vuln = Vulnerability(id=VulnId(CVE))
                ev = MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "bench", 0.9)
                findings.append(Finding(ComponentRef("openssl"), "openssl", "1.0.1f", vuln, ev))
            with store.session() as s:
                inventory.save_release(
                    s, Product(name), Release(name, f"{r}.0", tuple(comps), when)
                )
                save_findings(s, name, f"{r}.0", findings, when)


def _export() -> bytes:
    out = io.StringIO()
    out.write("serial,product,release,site,customer,network_zone,installed_on\n")
    per_release = UNITS // (PRODUCTS * RELEASES)
    n = 0
    for p in range(PRODUCTS):
        for r in range(RELEASES):
            for _ in range(per_release):
                site = (n // PER_SITE) % SITES  # a site's units are installed together
                out.write(
                    f"SN{n:07d},device-{p},{r}.0,site-{site},customer-{site % CUSTOMERS},"
                    f"clinical,2025-06-01\n"
                )
                n += 1
    return out.getvalue().encode()


def _best(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) if runs < 3 else statistics.median(times)


def run(url: str) -> int:
    """Build, import, time; print one line per measurement."""
    store = Store.open(Settings(home=Path(tempfile.gettempdir()), database_url=url))
    limits = input_limits({})
    try:
        t0 = time.perf_counter()
        _portfolio(store)
        print(
            f"{store.dialect}: portfolio of {PRODUCTS * RELEASES} releases built in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        raw = _export()
        parse = _best(lambda: parse_units(raw, "units.csv", limits), runs=1)
        t0 = time.perf_counter()
        first = import_units(store, raw, "units.csv", limits, actor="bench", now=T0)
        took = time.perf_counter() - t0
        print(f"parse only {UNITS:,} units: {parse:.2f} s ({UNITS / parse:,.0f} units/s)")
        print(
            f"import {first.added:,} new units: {took:.2f} s ({UNITS / took:,.0f} units/s, "
            f"{took / parse:.1f}x parse only)"
        )
        t0 = time.perf_counter()
        again = import_units(store, raw, "units.csv", limits, actor="bench", now=T0)
        took = time.perf_counter() - t0
        print(
            f"re-import, {again.updated:,} units updated: {took:.2f} s "
            f"({UNITS / took:,.0f} units/s, {took / parse:.1f}x parse only)"
        )
        now = T0 + timedelta(days=400)
        everyone = Scope()
        hospital = Scope(customers=frozenset({"customer-7"}))
        base = _best(lambda: impact(store, CVE, now=now))
        found = fleet_impact(store, CVE, everyone, now=now)
        print(f"baseline watch.impact {CVE}: {base * 1000:.1f} ms, {len(found.findings)} findings")
        for label, scope in (("everyone", everyone), ("one hospital", hospital)):
            took = _best(lambda scope=scope: fleet_impact(store, CVE, scope, now=now))
            got = fleet_impact(store, CVE, scope, now=now)
            verdict = "OK" if took < 0.050 else "ABOVE the 50 ms target"
            print(
                f"fleet impact ({label}): {took * 1000:.1f} ms ({took / base:.2f}x baseline) "
                f"{got.units_exposed:,} units exposed at {len(got.sites)} sites: {verdict}"
            )
        print(f"peak RSS {_rss_mb():.0f} MB")
    finally:
        store.close()
    return 0


def main(argv: list[str]) -> int:
    """SQLite in a temporary folder, or ``--postgres URL``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL")
    args = parser.parse_args(argv)
    if args.postgres:
        return run(args.postgres)
    with tempfile.TemporaryDirectory() as tmp:
        return run(f"sqlite:///{tmp}/fleet.db")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
