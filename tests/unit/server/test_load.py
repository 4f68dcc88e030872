"""Graceful under load: blocking work off the event loop, back-pressure (503 with Retry-After in
the problem shape), timeouts, a pool that cannot run out into a 500, and a bounded load run.

The scale run (PostgreSQL, 200 releases x 5,000 findings, ``serve --workers 2``, 50 clients for
60 s) is ``benchmarks/bench_server_load.py``; this is its small, bounded form."""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from soupwatch.config import Settings
from soupwatch.errors import ConfigError, StoreBusy
from soupwatch.model.access import Role
from soupwatch.server.app import create_app
from soupwatch.server.middleware import Bounded
from soupwatch.store.db import Store, make_engine, pool_options
from tests.unit.server.conftest import SCANNED_FEEDS, Client, add_user, options

BASE = "http://testserver"
UPLOAD = "/api/v1/products/load/releases/1.0/sbom"


def _async_client(app: Any, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, headers=headers, timeout=120
    )


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"] and "\n" not in body["detail"]
    return body


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_large_upload_does_not_hold_a_small_get(settings: Settings, corpus: Path) -> None:
    """The upload is read while it streams and parsed in the thread pool: a GET sent once its
    last byte is on the way is answered before the upload is (it once waited 9 s for it)."""
    app = create_app(settings, options())
    token = add_user(app, "uploader", Role.ADMINISTRATOR).token
    sbom = (corpus / "sboms" / "cdx-examples__juice-shop-via_npm-bare__bom.1.4.json").read_bytes()
    sent = asyncio.Event()
    order: list[str] = []

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(sbom), 256 * 1024):
            yield sbom[start : start + 256 * 1024]
            await asyncio.sleep(0)
        sent.set()

    async def upload(c: httpx.AsyncClient) -> None:
        got = await c.post(UPLOAD, content=body(), headers={"content-type": "application/json"})
        assert got.status_code == 200, got.text
        order.append("upload")

    async def small_get(c: httpx.AsyncClient) -> None:
        await sent.wait()
        got = await c.get("/healthz")
        assert got.status_code == 200
        order.append("get")

    async def main() -> None:
        async with _async_client(app, token) as c:
            await asyncio.gather(upload(c), small_get(c))

    try:
        asyncio.run(main())
    finally:
        app.state.store.close()
    assert order == ["get", "upload"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_beyond_the_limit_a_request_is_answered_503_with_retry_after(settings: Settings) -> None:
    """One slot, no queue: while an upload holds the slot (its body still streaming), a read is
    refused at once in the problem shape, and is served again once the slot is free."""
    app = create_app(settings, options(max_concurrent=1, queue=0))
    token = add_user(app, "holder", Role.ADMINISTRATOR).token
    release = asyncio.Event()
    started = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b'{"bomFormat": "CycloneDX", "specVersion": "1.6", '
        started.set()
        await release.wait()
        yield b'"components": []}'

    async def main() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with _async_client(app, token) as c:
            held = asyncio.ensure_future(
                c.post(UPLOAD, content=body(), headers={"content-type": "application/json"})
            )
            await started.wait()
            busy = await c.get("/api/v1/products")
            health = await c.get("/healthz")  # liveness answers whatever the load
            release.set()
            await held
            return busy, health, await c.get("/api/v1/products")

    try:
        busy, health, after = asyncio.run(main())
    finally:
        app.state.store.close()
    assert _problem(busy, 503)["instance"] == "/api/v1/products"
    assert busy.headers["retry-after"].isdigit()
    assert health.status_code == 200 and after.status_code == 200


class _Slow:
    """A real ASGI app that works until told to stop (the work of a long read)."""

    def __init__(self) -> None:
        self.finish = asyncio.Event()
        self.ended = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.finish.wait()
        self.ended += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


def test_a_read_past_the_timeout_is_answered_503_and_keeps_its_slot() -> None:
    """A read over the timeout is answered 503; its work keeps the slot until it ends (a thread
    cannot be stopped), so the bound still holds; a write is not timed out."""
    slow = _Slow()
    bounded = Bounded(slow, max_concurrent=1, queue=0, timeout=0.05)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=bounded)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
            late = await c.get("/api/v1/portfolio")
            still_busy = await c.get("/api/v1/portfolio")
            slow.finish.set()
            await asyncio.sleep(0.01)
            slow.finish.clear()
            write = asyncio.ensure_future(c.post("/api/v1/vex"))
            await asyncio.sleep(0.2)  # four times the timeout
            slow.finish.set()
            return [late, still_busy, await write]

    late, still_busy, write = asyncio.run(main())
    assert "longer than 0.05 s" in _problem(late, 503)["detail"]
    assert "limit" in _problem(still_busy, 503)["detail"]
    assert write.status_code == 200 and write.text == "done"
    assert slow.ended == 2 and bounded.refused == 2


