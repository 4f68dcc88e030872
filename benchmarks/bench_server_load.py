"""Load-test the real server on PostgreSQL: 200 releases × 5,000 findings, ``serve --workers 2``.

Seeds a fresh PostgreSQL schema (``SOUPWATCH_BENCH_PG``, default the test server on
127.0.0.1:5432, database ``test``) the way ``bench_dashboard.py`` does (its seeding is reused),
starts ``soupwatch serve --workers 2`` on a free loopback port, then over real sockets:

- baseline: one client, one request after the other, ``RUNS`` times per view: p50/p95 of the
  API portfolio, the dashboard portfolio (``/``) and a 50-row findings page (target p95 < 300 ms);
- load: ``CLIENTS`` concurrent clients for ``SECONDS`` seconds (fixed count and duration), each
  cycling through the same views, run by a plain asyncio HTTP/1.1 keep-alive client (bodies
  read by length, not parsed) in a separate process:
  requests, errors (anything but 200; 503s counted separately), p50/p95, requests per second;
- the server's memory (RSS of the uvicorn process and its workers) before and after the load;
- the CPU the server (supervisor and workers) and the load client used, per answered request,
  and the machine's load average: on a shared machine the latencies follow its load.

Prints the ratios of the loaded latencies to the single-client baseline. Exit 1 when a request
failed (other than 503), 2 when the mirror or PostgreSQL is missing.

``python benchmarks/bench_server_load.py --clients 50 --seconds 60`` (the defaults); the load
client alone: ``--client URL TOKEN`` (what the benchmark runs in its second process);
``--reuse-schema NAME`` seeds that schema once and keeps it for the next run;
``--serve-option ARG`` (repeated) passes more arguments to ``soupwatch serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("SOUPWATCH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLIENTS, SECONDS, RUNS, WORKERS = 50, 60, 30, 2
VIEWS = {
    "API portfolio": "/api/v1/portfolio",
    "dashboard portfolio /": "/",
    "API findings page (50)": "/api/v1/products/pump-07/releases/1.3/findings?limit=50",
}
LAUNCH = "import sys\nfrom soupwatch.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"


def _p(xs: list[float], q: float) -> float:
    return sorted(xs)[max(0, int(len(xs) * q + 0.5) - 1)] if xs else float("nan")


# --- the load client (its own process) ------------------------------------------------------


class _Conn:
    """One keep-alive HTTP/1.1 connection: the request written, the status and headers parsed,
    the body read by its Content-Length and not parsed (a load client must cost little CPU:
    on a small machine it shares the cores with the server)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, dict[bytes, bytes]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.writer.close()
            self.writer = None
            raise
        if headers.get(b"connection") == b"close":
            self.writer.close()
            self.writer = None
        return status, headers


async def _load(base: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    times: dict[str, list[float]] = {name: [] for name in VIEWS}
    stop = time.perf_counter() + seconds
    host, port = base.removeprefix("http://").rsplit(":", 1)

    async def one(n: int) -> None:
        conn = _Conn(host, int(port), token)
        names = list(VIEWS)
        i = n
        while time.perf_counter() < stop:
            name = names[i % len(names)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, headers = await asyncio.wait_for(conn.get(VIEWS[name]), 120)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError,
                    TimeoutError) as err:  # fmt: skip
                failures[type(err).__name__] += 1
                if conn.writer is not None:  # a cut-off answer: start a new connection
                    conn.writer.close()
                    conn.writer = None
                continue
            statuses[status] += 1
            if status == 200:
                times[name].append(time.perf_counter() - t0)
            elif status == 503:
                await asyncio.sleep(float(headers.get(b"retry-after", b"1")))
        if conn.writer is not None:
            conn.writer.close()

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(n) for n in range(clients)))
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "seconds": took,
        "client_cpu": cpu,
        "statuses": {str(k): v for k, v in statuses.items()},
        "failures": dict(failures),
        "times": times,
    }


def client_main(base: str, token: str, clients: int, seconds: float) -> int:
    """The load client: prints its tally as one JSON line."""
    print(json.dumps(asyncio.run(_load(base, token, clients, seconds))))
    return 0


