"""REST: deployed units (bulk import, list, one unit), check-ins, update campaigns, drift,
postmarket metrics, and the customer ↔ team mapping. Every write is audited under the caller.

A unit the caller may not see (another team's product, or for the hospital customer role
another customer's unit) is answered 404, as for a unit that does not exist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from soupwatch import fleet
from soupwatch.config import input_limits
from soupwatch.errors import Forbidden
from soupwatch.model.access import Permission, Principal
from soupwatch.model.fleet import UnitStatus
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute, read_limited
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import check_product, needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["fleet"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
Reader = Annotated[Principal, needs(Permission.READ)]
Manager = Annotated[Principal, needs(Permission.MANAGE_FLEET)]
UNIT_TYPES = frozenset({"application/json", "text/csv"})
METRICS_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/units",
    status_code=201,
    responses={413: {"model": ErrorOut}, 415: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_units(request: Request, principal: Manager) -> dict[str, Any]:
    """Bulk import of units (JSON list, ``{"units": [...]}`` or CSV with a header row; the
    columns of docs/fleet.md), all or none, audited ``fleet.import``. A unit of a product the
    caller does not see is 404; a bad row is 422 naming the row and the column."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in UNIT_TYPES:
        raise HTTPException(
            415, f"units must be sent as application/json or text/csv, not {kind!r}"
        )
    raw = await read_limited(request, options_of(request).max_upload_bytes, "the unit export")
    name = "body.json" if kind == "application/json" else "body.csv"
    # parsing and storing are synchronous: the thread pool, never the event loop
    result = await run_in_threadpool(
        partial(
            fleet.import_units,
            store_of(request),
            raw,
            name,
            input_limits(),
            actor=principal.name,
            now=_now(),
            may_import=principal.sees,
        )
    )
    return fleet.import_json(result)


@router.get("/units")
def list_units(
    request: Request,
    principal: Reader,
    product: str | None = None,
    release: str | None = None,
    site: str | None = None,
    customer: str | None = None,
    status: UnitStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """The units the caller sees, filtered, by serial (a page of ``limit`` from ``offset``)."""
    store = store_of(request)
    units = fleet.list_units(
        store,
        fleet.UnitFilter(product, release, site, customer, status),
        fleet.scope_of(store, principal),
        limit=limit,
        offset=offset,
    )
    return [fleet.unit_json(u) for u in units]


@router.get("/units/{serial}")
def unit(request: Request, serial: str, principal: Reader) -> dict[str, Any]:
    """One unit with its moves between releases, its patch status per vulnerability and its
    open drift."""
    store = store_of(request)
    scope = fleet.scope_of(store, principal)
    found = fleet.find_unit(store, serial, scope)
    return fleet.unit_detail_json(
        found,
        fleet.unit_moves(store, serial),
        fleet.unit_patch_status(store, serial, scope, now=_now()),
        fleet.unit_drift(store, scope, serial),
    )


class CheckInIn(BaseModel):
    """What a unit (or the update server) reports."""

    release: str | None = Field(None, min_length=1, max_length=255)
    """The installed release (omitted: unchanged)."""
    components: list[dict[str, Any]] | None = Field(None, max_length=100_000)
    """``[{"name": …, "version": …}]`` as the unit reads them (omitted: it cannot)."""


@router.post("/units/{serial}/check-in", responses={422: {"model": ErrorOut}})
def check_in(
    request: Request,
    serial: str,
    body: CheckInIn,
    principal: Annotated[Principal, needs(Permission.CHECK_IN)],
) -> dict[str, Any]:
    """Record a check-in (audited ``unit.check_in``): a release change is a move dated now;
    reported component versions that differ from the release's SBOM are drift findings. Needs
    an API key (a browser session may not report for a unit)."""
    if principal.key_scope is None:
        raise Forbidden("a check-in needs an API key (soupwatch admin create-key)")
    store = store_of(request)
    reported = None if body.components is None else fleet.reported_components(body.components)
    done = fleet.check_in(
        store,
        serial,
        body.release,
        reported,
        fleet.scope_of(store, principal),
        actor=principal.name,
        now=_now(),
    )
    return fleet.check_in_json(done)


class CampaignIn(BaseModel):
    """An update campaign: units moved to a release on a day."""

    name: str = Field(min_length=1, max_length=200)
    product: str = Field(min_length=1, max_length=255)
    release: str = Field(min_length=1, max_length=255)
    serials: list[str] = Field(min_length=1, max_length=100_000)
    moved_on: date | None = None
    """None: the day is unknown (the metrics count it so; never guessed)."""


@router.post("/fleet/campaigns", status_code=201, responses={422: {"model": ErrorOut}})
def campaign(request: Request, body: CampaignIn, principal: Manager) -> dict[str, Any]:
    """Record an update campaign (audited ``fleet.campaign``)."""
    check_product(principal, body.product)
    moves = fleet.run_campaign(
        store_of(request),
        body.name,
        body.product,
        body.release,
        body.serials,
        body.moved_on,
        actor=principal.name,
        now=_now(),
    )
    return {"campaign": body.name, "moved": [m.serial for m in moves]}


@router.get("/fleet/drift")
def drift(request: Request, principal: Reader) -> list[dict[str, Any]]:
    """Open drift of every unit the caller sees, with the evidence."""
    store = store_of(request)
    return [fleet.drift_json(d) for d in fleet.unit_drift(store, fleet.scope_of(store, principal))]


@router.get("/fleet/metrics", responses={422: {"model": ErrorOut}}, response_model=None)
def metrics(
    request: Request,
    principal: Reader,
    product: str | None = None,
    site: str | None = None,
    quarter: str | None = None,
    format: Annotated[str, Query(pattern="^(json|csv|html|pdf)$")] = "json",
) -> Response:
    """Postmarket metrics per product, site and quarter over the units the caller sees: each
    figure with its method and its unknown dates (``format``: json, csv, html, pdf)."""
    store = store_of(request)
    now = _now()
    rows = fleet.fleet_metrics(
        store,
        fleet.scope_of(store, principal),
        products=[product] if product else [],
        site=site,
        quarter=quarter,
        now=now,
    )
    if format == "csv":
        body: bytes = fleet.metrics_csv(rows).encode()
    elif format == "html":
        body = fleet.metrics_html(rows, now).encode()
    elif format == "pdf":
        body = fleet.metrics_pdf(rows, now)
    else:
        import json

        body = json.dumps(fleet.metrics_json(rows, now)).encode()
    return Response(body, media_type=METRICS_TYPES[format])


@router.put("/admin/teams/{team}/customers/{customer}")
def map_customer(
    request: Request,
    team: str,
    customer: str,
    principal: Annotated[Principal, needs(Permission.ADMINISTER)],
) -> dict[str, Any]:
    """Let the team's hospital-customer members see the customer's units (audited)."""
    changed = fleet.map_customer(
        store_of(request), team, customer, True, actor=principal.name, now=_now()
    )
    return {"team": team, "customer": customer, "changed": changed}


@router.delete("/admin/teams/{team}/customers/{customer}")
def unmap_customer(
    request: Request,
    team: str,
    customer: str,
    principal: Annotated[Principal, needs(Permission.ADMINISTER)],
) -> dict[str, Any]:
    """Take the mapping back (audited)."""
    changed = fleet.map_customer(
        store_of(request), team, customer, False, actor=principal.name, now=_now()
    )
    return {"team": team, "customer": customer, "changed": changed}
