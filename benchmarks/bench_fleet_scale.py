"""Benchmark the incremental watch at fleet scale on the job queue (Dramatiq on RabbitMQ).

A synthetic portfolio of RELEASES releases × COMPONENTS components, built from the real
component identities of the corpus SBOMs (../shared/corpus/sboms) and the example SBOMs, in a
fresh PostgreSQL schema with the legacy NVD feeds and KEV synced. Then a feed delta of DELTA
CVEs (real records that name products in the portfolio, announced as one sync's changes) is
processed end to end: index lookup, partial re-match, assessment recompute, with 1 and with 2
``soupwatch worker`` processes (the re-match job split in 2 parts), in two scenarios:

- **unscanned**: the portfolio was never matched, so every finding of a touched component is
  new and every touched release's assessment is computed from nothing: an upper bound.
- **assessed**: the portfolio is matched and every release assessed first (timed as setup);
  then the delta CVEs' findings are taken out, as if their records had not been published at
  that scan, and the delta arrives: the touched releases' stored assessments are brought up to
  date finding by finding (``pipeline.assessment_patch``), as after a real sync.

The portfolio's releases run UNITS deployed units (50 a release, imported from a CSV export
through ``fleet.import_units``). After the delta, ``impact`` of the delta CVE that reaches the
most releases is timed with its fleet (``fleet.fleet_impact``: releases, units, sites; for
everyone and for one hospital) against the release-level answer (``watch.impact``), and its
units are checked against the releases it names: the units are up to date as soon as the job
is done.

Prints seconds (the median of BENCH_REPEATS runs, 3 by default, each run listed), the 2-vs-1
throughput ratio of the medians, each worker's peak RSS (VmHWM) and the impact
times. Targets (issue 13): < 5 s with 2 workers, ratio >= 1.7, < 500 MB per worker, impact
< 50 ms.
Usage: PYTHONPATH=src python benchmarks/bench_fleet_scale.py [RELEASES] [COMPONENTS]
(``BENCH_SCENARIOS=assessed`` runs one scenario; ``BENCH_REUSE_SCHEMA=name`` keeps the seeded
schema under that name and, when it exists, skips the setup: with ``BENCH_SCENARIOS=assessed``
a second run costs the two timed runs only).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import delete, func, select, text

from soupwatch.config import Settings, input_limits
from soupwatch.fleet import Scope, fleet_impact, import_units
from soupwatch.intel.source import FeedSource
from soupwatch.intel.sync import sync_all
from soupwatch.jobs import JobKind, start_job, wait_for
from soupwatch.model import Component, Product, Release
from soupwatch.pipeline import portfolio
from soupwatch.pipeline.rematch import index_releases
from soupwatch.sbom import read
from soupwatch.store import inventory
from soupwatch.store.assessment_tables import AssessedFindingRow, AssessmentRow
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import FindingRow
from soupwatch.store.fleet_tables import UnitRow
from soupwatch.store.intel_tables import IntelCpeIndexRow
from soupwatch.store.intel_write import note_changes
from soupwatch.store.job_tables import IntelChangeRow, ReleaseKeyRow
from soupwatch.store.watch_tables import WatchRunRow, record_run
from soupwatch.watch import impact, rescan_portfolio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fleet_impact import _best

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared"))
PG = os.environ.get("SOUPWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BROKER = "amqp://guest:guest@127.0.0.1:5672/"
RELEASES = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
COMPONENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
DELTA = 100
UNITS = 50 * RELEASES
SITES = 200
CUSTOMERS = 50
SCENARIOS = tuple(os.environ.get("BENCH_SCENARIOS", "unscanned,assessed").split(","))
NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
LATER = "2026-12-05T07:00:00Z"
"""The workers' clock (``SOUPWATCH_NOW``): the same day as the baseline's assessments."""


def _pool() -> list[Component]:
    """Distinct real components (with a purl or a CPE) from the corpus and example SBOMs."""
    seen: dict[tuple[str, str | None, str | None], Component] = {}
    paths = sorted((SHARED / "corpus" / "sboms").glob("*")) + sorted(
        (ROOT / "examples").glob("*.cdx.json")
    )
    for path in paths:
        try:
            doc = read(path)
        except Exception:
            continue
        for c in doc.components:
            if c.purl or c.cpe:
                seen.setdefault((c.name, c.version, c.purl), c)
    return list(seen.values())


def _portfolio(store: Store, pool: list[Component]) -> None:
    rng = random.Random(13)
    for i in range(RELEASES):
        picked = rng.sample(pool, min(COMPONENTS, len(pool)))
        comps = tuple(c.with_changes(ref=f"c{n}") for n, c in enumerate(picked))
        product = f"device-{i % 50:02d}"
        with store.session() as s:
            inventory.save_release(s, Product(product), Release(product, f"r{i}", comps))


def _units(store: Store) -> None:
    """UNITS deployed units, 50 a release, imported as a service system's CSV export (skipped
    when a reused schema has them)."""
    with store.session() as s:
        if int(s.scalar(select(func.count()).select_from(UnitRow)) or 0) >= UNITS:
            return
    out = io.StringIO()
    out.write("serial,product,release,site,customer,network_zone,installed_on\n")
    for n in range(UNITS):
        i = n % RELEASES
        site = (n // 25) % SITES  # a site's units are installed together
        out.write(
            f"SN{n:07d},device-{i % 50:02d},r{i},site-{site},customer-{site % CUSTOMERS},"
            "clinical,2026-06-01\n"
        )
    t = time.perf_counter()
    done = import_units(
        store, out.getvalue().encode(), "units.csv", input_limits({}), actor="bench", now=NOW
    )
    print(f"setup: {done.added:,} units imported in {time.perf_counter() - t:.1f} s")


def _impact(store: Store, result: dict[str, Any]) -> None:
    """``impact`` with its fleet for the delta CVE that reached the most releases, timed
    against the release-level answer; its units must be those of the releases it names."""
    counts: dict[str, int] = {}
    for r in result.get("releases", []):
        for f in r["new"]:
            counts[f["vulnerability"]] = counts.get(f["vulnerability"], 0) + 1
    if not counts:
        return
    cve = max(sorted(counts), key=lambda v: counts[v])
    later = datetime.fromisoformat(LATER)
    base = _best(lambda: impact(store, cve, now=later))
    found = fleet_impact(store, cve, Scope(), now=later)
    releases = {(r.product, r.release) for r in found.findings if r.is_open}
    assert found.units_exposed == 50 * len(releases), (found.units_exposed, len(releases))
    print(
        f"impact {cve} (new in this delta, open in {len(releases)} releases): "
        f"release level {base * 1000:.1f} ms"
    )
    hospital = Scope(customers=frozenset({"customer-7"}))
    for label, scope in (("everyone", Scope()), ("one hospital", hospital)):
        took = _best(lambda scope=scope: fleet_impact(store, cve, scope, now=later))
        got = fleet_impact(store, cve, scope, now=later)
        print(
            f"  with its fleet ({label}): {took * 1000:.1f} ms ({took / base:.2f}x release "
            f"level), {got.units_exposed:,} units exposed at {len(got.sites)} sites "
            "(target < 50 ms)"
        )


def _delta_ids(store: Store) -> list[str]:
    """DELTA CVEs whose CPE products the portfolio carries (deterministic pick)."""
    with store.session() as s:
        keys = {
            k
            for (k,) in s.execute(
                select(ReleaseKeyRow.key).where(ReleaseKeyRow.kind == "cpe").distinct()
            )
        }
        rows = s.execute(
            select(IntelCpeIndexRow.vuln_id, IntelCpeIndexRow.vendor, IntelCpeIndexRow.product)
        ).all()
    ids = sorted(
        {v for v, vendor, product in rows if f"{vendor.lower()}\t{product.lower()}" in keys}
    )
    return random.Random(5).sample(ids, min(DELTA, len(ids)))


def _announce(store: Store, ids: list[str], scenario: str) -> None:
    """Reset to the scenario's state before the delta, then record the delta as one sync's
    changes: "unscanned" — the portfolio never matched; "assessed" — matched and assessed
    without the delta CVEs' findings."""
    with store.session() as s:
        if scenario == "unscanned":
            s.execute(delete(FindingRow))
            s.execute(delete(AssessmentRow))
        else:
            s.execute(delete(FindingRow).where(FindingRow.vuln_id.in_(ids)))
            s.execute(delete(AssessedFindingRow).where(AssessedFindingRow.vuln_id.in_(ids)))
        s.execute(delete(WatchRunRow))
        upto = int(s.scalar(select(func.max(IntelChangeRow.id))) or 0)
        record_run(s, NOW, None, (0, 0, 0, 0), upto)
        note_changes(s, "nvd-legacy", ids, NOW)


