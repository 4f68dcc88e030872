"""Benchmark the views that read stored assessments, on PostgreSQL: 200 releases × 5,000 findings.

Builds, in a fresh PostgreSQL schema (``SOUPWATCH_BENCH_PG``, default the test server on
127.0.0.1:5432, database ``test``): the feeds synced from ../shared/feeds, the example infusion
pump imported, scanned and assessed with its device profile (its real findings, cut to the
5,000 highest-priority ones), then 200 releases (20 products × 10 releases) whose stored
assessments are copies of that one, each with its own current fingerprint. Then times, through
the ASGI app in-process (routing, SQL, rendering; no sockets):

- baseline: assessing one 5,000-finding release from scratch (what every page load did before
  assessments were stored);
- the dashboard's portfolio page (``/``) and the API's ``/api/v1/portfolio``;
- a release's first findings page, API (``…/findings``, 50 rows) and dashboard (50 rows),
  and the dashboard's filtered release page, finding detail, product page, component search
  and end-of-support view;
- recording one daily snapshot of the 200 releases (``pipeline.record_snapshot``), once.

Prints p50/p95 per view and the ratio of each p95 to the baseline.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert, select

from soupwatch import pipeline
from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.pipeline.assessments import _fingerprint, _shared
from soupwatch.risk.profile import load_profile
from soupwatch.server.app import create_app
from soupwatch.store import assessments as repo
from soupwatch.store.assessment_tables import AssessedFindingRow, AssessmentRow
from soupwatch.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
FEEDS = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared")) / "feeds"
PG = os.environ.get("SOUPWATCH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PRODUCTS, RELEASES, FINDINGS, RUNS = 20, 10, 5000, 30
NOW = datetime.now(UTC)  # the views assess as of today: the stored ones must be today's
sys.path.insert(0, str(ROOT))

from tests.unit.server.conftest import add_user, options  # noqa: E402  (in-process client)


def _seed(store: Store) -> None:
    """One real assessment of the example pump, cut to FINDINGS findings."""
    profile = load_profile(ROOT / "examples" / "infusion-pump.profile.yaml")
    pipeline.sync_feeds(store, mirror=FEEDS, sources=["nvd", "nvd-legacy", "cve5", "kev", "eol"])
    doc = pipeline.load_target(ROOT / "examples" / "infusion-pump.cdx.json")
    for p in range(PRODUCTS):
        for r in range(RELEASES):
            pipeline.store_document(store, doc, f"pump-{p:02}", f"1.{r}", source="bench", now=NOW)
        pipeline.record_context(store, f"pump-{p:02}", replace(profile, product=None), now=NOW)
    pipeline.scan_release(store, "pump-00", "1.0", now=NOW)
    full = pipeline.assessment(store, "pump-00", "1.0", now=NOW)
    cut = replace(full, findings=full.findings[:FINDINGS])
    with store.session() as session:
        stamps = repo.release_stamps(session)
        shared = _shared(session)
        contexts = repo.contexts(session, {s.product_id for s in stamps})
        source = next(s for s in stamps if (s.product, s.release) == ("pump-00", "1.0"))
        repo.save_assessment(session, source.release_id, cut, "seed")
        skipped = repo.skipped_of(session, source.release_id)
    for stamp in stamps:
        with store.session() as session:
            if stamp.release_id != source.release_id:
                repo.save_scan(session, stamp.release_id, NOW, skipped)
        with store.session() as session:
            fresh = next(
                s for s in repo.release_stamps(session) if s.release_id == stamp.release_id
            )
            fp = _fingerprint(fresh, shared, contexts[stamp.product_id].fingerprint, NOW)
            if stamp.release_id == source.release_id:
                session.get(AssessmentRow, source.release_id).fingerprint = fp  # type: ignore[union-attr]
                continue
            _copy(session, source.release_id, stamp.release_id, fp)


def _copy(session: object, src: int, dst: int, fingerprint: str) -> None:
    """The seed's stored assessment, copied row for row to another release."""
    s = session  # a Session; typed loosely to keep the benchmark short
    row = s.get(AssessmentRow, src)  # type: ignore[attr-defined]
    s.add(  # type: ignore[attr-defined]
        AssessmentRow(
            release_id=dst,
            fingerprint=fingerprint,
            made_at=row.made_at,
            profile_name=row.profile_name,
            counts=row.counts,
            header=row.header,
            dictionary=row.dictionary,
        )
    )
    s.flush()  # type: ignore[attr-defined]
    cols = [c for c in AssessedFindingRow.__table__.columns if c.name not in ("id", "release_id")]
    rows = s.execute(select(*cols).where(AssessedFindingRow.release_id == src)).mappings().all()  # type: ignore[attr-defined]
    s.execute(insert(AssessedFindingRow), [dict(r, release_id=dst) for r in rows])  # type: ignore[attr-defined]