def test_a_pool_that_runs_out_is_store_busy_not_a_500(settings: Settings) -> None:
    """The pool is sized to the concurrency limit; should it still run out, the session waits
    its timeout and raises StoreBusy (503 with Retry-After), never a raw pool error."""
    store = Store(make_engine(settings.database_url, **pool_options(1, timeout=0.2)))
    spare = pool_options(1)["max_overflow"]
    held = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            held.set()
            done.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(1 + spare)]
    try:
        for t in holders:
            held.clear()
            t.start()
            assert held.wait(10)
        with pytest.raises(StoreBusy, match="busy"), store.session() as session:
            session.connection()
    finally:
        done.set()
        for t in holders:
            t.join()
        store.close()


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.synced(*SCANNED_FEEDS)
def test_twenty_clients_get_answers_or_503_and_memory_stays_bounded(
    scanned: Client, settings: Settings
) -> None:
    """20 concurrent clients for several rounds against a limit of 4 at work and 4 waiting: every
    answer is 200, or 503 with Retry-After in the problem shape; nothing else, and the process
    does not keep what the rounds allocated."""
    app = create_app(settings, options(max_concurrent=4, queue=4, queue_seconds=0.5))
    token = add_user(app, "reader", Role.AUDITOR).token
    pages = (
        "/api/v1/portfolio",
        "/api/v1/products/infusion-pump/releases/1.0/findings?limit=50",
        "/api/v1/products",
        "/",
    )
    statuses: Counter[int] = Counter()

    async def client(c: httpx.AsyncClient, n: int) -> None:
        for i in range(4):
            got = await c.get(pages[(n + i) % len(pages)])
            statuses[got.status_code] += 1
            if got.status_code == 503:
                _problem(got, 503)
                assert got.headers["retry-after"].isdigit()
            else:
                assert got.status_code in (200, 303), got.text

    async def round_of_20() -> None:
        async with _async_client(app, token) as c:
            await asyncio.gather(*(client(c, n) for n in range(20)))

    try:
        asyncio.run(round_of_20())  # warm: caches, templates, connections
        before = _rss()
        for _ in range(3):
            asyncio.run(round_of_20())
        grown = _rss() - before
    finally:
        app.state.store.close()
    assert sum(statuses.values()) == 4 * 20 * 4
    assert statuses[200] > 0 and set(statuses) <= {200, 303, 503}
    assert grown < 64 * 1024 * 1024, f"RSS grew by {grown / 1e6:.0f} MB over 3 rounds"


