"""Benchmark unusual-activity rule evaluation: receipt (a batch recorded) to alert stored.

A fleet of UNITS units of one product (a release with openssl 1.0.1f and its Heartbleed
finding) and the five rule kinds loaded (rate, peer, drift, exploit, silent). Each batch is
BATCH events from 5 units, of the kinds the rules read, so that most batches raise or add to
alerts: failed-login bursts, connections to unlisted peers, software reports with a drifted
component, exploitation attempts. ``monitor.ingest`` commits the batch and then runs the
rules; the time of one call is the time from receipt to the alerts (and their notifications)
stored.

Baseline, in the same process and database: the same kind of batches recorded with no rule
set loaded (the evaluation finds none and returns). Prints p50/p99 per batch for both, the ratio,
the alerts stored, and the check against the target (p99 < 100 ms, issue 14).
Usage: PYTHONPATH=src python benchmarks/bench_rules.py [BATCHES] [BATCH] [UNITS]
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

import soupwatch.monitor  # noqa: F401  (registers the rules hook)
from soupwatch.config import Settings
from soupwatch.fleet import import_records
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
from soupwatch.model.telemetry import DeviceEvent, Transport
from soupwatch.monitor import ingest, load_rules
from soupwatch.pipeline import list_alerts
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.inventory import save_release

PG = os.environ.get("SOUPWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BATCHES = int(sys.argv[1]) if len(sys.argv) > 1 else 300
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 50
UNITS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
RULES = """
rules:
  - {name: failed-logins, kind: rate, event: login_failed, threshold: 5, window: 10m}
  - {name: reboots, kind: rate, event: reboot, threshold: 3, window: 1h}
  - {name: peers, kind: peer, allow: {eth0: [10.0.0.1]}}
  - {name: drift, kind: drift}
  - {name: heartbleed, kind: exploit, event: tls_heartbeat_overflow,
     vulnerability: CVE-2014-0160, component: openssl}
  - {name: silent, kind: silent, after: 1h}
"""
KINDS = (
    "login_failed",
    "login_failed",
    "reboot",
    "connection",
    "software",
    "tls_heartbeat_overflow",
)


def seed(store: Store) -> None:
    """One product, one release with a finding, UNITS units."""
    comps = (
        Component(ComponentRef("openssl"), "openssl", "1.0.1f"),
        Component(ComponentRef("zlib"), "zlib", "1.2.11"),
    )
    with store.session() as s:
        save_release(s, Product("Pump"), Release("Pump", "1.0", comps, NOW - timedelta(days=30)))
    with store.session() as s:
        o1f = Finding(
            ComponentRef("openssl"),
            "openssl",
            "1.0.1f",
            Vulnerability(id=VulnId("CVE-2014-0160")),
            MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "bench", 0.9),
            ("1.0.1g",),
        )
        save_findings(s, "Pump", "1.0", [o1f], NOW - timedelta(days=20))
    units = [
        {
            "serial": f"U{i:05d}",
            "product": "Pump",
            "release": "1.0",
            "site": "ICU",
            "customer": "St Mary",
        }
        for i in range(UNITS)
    ]
    import_records(store, units, actor="bench", now=NOW - timedelta(days=10))


def batch(tag: str, n: int) -> list[DeviceEvent]:
    """BATCH events from 5 units (chosen by n), kinds the rules read, one second apart."""
    out = []
    for i in range(BATCH):
        unit = f"U{(n * 5 + i % 5) % UNITS:05d}"
        kind = KINDS[i % len(KINDS)]
        at = NOW + timedelta(seconds=n * BATCH + i)
        fields: dict[str, object] = {}
        if kind == "connection":
            fields = {"interface": "eth0", "peer": f"198.51.100.{i % 7}"}
        elif kind == "software":
            fields = {"components": {"openssl": "1.0.2k", "zlib": "1.2.11"}}
        out.append(DeviceEvent(unit, at, kind, Transport.HTTP, f"{tag}-{n}-{i}", fields))
    return out


def timed(store: Store, tag: str) -> list[float]:
    """Milliseconds per ingest call over BATCHES batches."""
    out = []
    for n in range(BATCHES):
        events = batch(tag, n)
        start = time.perf_counter()
        ingest(store, events, NOW)
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def run(name: str, url: str) -> bool:
    """Baseline then rules on one database; True when the target is met."""
    store = Store.open(Settings(home=Path(tempfile.gettempdir()), database_url=url))
    try:
        seed(store)
        timed(store, "warm")  # connections, statement caches
        base = timed(store, "base")
        load_rules(store, RULES, actor="bench", now=NOW)
        rules = timed(store, "rules")
        alerts = list_alerts(store, limit=100_000)
    finally:
        store.close()
    b50, b99, r50, r99 = pct(base, 50), pct(base, 99), pct(rules, 50), pct(rules, 99)
    occurrences = sum(a.occurrences for a in alerts)
    print(
        f"{name:10} baseline (no rules) p50 {b50:6.1f} ms  p99 {b99:6.1f} ms | "
        f"rules p50 {r50:6.1f} ms  p99 {r99:6.1f} ms | ratio p50 {r50 / b50:4.2f}x "
        f"p99 {r99 / b99:4.2f}x | {len(alerts)} alerts, {occurrences} occurrences "
        f"| mean {statistics.mean(rules):.1f} ms | p99 < 100 ms: {'yes' if r99 < 100 else 'NO'}"
    )
    return r99 < 100


def main() -> None:
    """Both databases."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{BATCHES} batches of {BATCH} events (5 units each), {UNITS} units; load {load}")
    with tempfile.TemporaryDirectory() as tmp:
        ok = run("SQLite", f"sqlite:///{tmp}/bench.db")
    schema = f"swbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        ok = run("PostgreSQL", f"{PG}?options=-csearch_path%3D{schema}") and ok
    finally:
        with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