def _times(call: Callable[[], object]) -> list[float]:
    call()  # warm: first-use imports and template compilation are not what is measured
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]


def main(reuse: str | None = None) -> int:
    """Run the benchmark; 2 when the mirror or PostgreSQL is missing. ``reuse``: a schema
    seeded by an earlier run (``bench_server_load.py --reuse-schema``), kept."""
    if not FEEDS.is_dir():
        print(f"feed mirror {FEEDS} not found (set SOUPWATCH_SHARED)", file=sys.stderr)
        return 2
    schema = reuse or f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except psycopg.Error as err:
        print(f"PostgreSQL at {PG} does not answer: {err}", file=sys.stderr)
        return 2
    url = f"{PG}?options=-csearch_path%3D{schema}"
    settings = Settings(home=Path("/tmp"), database_url=url)
    try:
        store = Store.open(settings)
        t0 = time.perf_counter()
        fresh = not pipeline.list_products(store)
        if fresh:
            _seed(store)
        print(f"{'built' if fresh else 'reused'} {PRODUCTS * RELEASES} releases × {FINDINGS} "
              f"findings in {time.perf_counter() - t0:.0f} s")  # fmt: skip
        with store.session() as session:
            stamp = next(s for s in repo.release_stamps(session, "pump-00") if s.release == "1.0")
        from soupwatch.pipeline.assessments import _gather, device_context

        context = device_context(store, "pump-00")
        t0 = time.perf_counter()
        with store.session() as session:
            made = _gather(session, stamp, context, NOW)
        base = time.perf_counter() - t0
        print(f"baseline: assess the seed release from scratch ({len(made.findings)} findings) "
              f"{base * 1000:.0f} ms")  # fmt: skip
        store.close()
        app = create_app(settings, options())
        # an administrator's key (a new user each run: a reused schema has earlier ones)
        client = add_user(app, f"admin-{uuid.uuid4().hex[:8]}", Role.ADMINISTRATOR)
        portfolio = client.get("/api/v1/portfolio").json()
        assert len(portfolio) == PRODUCTS * RELEASES
        assert all(p["counts"]["findings"] == FINDINGS for p in portfolio), "stale assessments"
        t0 = time.perf_counter()
        snap = pipeline.record_snapshot(app.state.store, now=NOW)
        print(f"record_snapshot of {len(snap)} releases: {(time.perf_counter() - t0) * 1000:.0f} ms"
              f"  ({(time.perf_counter() - t0) / base:.3f}x baseline)")  # fmt: skip
        first = client.get("/api/v1/products/pump-07/releases/1.3/findings").json()["items"][0]
        vuln = first["vulnerability"]["id"]
        views = {
            "dashboard portfolio /": lambda: client.get("/"),
            "API /api/v1/portfolio": lambda: client.get("/api/v1/portfolio"),
            "API first findings page (50)": lambda: client.get(
                "/api/v1/products/pump-07/releases/1.3/findings"
            ),
            "dashboard release page (50)": lambda: client.get("/products/pump-07/releases/1.3"),
            "dashboard release, risk=high": lambda: client.get(
                "/products/pump-07/releases/1.3?risk=high&show=all"
            ),
            "dashboard finding detail": lambda: client.get(
                f"/products/pump-07/releases/1.3/findings/{vuln}"
            ),
            "dashboard product page": lambda: client.get("/products/pump-07"),
            "dashboard search ?q=openssl": lambda: client.get("/search?q=openssl"),
            "dashboard end of support": lambda: client.get("/support"),
        }
        for name, call in views.items():
            xs = _times(call)
            p95 = _p95(xs)
            print(f"{name:<32} p50 {statistics.median(xs) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
                  f"  ({p95 / base:.3f}x baseline)")  # fmt: skip
        app.state.store.close()
    finally:
        if reuse is None:
            with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--reuse-schema",
        metavar="SCHEMA",
        help="a schema seeded by an earlier run (created and seeded when new; kept)",
    )
    sys.exit(main(parser.parse_args().reuse_schema))