# --- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _rss_tree(pid: int) -> int:
    """RSS bytes of ``pid`` and its descendants (the uvicorn supervisor and its workers)."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            total += int((Path(f"/proc/{p}/statm")).read_text().split()[1]) * os.sysconf(
                "SC_PAGE_SIZE"
            )
        except OSError:
            continue
    return total


def _cpu_tree(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants."""
    kids: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
        stats[int(entry.name)] = fields
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        if p in stats:  # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name
            total += (int(stats[p][11]) + int(stats[p][12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(240):  # attempts of 0.5 s
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)
    raise SystemExit("server did not answer within 120 s")


def _single(base: str, token: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        for name, path in VIEWS.items():
            for _ in range(3):  # warm: every worker computes nothing, but imports and caches
                assert c.get(path, timeout=120).status_code == 200, path
            xs = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                got = c.get(path, timeout=120)
                xs.append(time.perf_counter() - t0)
                assert got.status_code == 200, f"{path}: {got.status_code} {got.text[:200]}"
            out[name] = xs
    return out


def main(
    clients: int, seconds: float, reuse: str | None = None, serve: list[str] | None = None
) -> int:
    """Seed, serve, measure; 1 on a failed request, 2 when a prerequisite is missing.
    ``reuse``: an existing schema seeded by an earlier run (kept, not seeded again)."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    import bench_dashboard as seeding  # the 200 × 5,000 seeding, shared

    from soupwatch.config import Settings
    from soupwatch.model.access import KeyScope, Role
    from soupwatch.pipeline import accounts
    from soupwatch.store.db import Store

    if not seeding.FEEDS.is_dir():
        print(f"feed mirror {seeding.FEEDS} not found (set SOUPWATCH_SHARED)", file=sys.stderr)
        return 2
    schema = reuse or f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except psycopg.Error as err:
        print(f"PostgreSQL at {PG} does not answer: {err}", file=sys.stderr)
        return 2
    url = f"{PG}?options=-csearch_path%3D{schema}"
    home = Path(tempfile.mkdtemp(prefix="soupwatch-bench-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        store = Store.open(Settings(home=home, database_url=url))
        t0 = time.perf_counter()
        now = datetime.now(UTC)  # the user first: its audit entry must not outdate the seed
        fresh = not any(u.name == "bench" for u in accounts.list_users(store))
        if fresh:
            accounts.create_user(
                store, "bench", Role.AUDITOR, "bench password 123", actor="bench", now=now
            )
        token = accounts.create_key(
            store, "bench", KeyScope.READ, days=1, label="bench", actor="bench", now=now
        ).token
        if fresh:
            seeding._seed(store)
        store.close()
        print(f"{'built' if fresh else 'reused'} {seeding.PRODUCTS * seeding.RELEASES} releases "
              f"× {seeding.FINDINGS} findings in {time.perf_counter() - t0:.0f} s")  # fmt: skip
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, SOUPWATCH_DATABASE_URL=url, SOUPWATCH_HOME=str(home))
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--workers", str(WORKERS)]
            + (serve or []),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_up(base, proc)
        got_portfolio = httpx.get(
            base + VIEWS["API portfolio"], headers={"Authorization": f"Bearer {token}"}, timeout=600
        ).json()
        assert len(got_portfolio) == seeding.PRODUCTS * seeding.RELEASES
        assert all(p["counts"]["findings"] == seeding.FINDINGS for p in got_portfolio), "stale"
        single = _single(base, token)
        print(f"server: soupwatch serve --workers {WORKERS} {' '.join(serve or [])}, PostgreSQL, "
              "loopback")  # fmt: skip
        print(f"baseline: 1 client, {RUNS} requests per view after 3 warm-up requests")
        for name, xs in single.items():
            print(f"  {name:<24} p50 {statistics.median(xs) * 1000:7.1f} ms  "
                  f"p95 {_p(xs, 0.95) * 1000:7.1f} ms")  # fmt: skip
        rss_before = _rss_tree(proc.pid)
        cpu_before = _cpu_tree(proc.pid)
        load_before = os.getloadavg()[0]
        got = subprocess.run(
            [sys.executable, __file__, "--client", base, token,
             "--clients", str(clients), "--seconds", str(seconds)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        load = json.loads(got.stdout.strip().splitlines()[-1])
        rss_after = _rss_tree(proc.pid)
        cpu_used = _cpu_tree(proc.pid) - cpu_before
        load_after = os.getloadavg()[0]
        statuses = {int(k): v for k, v in load["statuses"].items()}
        total = sum(statuses.values()) + sum(load["failures"].values())
        errors = sum(v for k, v in statuses.items() if k not in (200, 503))
        errors += sum(load["failures"].values())
        print(f"load: {clients} clients for {seconds:g} s: {total} requests, "
              f"{statuses.get(200, 0)} ok, {errors} errors, {statuses.get(503, 0)} answered 503, "
              f"{total / load['seconds']:.1f} requests/s")  # fmt: skip
        if load["failures"] or errors:
            print(f"  statuses {statuses}, transport failures {load['failures']}")
        ok = statuses.get(200, 0)
        print(f"  server CPU {cpu_used:.1f} s over {load['seconds']:.0f} s "
              f"({cpu_used / load['seconds']:.2f} cores of {os.cpu_count()}), "
              f"{cpu_used / max(ok, 1) * 1000:.1f} ms per answered request; machine load "
              f"average {load_before:.1f} before, {load_after:.1f} after")  # fmt: skip
        share = load["client_cpu"] / load["seconds"]
        print(f"  load client CPU {load['client_cpu']:.1f} s ({share:.2f} cores, one "
              "process)")  # fmt: skip
        for name, xs in load["times"].items():
            base_p95 = _p(single[name], 0.95)
            p95, p99 = _p(xs, 0.95), _p(xs, 0.99)
            print(f"  {name:<24} p50 {statistics.median(xs) * 1000:7.1f} ms  "
                  f"p95 {p95 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
                  f"({p95 / base_p95:.1f}x 1-client p95)")  # fmt: skip
        print(f"server RSS (supervisor + {WORKERS} workers): {rss_before / 1e6:.0f} MB before, "
              f"{rss_after / 1e6:.0f} MB after ({rss_after / rss_before:.2f}x)")  # fmt: skip
        return 1 if errors else 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        if reuse is None:
            with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--client", nargs=2, metavar=("URL", "TOKEN"))
    parser.add_argument(
        "--reuse-schema",
        metavar="SCHEMA",
        help="serve a schema seeded by an earlier run (created and seeded when new; kept)",
    )
    parser.add_argument("--serve-option", action="append", default=[], metavar="ARG",
                        help="one more argument of `soupwatch serve` (repeat)")  # fmt: skip
    args = parser.parse_args()
    if args.client:
        sys.exit(client_main(args.client[0], args.client[1], args.clients, args.seconds))
    sys.exit(main(args.clients, args.seconds, args.reuse_schema, args.serve_option))
