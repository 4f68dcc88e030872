"""The one reader of raw request bodies (SBOM uploads, unit imports, telemetry batches): a
declared or streamed size above the limit is 413 before more is read, an empty body is 422;
both name what the body was meant to be."""

from __future__ import annotations

from fastapi import HTTPException, Request


async def read_limited(request: Request, limit: int, noun: str, *, empty_ok: bool = False) -> bytes:
    """The body of ``request``, at most ``limit`` bytes (``noun`` names it in the errors)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(
            413, f"{noun} is {int(declared):,} bytes, above the {limit:,}-byte limit"
        )
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"{noun} is above the {limit:,}-byte limit")
    if not body and not empty_ok:
        raise HTTPException(422, f"{noun}: the request body is empty")
    return bytes(body)
