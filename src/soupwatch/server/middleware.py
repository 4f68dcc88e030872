"""What wraps every request: the Host allow-list, the security headers, the access log, and
back-pressure (:class:`Bounded`: a concurrency limit per worker, 503 with Retry-After beyond it).

Pure ASGI middleware (no request-body buffering, so uploads still stream). CORS is Starlette's
``CORSMiddleware``, added by ``create_app`` only when origins are configured: closed by default.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soupwatch.config import DEFAULT_MAX_CONCURRENT, DEFAULT_REQUEST_TIMEOUT

ACCESS_LOG = logging.getLogger("soupwatch.access")
"""Combined Log Format lines, one per request, with the authenticated user name."""
ERROR_LOG = logging.getLogger("soupwatch.server")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The dashboard's Content-Security-Policy: nothing from elsewhere, nothing inline."""
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""/docs and /redoc: FastAPI's pages start Swagger UI and ReDoc with an inline script; every
asset is still served from here."""
DOCS_PATHS = ("/docs", "/redoc")


def _host_name(host: str) -> str:
    """The name of a Host header without its port (``[::1]:8080`` → ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostAndHeaders:
    """Refuse a Host header not in the allow-list (400, problem+json); add security headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if "*" not in self.allowed and host not in self.allowed:
            await _refuse_host(scope, send, host)
            return
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (
                        b"content-security-policy",
                        (DOCS_CSP if path in DOCS_PATHS else CSP).encode(),
                    ),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not path.startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse_host(scope: Scope, send: Send, host: str) -> None:
    await send_problem(send, scope, 400, f"host {host!r} is not served here (see --allowed-host)")


class AccessLog:
    """One Combined Log Format line per request, with the authenticated user (``-`` if none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 0, "bytes": 0}

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            ACCESS_LOG.info(combined_line(scope, seen["status"] or 500, seen["bytes"]))


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def combined_line(scope: Scope, status: int, size: int, now: float | None = None) -> str:
    """``host - user [time] "METHOD path HTTP/v" status bytes "referer" "user-agent"``."""
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
    client = scope.get("client") or ("-", 0)
    state = scope.get("state") or {}
    user = str(state.get("user") or "-").replace(" ", "_")
    path = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
    if scope.get("query_string"):
        path += "?" + scope["query_string"].decode("latin-1")
    when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))
    request = f"{scope.get('method', '-')} {path} HTTP/{scope.get('http_version', '1.1')}"
    return (
        f'{client[0]} - {user} [{when}] "{_quote(request)}" {status} {size or "-"} '
        f'"{_quote(headers.get("referer", "-"))}" "{_quote(headers.get("user-agent", "-"))}"'
    )


DEFAULT_QUEUE = 64
"""Requests one worker lets wait for a free slot before answering 503 at once."""
DEFAULT_QUEUE_SECONDS = 10.0
"""Seconds a request waits for a free slot before it is answered 503."""
RETRY_AFTER = 2
"""The ``Retry-After`` seconds of a 503 from :class:`Bounded`."""
UNBOUNDED_PATHS = ("/healthz", "/static/")
"""Answered whatever the load: liveness and static assets touch no database."""


class Bounded:
    """Back-pressure: at most ``max_concurrent`` requests at work, at most ``queue`` waiting
    (each for ``queue_seconds``); any other is answered ``503`` with ``Retry-After`` in the
    problem-JSON shape at once, instead of piling up threads, connections and memory.

    A read that runs longer than ``timeout`` seconds is answered 503 too; its work (a thread
    cannot be stopped) keeps its slot until it ends, so the bound holds while it finishes.
    Writes are not timed out: their client learns how they ended.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        queue: int = DEFAULT_QUEUE,
        queue_seconds: float = DEFAULT_QUEUE_SECONDS,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self.queue = queue
        self.queue_seconds = queue_seconds
        self.timeout = timeout
        self.waiting = 0
        self.refused = 0
        """503s answered so far (busy or timed out), for the logs and the tests."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(max_concurrent)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests run one per request)
            self._loop = loop
            self._slots = asyncio.Semaphore(self.max_concurrent)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNBOUNDED_PATHS):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        if slots.locked():
            if self.waiting >= self.queue:
                await self._refuse(scope, send, "the server is at its limit of waiting requests")
                return
            self.waiting += 1
            try:
                await asyncio.wait_for(slots.acquire(), self.queue_seconds)
            except TimeoutError:
                await self._refuse(
                    scope, send, f"no request slot free within {self.queue_seconds:g} s"
                )
                return
            finally:
                self.waiting -= 1
        else:
            await slots.acquire()
        if scope.get("method") not in ("GET", "HEAD"):
            try:
                await self.app(scope, receive, send)
            finally:
                slots.release()
            return
        await self._timed(scope, receive, send, slots)

    async def _timed(
        self, scope: Scope, receive: Receive, send: Send, slots: asyncio.Semaphore
    ) -> None:
        state = {"started": False, "abandoned": False}

        async def guarded(message: Message) -> None:
            if state["abandoned"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        work = asyncio.ensure_future(self.app(scope, receive, guarded))
        work.add_done_callback(lambda _: slots.release())
        done, _ = await asyncio.wait({work}, timeout=self.timeout)
        if done or state["started"]:
            await work  # finished (re-raise its error), or already answering: let it end
            return
        state["abandoned"] = True
        work.add_done_callback(_retrieve)
        await self._refuse(
            scope, send, f"the request took longer than {self.timeout:g} s; try again later"
        )

    async def _refuse(self, scope: Scope, send: Send, detail: str) -> None:
        self.refused += 1
        await send_problem(send, scope, 503, detail, [(b"retry-after", str(RETRY_AFTER).encode())])


def _retrieve(task: asyncio.Future[None]) -> None:
    """Collect an abandoned request's outcome (its error is logged, not lost)."""
    if not task.cancelled() and task.exception() is not None:
        ERROR_LOG.error("abandoned request failed", exc_info=task.exception())


async def send_problem(
    send: Send,
    scope: Scope,
    status: int,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with an RFC 9457 problem (what ``server/errors.py`` gives the routes), from
    middleware that runs outside the app's exception handlers."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
