"""REST: unusual-activity alerts (list, one, acknowledge, close). Writes are audited under the
caller. An alert of a unit the caller may not see (another team's product, or for the hospital
customer role another customer's unit) is answered 404, as for one that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from soupwatch import fleet, pipeline
from soupwatch.errors import NotFoundError
from soupwatch.model.access import Permission, Principal
from soupwatch.model.alerts import Alert, AlertStatus, alert_json
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.params import AlertId
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["alerts"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
Reader = Annotated[Principal, needs(Permission.READ)]
Handler = Annotated[Principal, needs(Permission.HANDLE_ALERTS)]


def _filter(request: Request, principal: Principal) -> pipeline.AlertFilter:
    scope = fleet.scope_of(store_of(request), principal)
    return pipeline.AlertFilter(products=scope.products, customers=scope.customers)


def _visible(request: Request, principal: Principal, alert_id: int) -> Alert:
    """The alert if the caller sees its unit (else 404, as for one that does not exist)."""
    store = store_of(request)
    found = pipeline.alert_by_id(store, alert_id)
    scope = fleet.scope_of(store, principal)
    sees_product = scope.products is None or found.product in scope.products
    sees_unit = scope.customers is None or bool(
        pipeline.list_alerts(
            store,
            pipeline.AlertFilter(unit=found.unit, customers=scope.customers),
            limit=1,
        )
    )
    if not (sees_product and sees_unit):
        raise NotFoundError(f"no alert {alert_id}")
    return found


@router.get("/alerts")
def list_alerts(
    request: Request,
    principal: Reader,
    status: Annotated[list[AlertStatus] | None, Query()] = None,
    unit: str | None = None,
    product: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Alerts of the units the caller sees, newest first (``soupwatch-alert/1`` each)."""
    seen = _filter(request, principal)
    f = pipeline.AlertFilter(status, unit, product, seen.products, seen.customers)
    found = pipeline.list_alerts(store_of(request), f, limit=limit, offset=offset)
    return [alert_json(a) for a in found]


@router.get("/alerts/{alert_id}")
def one_alert(request: Request, alert_id: AlertId, principal: Reader) -> dict[str, Any]:
    """One alert."""
    return alert_json(_visible(request, principal, alert_id))


class CloseIn(BaseModel):
    """Why the alert is closed (kept in the audit trail)."""

    reason: str | None = Field(None, min_length=1, max_length=2000)


@router.post("/alerts/{alert_id}/ack")
def ack(request: Request, alert_id: AlertId, principal: Handler) -> dict[str, Any]:
    """Acknowledge an open alert (audited ``alert.acknowledge``; an acknowledged or closed
    alert is answered unchanged)."""
    _visible(request, principal, alert_id)
    done = pipeline.ack_alert(
        store_of(request), alert_id, actor=principal.name, now=datetime.now(UTC)
    )
    return alert_json(done)


@router.post("/alerts/{alert_id}/close")
def close(
    request: Request, alert_id: AlertId, principal: Handler, body: CloseIn | None = None
) -> dict[str, Any]:
    """Close an alert (audited ``alert.close``): the next occurrence opens a new one."""
    _visible(request, principal, alert_id)
    done = pipeline.close_alert(
        store_of(request),
        alert_id,
        actor=principal.name,
        now=datetime.now(UTC),
        reason=body.reason if body else None,
    )
    return alert_json(done)
