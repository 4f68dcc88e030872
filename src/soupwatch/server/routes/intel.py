"""REST: impact of a vulnerability, feed status, VEX decisions (recorded with an audit entry)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request

from soupwatch import pipeline
from soupwatch.errors import Forbidden
from soupwatch.model.access import Permission, Principal
from soupwatch.model.vex import VexStatement
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.schemas import ErrorOut, VexIn, VexRecordedOut
from soupwatch.server.security import check_product, needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["vulnerabilities"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
Reader = Annotated[Principal, needs(Permission.READ)]


@router.get("/impact/{vuln_id}")
def impact(request: Request, vuln_id: str, principal: Reader) -> dict[str, Any]:
    """Every product / release / component the vulnerability (or an alias) touches, among the
    products the caller sees, and the deployed units and sites of each affected release (for
    the hospital customer role: its own customers' units only)."""
    from soupwatch.fleet import fleet_impact, fleet_impact_json, scope_of
    from soupwatch.watch import known_to_feeds

    store = store_of(request)
    found = fleet_impact(store, vuln_id, scope_of(store, principal))
    return fleet_impact_json(vuln_id.strip(), found, known_to_feeds(store, vuln_id))


def feed_status(request: Request) -> list[dict[str, Any]]:
    """Per feed: record count, newest record, last sync, age of the data in hours, and
    ``incomplete`` (``incomplete: nvd sync interrupted at …``) while its newest sync is partial."""
    now = datetime.now(UTC)
    snapshot = pipeline.feed_snapshot(store_of(request))
    return [
        {
            "source": s.source,
            "records": s.records,
            "newest_record": s.newest_record.isoformat() if s.newest_record else None,
            "last_sync": s.last_sync.isoformat() if s.last_sync else None,
            "age_hours": round((now - s.last_sync).total_seconds() / 3600, 1)
            if s.last_sync
            else None,
            "incomplete": s.incomplete,
        }
        for s in snapshot
    ]


@router.get("/status", dependencies=[needs(Permission.READ)])
def status(request: Request) -> dict[str, Any]:
    """The feed snapshot and the database in use; ``incomplete`` lists the partial feeds."""
    from soupwatch import __version__

    feeds = feed_status(request)
    return {
        "version": __version__,
        "database": store_of(request).dialect,
        "feeds": feeds,
        "incomplete": [f["incomplete"] for f in feeds if f["incomplete"]],
    }


@router.get("/vex")
def list_vex(
    request: Request,
    principal: Reader,
    product: str | None = None,
    release: str | None = None,
    vulnerability: str | None = None,
) -> list[dict[str, Any]]:
    """Recorded VEX decisions, filtered to those that can reach a product / release."""
    from soupwatch.model.shapes import decision_json as to_json
    from soupwatch.pipeline import list_decisions

    found = list_decisions(
        store_of(request), product=product, release=release, vulnerability=vulnerability
    )
    return [to_json(s) for s in found if s.product is None or principal.sees(s.product)]


@router.post(
    "/vex",
    status_code=201,
    response_model=VexRecordedOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def record_vex(
    request: Request, body: VexIn, principal: Annotated[Principal, needs(Permission.TRIAGE)]
) -> dict[str, Any]:
    """Record a decision (replacing one on the same subject); the change is audited with the
    caller as its author. A decision without a product (component scope) reaches every
    product, so it needs a caller who sees every product (403 otherwise).

    The rules are those of ``soupwatch vex set`` (docs/vex.md): a broken rule is 422 naming the
    field, an unknown product (or release, for release scope) 404, a stale ``expected_version``
    409; a vulnerability unknown to the feeds or a component not shipped is recorded and
    listed in ``warnings``.
    """
    from soupwatch.model.shapes import decision_json as to_json
    from soupwatch.pipeline import record_decision
    from soupwatch.vex import parse_expiry

    check_product(principal, body.product)
    if body.product is None and not principal.sees_everything:
        raise Forbidden(
            f"{principal.name} sees only its teams' products: a decision without a product "
            "would reach every product"
        )
    statement = VexStatement(
        vulnerability=body.vulnerability,
        state=body.state,
        scope=body.scope,
        product=body.product,
        release=body.release,
        component_name=body.component_name,
        component_version=body.component_version,
        component_purl=body.component_purl,
        justification=body.justification,
        responses=tuple(body.responses),
        detail=body.detail,
        author=principal.name,
        expires=parse_expiry(body.expires),
        aliases=tuple(body.aliases),
    )
    recorded = record_decision(
        store_of(request),
        statement,
        actor=principal.name,
        reason=body.reason,
        now=datetime.now(UTC),
        expected_version=body.expected_version,
    )
    return {**to_json(recorded.statement), "warnings": list(recorded.warnings)}
