"""Benchmark the API v1 reads this branch added, on PostgreSQL: cursor paging of findings and
component search across the portfolio.

Builds the portfolio of ``bench_dashboard.py`` (its ``_seed``: the example pump's real
findings cut to 5,000 per release, copied to every release), smaller: 10 products × 5
releases. Then times, through the ASGI app in-process:

- baseline: the first findings page (50 rows), as ``bench_dashboard.py`` measures it;
- walking all 5,000 findings of a release 50 at a time by ``cursor`` (100 requests), and the
  same walk by ``offset``; and the last page alone, by cursor and by offset;
- a component search by name with a ``vers`` range over the whole portfolio (administrator)
  and scoped to one team's product (a product-security user), through the API and as the
  query alone (the API time of a team's user includes resolving its key to its products).

Prints each time and its ratio to the baseline.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

from soupwatch import pipeline
from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.pipeline import accounts
from soupwatch.server.app import create_app
from soupwatch.store.db import Store

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import bench_dashboard as seed  # noqa: E402  (the portfolio it builds)
from tests.unit.server.conftest import NOW, add_user, admin_client, options  # noqa: E402

RUNS = 15
URL = "/api/v1/products/pump-03/releases/1.2/findings"


def _walk(client: object, by_cursor: bool) -> int:
    got, params = 0, {"limit": 50}
    page = client.get(URL, params=params).json()  # type: ignore[attr-defined]
    got += len(page["items"])
    while got < page["total"]:
        if by_cursor:
            params = {"limit": 50, "cursor": page["next_cursor"]}
        else:
            params = {"limit": 50, "offset": got}
        page = client.get(URL, params=params).json()  # type: ignore[attr-defined]
        got += len(page["items"])
    return got


def _time(call: object, runs: int = RUNS) -> list[float]:
    call()  # type: ignore[operator]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    """Run the benchmark; 2 when the mirror or PostgreSQL is missing."""
    seed.PRODUCTS, seed.RELEASES = 10, 5
    if not seed.FEEDS.is_dir():
        print(f"feed mirror {seed.FEEDS} not found (set SOUPWATCH_SHARED)", file=sys.stderr)
        return 2
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(seed.PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as err:
        print(f"PostgreSQL at {seed.PG} does not answer: {err}", file=sys.stderr)
        return 2
    settings = Settings(
        home=Path("/tmp"), database_url=f"{seed.PG}?options=-csearch_path%3D{schema}"
    )
    try:
        store = Store.open(settings)
        t0 = time.perf_counter()
        seed._seed(store)
        print(f"built {seed.PRODUCTS * seed.RELEASES} releases × {seed.FINDINGS} findings in "
              f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
        store.close()
        app = create_app(settings, options())
        admin = admin_client(app)
        accounts.create_team(app.state.store, "pump-03", actor="bench", now=NOW)
        accounts.set_grant(app.state.store, "pump-03", "pump-03", True, actor="bench", now=NOW)
        team = add_user(app, "sec", Role.PRODUCT_SECURITY, teams=("pump-03",))
        assert _walk(admin, True) == _walk(admin, False) == seed.FINDINGS
        base = statistics.median(_time(lambda: admin.get(URL, params={"limit": 50})))
        print(f"baseline: first findings page (50)        {base * 1000:8.1f} ms")
        last = seed.FINDINGS - 50
        first = admin.get(URL, params={"limit": 50}).json()
        cursor = first["next_cursor"]
        for _ in range(last // 50 - 1):
            cursor = admin.get(URL, params={"limit": 50, "cursor": cursor}).json()["next_cursor"]
        search = {"name": "openssl", "range": "vers:generic/>=1.1.0|<1.1.1w"}
        cases = {
            "walk 5,000 by cursor (100 pages)": (lambda: _walk(admin, True), 3),
            "walk 5,000 by offset (100 pages)": (lambda: _walk(admin, False), 3),
            "last page by cursor": (
                lambda: admin.get(URL, params={"limit": 50, "cursor": cursor}),
                RUNS,
            ),
            "last page by offset": (
                lambda: admin.get(URL, params={"limit": 50, "offset": last}),
                RUNS,
            ),
            "component search, whole portfolio": (
                lambda: admin.get("/api/v1/components", params=search),
                RUNS,
            ),
            "component search, one team's product": (
                lambda: team.get("/api/v1/components", params=search),
                RUNS,
            ),
            "  the query alone, whole portfolio": (
                lambda: pipeline.search_components(app.state.store, **search),
                RUNS,
            ),
            "  the query alone, one team's product": (
                lambda: pipeline.search_components(
                    app.state.store, **search, products=frozenset({"pump-03"})
                ),
                RUNS,
            ),
            "  who the team's key is (GET /me)": (lambda: team.get("/api/v1/me"), RUNS),
        }
        for name, (call, runs) in cases.items():
            xs = _time(call, runs)
            med = statistics.median(xs)
            print(f"{name:<42} {med * 1000:8.1f} ms  ({med / base:.2f}x baseline)")
        hits = admin.get("/api/v1/components", params=search).json()["items"]
        mine = team.get("/api/v1/components", params=search).json()["items"]
        print(f"search hits: {len(hits)} across the portfolio, {len(mine)} for the team")
        app.state.store.close()
    finally:
        with psycopg.connect(seed.PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
