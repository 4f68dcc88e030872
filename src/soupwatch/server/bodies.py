"""The one reader of raw request bodies (SBOM uploads, unit imports, telemetry batches): a
declared or streamed size above the limit is 413 before more is read, an empty body is 422;
both name what the body was meant to be. And the JSON bodies FastAPI parses for a route's body
model: every router's routes are :class:`LimitedRoute`, whose JSON goes through the named
input limits (:func:`parse_json_body`)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from soupwatch.errors import SoupwatchError


async def read_limited(request: Request, limit: int, noun: str, *, empty_ok: bool = False) -> bytes:
    """The body of ``request``, at most ``limit`` bytes (``noun`` names it in the errors)."""
    declared = request.headers.get("content-length") or ""
    if declared.isascii() and declared.isdigit():
        # a header of thousands of digits is over any limit; it is not turned into a number
        size = int(declared) if len(declared) <= 20 else None
        if size is None or size > limit:
            stated = f"{size:,} bytes" if size is not None else f"{len(declared):,} digits long"
            raise HTTPException(413, f"{noun} is {stated}, above the {limit:,}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"{noun} is above the {limit:,}-byte limit")
    if not body and not empty_ok:
        raise HTTPException(422, f"{noun}: the request body is empty")
    return bytes(body)


MAX_BODY_VALUES = 1_000_000
"""A JSON request body holds at most this many values (``max_json_values``, when lower,
wins): a decision, a unit check-in or a rule is a few dozen; parsed, a million values are
about 100 MB, and a 16 MB body of empty lists came near 1 GB under the general limit. SBOM
uploads and unit imports are read as files, under the general limits."""


def parse_json_body(raw: bytes) -> Any:
    """A JSON request body parsed within the named input limits (``config.InputLimits``:
    depth, number digits, string length, value count; at most :data:`MAX_BODY_VALUES`
    values). A body outside them is 422 naming the limit; so is a string no store can carry
    (NUL, control characters, lone surrogates), which a file import cleans instead: the sender
    of a request can send it again (``pipeline.read_request_json``)."""
    from soupwatch.pipeline import read_request_json

    try:
        return read_request_json(raw, max_values=MAX_BODY_VALUES)
    except SoupwatchError as err:
        raise HTTPException(422, str(err)) from None


class LimitedRequest(Request):
    """A request whose ``json()`` is :func:`parse_json_body`: FastAPI parses every JSON body
    of a route through it, so a body model never sees what the limits refuse."""

    async def json(self) -> Any:
        if not hasattr(self, "_limited_json"):
            self._limited_json = parse_json_body(await self.body())
        return self._limited_json


class LimitedRoute(APIRoute):
    """The route class of every router: its requests are :class:`LimitedRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            return await handler(LimitedRequest(request.scope, request.receive))

        return limited
