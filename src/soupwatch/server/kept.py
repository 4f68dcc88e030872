"""Rendered read responses kept per worker process under the data generation, with ETags.

Under load, most requests ask for what the last one was answered: the portfolio, a findings
page, the dashboard's portfolio. :func:`respond` keeps the rendered body under the route's key
(which includes what the caller may see) and the data generation
(:func:`soupwatch.pipeline.data_generation`: one query, moved by every write that changes what
a view shows), so a kept body is served only while nothing it shows has changed: a write is
seen by the next request. Authentication and authorization still run on every request before
the route (``security.needs``); the key carries the caller's scope, so a body made for one
caller's products is never served to a caller who sees others.

The ETag is the digest of the body: a client that sends it back in ``If-None-Match`` gets 304
with no body while the data holds.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Hashable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response

from soupwatch import pipeline
from soupwatch.server.app import store_of

KEPT_BYTES = 64 * 1024 * 1024
"""Bytes of rendered bodies kept per app (one per worker process); past it, they are dropped."""


class _Kept:
    """The bodies kept for one app (two apps in one process, on two stores, never share them)."""

    def __init__(self) -> None:
        self.bodies: dict[tuple[str, Hashable], tuple[str, bytes]] = {}
        self.held = 0


_KEPT: weakref.WeakKeyDictionary[FastAPI, _Kept] = weakref.WeakKeyDictionary()


def generation(request: Request, now: datetime | None = None) -> str:
    """The data generation as of this request (read once per request, kept on it)."""
    got: str | None = getattr(request.state, "generation", None)
    if got is None:
        got = pipeline.data_generation(store_of(request), now=now)
        request.state.generation = got
    return got


def _keep(kept: _Kept, key: tuple[str, Hashable], etag: str, body: bytes) -> None:
    if kept.held + len(body) > KEPT_BYTES:
        kept.bodies.clear()
        kept.held = 0
    kept.bodies[key] = (etag, body)
    kept.held += len(body)


def respond(
    request: Request,
    key: Hashable,
    render: Callable[[], bytes],
    media_type: str,
) -> Response:
    """The body ``render()`` makes for ``key`` under the current data generation: kept, or
    rendered and kept; 304 when the request's ``If-None-Match`` names it."""
    kept = _KEPT.setdefault(request.app, _Kept())
    full = (generation(request), key)
    hit = kept.bodies.get(full)
    if hit is None:
        body = render()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        _keep(kept, full, etag, body)
    else:
        etag, body = hit
    sent = request.headers.get("if-none-match")
    if sent is not None and etag in (t.strip() for t in sent.split(",")):
        return Response(status_code=304, headers={"etag": etag})
    return Response(body, media_type=media_type, headers={"etag": etag})