def _worker(settings: Settings, queue: str, home: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "SOUPWATCH_HOME": str(home),
        "SOUPWATCH_DATABASE_URL": settings.database_url,
        "SOUPWATCH_BROKER_URL": BROKER,
        "SOUPWATCH_QUEUE": queue,
        "SOUPWATCH_NOW": LATER,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "soupwatch.cli.main", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
"""Timed runs per worker count (the delta taken out and announced again before each); the
median is reported: one run of a few seconds moves by a quarter with what else the two cores
are doing."""


def _run(
    store: Store, settings: Settings, ids: list[str], workers: int, home: Path, scenario: str
) -> tuple[list[float], list[float], dict]:
    """The seconds of each of REPEATS runs of the delta on ``workers`` workers (started once,
    before the clock), their peak RSS and the last run's result."""
    queue = os.environ["SOUPWATCH_QUEUE"]
    procs = [_worker(settings, queue, home) for _ in range(workers)]
    time.sleep(8)  # the workers import, migrate-check and connect before the clock starts
    seconds: list[float] = []
    try:
        for _ in range(REPEATS):
            _announce(store, ids, scenario)
            start = time.perf_counter()
            job = start_job(store, settings, JobKind.REMATCH, {"parts": 2}, actor="bench", now=NOW)
            done = wait_for(store, job.id, timeout=1800, poll=0.05)
            seconds.append(time.perf_counter() - start)
            assert done.state.value == "done", done
        rss = [_hwm_mb(p.pid) for p in procs]
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
    return seconds, rss, done.result or {}


def _seeded(plain: str, schema: str) -> bool:
    """Whether ``schema`` holds a seeded portfolio (a kept ``BENCH_REUSE_SCHEMA``)."""
    with psycopg.connect(plain, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = 'assessments'",
            (schema,),
        ).fetchone()
        if found is None:
            return False
        count = conn.execute(f'SELECT count(*) FROM "{schema}".assessments').fetchone()
    return bool(count and count[0] >= RELEASES)


def main() -> None:
    kept = os.environ.get("BENCH_REUSE_SCHEMA")
    schema = kept or f"swbench_{uuid.uuid4().hex[:8]}"
    os.environ["SOUPWATCH_QUEUE"] = f"{schema}_{uuid.uuid4().hex[:6]}"  # a queue of its own
    plain = PG.replace("+psycopg", "")
    reuse = kept is not None and _seeded(plain, schema)
    if not reuse:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{PG}?options=-csearch_path%3D{schema}"
    home = Path(tempfile.mkdtemp(prefix="swbench-"))
    try:
        settings = Settings(home=home, database_url=url, broker_url=BROKER)
        store = Store.open(settings)
        if reuse:
            print(f"setup: schema {schema} reused (seeded and assessed by an earlier run)")
            _units(store)
            _measure(store, settings, home, _delta_ids(store), seeded=True)
            store.close()
            return
        t = time.perf_counter()
        out = sync_all(
            store, sources=["nvd-legacy", "kev"], source=FeedSource(mirror=SHARED / "feeds")
        )
        assert not out.failures, out.failures
        print(f"setup: feeds synced in {time.perf_counter() - t:.1f} s")
        pool = _pool()
        t = time.perf_counter()
        _portfolio(store, pool)
        print(
            f"setup: {RELEASES} releases x {COMPONENTS} components (pool {len(pool)}) "
            f"stored in {time.perf_counter() - t:.1f} s"
        )
        _units(store)
        t = time.perf_counter()
        index_releases(store)
        print(f"setup: index built in {time.perf_counter() - t:.1f} s")
        _measure(store, settings, home, _delta_ids(store), seeded=False)
        store.close()
    finally:
        if kept is None:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _analyze(store: Store) -> None:
    """Refresh the planner's statistics after the setup's bulk writes, as autovacuum does in a
    running deployment within its nap time: without them a fresh schema's plans are those of
    empty tables (a parallel scan where an index serves)."""
    with store.session() as s:
        s.execute(text("ANALYZE"))


def _measure(store: Store, settings: Settings, home: Path, ids: list[str], seeded: bool) -> None:
    """Each scenario's two timed runs (1 and 2 workers), side by side. ``seeded``: the store
    is matched and assessed already (a reused schema)."""
    for scenario in SCENARIOS:
        if scenario == "assessed" and not seeded:
            t = time.perf_counter()
            rescan_portfolio(store, now=NOW)
            scanned = time.perf_counter() - t
            t = time.perf_counter()
            portfolio(store, now=NOW)
            print(
                f"setup: portfolio matched in {scanned:.1f} s, every release assessed "
                f"in {time.perf_counter() - t:.1f} s"
            )
        _analyze(store)
        ones, rss1, result1 = _run(store, settings, ids, 1, home, scenario)
        twos, rss2, result2 = _run(store, settings, ids, 2, home, scenario)
        one, two = statistics.median(ones), statistics.median(twos)
        summary1, summary2 = result1.get("summary", {}), result2.get("summary", {})
        seeded = scenario == "assessed"  # "unscanned" leaves nothing matched
        print(
            f"{scenario}: delta of {len(ids)} CVEs; touched releases "
            f"{summary1.get('releases')}, new findings {summary1.get('new')}"
        )
        assert summary1 == summary2, (summary1, summary2)
        for label, median, runs, rss in (
            ("1 worker ", one, ones, rss1),
            ("2 workers", two, twos, rss2),
        ):
            print(
                f"  {label}: {median:8.2f} s median of {', '.join(f'{t:.2f}' for t in runs)}"
                f"  peak RSS {', '.join(f'{r:.0f} MB' for r in rss)}"
            )
        print(f"  2-vs-1 throughput ratio: {one / two:.2f}  (targets: < 5 s with 2, >= 1.7)")
        _impact(store, result2)


if __name__ == "__main__":
    main()
