"""What wraps every request: the Host allow-list, the security headers, the access log.

Pure ASGI middleware (no request-body buffering, so uploads still stream). CORS is Starlette's
``CORSMiddleware``, added by ``create_app`` only when origins are configured: closed by default.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOG = logging.getLogger("soupwatch.access")
"""Combined Log Format lines, one per request, with the authenticated user name."""

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
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": f"host {host!r} is not served here (see --allowed-host)",
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