def test_each_worker_builds_the_options_serve_was_given() -> None:
    """``serve --workers N`` hands its options to the worker processes as JSON; the OIDC
    client secret is not in it (each worker reads its own variable)."""
    from soupwatch.server.app import OidcSettings, ServerOptions
    from soupwatch.server.serving import options_from_json, options_json

    given = ServerOptions(
        allowed_hosts=("soupwatch.example",),
        max_concurrent=3,
        request_timeout=7.5,
        cors_origins=("https://a.example",),
        oidc=OidcSettings(issuer="https://idp.example", client_id="sw", client_secret="s3cret"),
    )
    text = options_json(given)
    assert "s3cret" not in text
    assert options_from_json(text, "s3cret") == given
    with pytest.raises(ConfigError, match="SOUPWATCH_OIDC_CLIENT_SECRET"):
        options_from_json(text, None)
    with pytest.raises(ConfigError, match="SOUPWATCH_SERVE_OPTIONS"):
        options_from_json('{"max_concurrent": 3}')


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_api_error_is_problem_json(client: Client) -> None:
    """413 (declared and streamed), 415, a malformed body, an unknown route and method: the
    documented shape every time, never plain text."""
    api = "/api/v1/products/p/releases/1/sbom"
    json_type = {"content-type": "application/json"}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 4096  # 160 KiB without a Content-Length: counted while it streams

    cases = [
        (client.post(api, content=b"{}" + b" " * 70_000, headers=json_type), 413),
        (client.post(api, content=chunks(), headers=json_type), 413),
        (client.post(api, content=b"name: x", headers={"content-type": "text/plain"}), 415),
        (client.post("/api/v1/products", content=b'{"name": ', headers=json_type), 422),
        (client.get("/api/v1/no-such-thing"), 404),
        (client.request("DELETE", "/api/v1/portfolio"), 405),
    ]
    for response, status in cases:
        _problem(response, status)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_killed_servers_upload_folder_goes_at_the_next_start(settings: Settings) -> None:
    """Uploads work in folders named like discovery's (``soupwatch-unpack-<pid>-upload-…``):
    the app removes those of dead processes when it starts; a live process's stay."""
    import subprocess
    import sys
    import tempfile

    from soupwatch.discover.unpack import WORK_PREFIX

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    dead = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{gone.stdout.strip()}-upload-"))
    (dead / "uploaded-sbom.json").write_bytes(b"{}")
    alive = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-upload-"))
    try:
        app = create_app(settings, options())
        app.state.store.close()
        assert not dead.exists() and alive.is_dir()
    finally:
        alive.rmdir()


ASYNC_ROUTES = {
    "upload_sbom",
    "login",
    "post_events",
    "import_units",
    "disclose_post",
    "report_vulnerability",
}
"""The only ``async def`` routes: each awaits the body, then hands its work to the thread pool."""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_routes_do_their_work_off_the_event_loop(settings: Settings) -> None:
    """A plain ``def`` route runs in Starlette's thread pool; an ``async def`` one runs on the
    event loop, where one synchronous query holds every other request. New routes are plain."""
    import inspect

    from fastapi.routing import APIRoute

    try:  # FastAPI >= 0.16x keeps included routers as routes of their own
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is flat
        iter_route_contexts = list  # type: ignore[assignment]

    app = create_app(settings, options())
    app.state.store.close()
    routes = [getattr(c, "original_route", c) for c in iter_route_contexts(app.routes)]
    endpoints = [r.endpoint for r in routes if isinstance(r, APIRoute)]
    found = {e.__name__ for e in endpoints if inspect.iscoroutinefunction(e)}
    assert len(endpoints) > 20 and "upload_sbom" in found
    assert found <= ASYNC_ROUTES, f"async routes doing their work on the event loop: {found}"


def test_proxy_headers_are_believed_only_from_named_proxies() -> None:
    """uvicorn believes ``X-Forwarded-*`` from 127.0.0.1 unless told otherwise: serve tells it
    to believe no one unless ``--trusted-proxy`` names addresses."""
    import uvicorn

    from soupwatch.cli.serve_cmd import uvicorn_options
    from soupwatch.server.serving import FACTORY

    closed = uvicorn.Config(FACTORY, **uvicorn_options("127.0.0.1", 0, 2, []))
    assert closed.proxy_headers is False and closed.workers == 2 and closed.factory
    assert closed.timeout_keep_alive == 75  # outlasts a proxy's idle upstream connections
    trusted = uvicorn.Config(FACTORY, **uvicorn_options("127.0.0.1", 0, 1, ["10.0.0.5"]))
    assert trusted.proxy_headers is True and trusted.forwarded_allow_ips == "10.0.0.5"
