"""REST: device telemetry in batches (a unit, a gateway or an update server sends events).

The answer comes after the commit: a 200 means every event counted as ``stored`` or
``duplicates`` is in the store; a client that saw no answer sends the batch again, and the
events' keys make the second delivery harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from soupwatch.model.access import Permission, Principal
from soupwatch.model.telemetry import RejectedEvent, Transport
from soupwatch.monitor import MAX_BATCH, MAX_MESSAGE, events_from_json, ingest
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute, read_limited
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["telemetry"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 413: {"model": ErrorOut}},
)
MAX_BODY = MAX_MESSAGE * 16
"""Largest batch body (bytes)."""


@router.post(
    "/telemetry/events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "array", "items": {}}}},
        }
    },
)
async def post_events(
    request: Request, principal: Annotated[Principal, needs(Permission.REPORT_TELEMETRY)]
) -> dict[str, Any]:
    """Store a batch of events (a JSON array of ``{unit, time, kind, id?, fields?}``, at most
    ``MAX_BATCH``); answers what was stored, what was already stored, and each refusal with
    its index and reason."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, f"telemetry is sent as application/json, not {kind!r}")
    body = await read_limited(request, MAX_BODY, "the telemetry batch", empty_ok=True)
    outcomes = events_from_json(body, Transport.HTTP)
    if len(outcomes) == 1 and isinstance(outcomes[0], RejectedEvent) and body[:1] != b"{":
        raise HTTPException(400, f"telemetry batch: {outcomes[0].reason}")
    recorded = await run_in_threadpool(ingest, store_of(request), outcomes, datetime.now(UTC))
    refused = [
        {"index": i, "reason": o.reason}
        for i, o in enumerate(outcomes)
        if isinstance(o, RejectedEvent)
    ]
    return {**recorded.as_dict(), "refused": refused[:100], "max_batch": MAX_BATCH}
