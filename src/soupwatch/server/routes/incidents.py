"""REST: incidents (open, list, one with its timeline, owner / Part 806 decision / ISAO record,
playbook steps). Every write is audited under the caller; an incident the caller may not see
(another team's product, or for the hospital customer role one touching none of its units) is
answered 404, as for one that does not exist (docs/incidents.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from soupwatch import fleet, pipeline
from soupwatch.errors import IncidentError
from soupwatch.incidents import incident_json
from soupwatch.model.access import Permission, Principal
from soupwatch.model.incident import Incident, IncidentState, Step
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.forms import Form
from soupwatch.server.params import IncidentNumber
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import needs

incidents = pipeline.incidents
router = APIRouter(
    route_class=LimitedRoute,
    tags=["incidents"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
Reader = Annotated[Principal, needs(Permission.READ)]
Responder = Annotated[Principal, needs(Permission.RESPOND)]


def _now() -> datetime:
    return datetime.now(UTC)


def _seen(request: Request, principal: Principal) -> dict[str, Any]:
    return {
        "sees_product": principal.sees,
        "scope": fleet.scope_of(store_of(request), principal),
    }


def _out(request: Request, found: Incident, *, timeline: bool = False) -> dict[str, Any]:
    lines = incidents.timeline(store_of(request), found.number) if timeline else None
    return incident_json(found, _now().date(), lines)


class IncidentIn(BaseModel):
    """What opens an incident."""

    title: str = Field(min_length=1, max_length=200)
    source_kind: str = Field(min_length=1, max_length=16)
    """``disclosure``, ``finding``, ``alert`` or ``drift``."""
    source_ref: str = Field(min_length=1, max_length=128)
    product: str | None = Field(None, min_length=1, max_length=255)
    vulnerability: str | None = Field(None, min_length=1, max_length=64)
    units: list[str] = Field(default_factory=list, max_length=10_000)
    """Serials to name besides those the source and the finding bring."""
    owner: str | None = Field(None, min_length=1, max_length=255)
    learnt_on: date | None = None


@router.post("/incidents", status_code=201, responses={422: {"model": ErrorOut}})
def open_incident(request: Request, body: IncidentIn, principal: Responder) -> dict[str, Any]:
    """Open an incident (audited ``incident.open``); its affected units are the named ones and
    those running a release of the product where a finding of the vulnerability is open."""
    made = incidents.open_incident(
        store_of(request),
        title=body.title,
        source_kind=body.source_kind,
        source_ref=body.source_ref,
        product=body.product,
        vulnerability=body.vulnerability,
        serials=body.units,
        owner=body.owner,
        learnt_on=body.learnt_on,
        actor=principal.name,
        now=_now(),
        **_seen(request, principal),
    )
    return _out(request, made, timeline=True)


@router.get("/incidents")
def list_incidents(
    request: Request, principal: Reader, state: IncidentState | None = None
) -> list[dict[str, Any]]:
    """The incidents the caller sees, newest first."""
    found = incidents.list_incidents(store_of(request), state=state, **_seen(request, principal))
    return [_out(request, i) for i in found]


@router.get("/incidents/{number}")
def show_incident(request: Request, number: IncidentNumber, principal: Reader) -> dict[str, Any]:
    """One incident with its timeline (its audit entries)."""
    found = incidents.get_incident(store_of(request), number, **_seen(request, principal))
    return _out(request, found, timeline=True)


class Part806In(BaseModel):
    """The 21 CFR Part 806 reporting decision."""

    reportable: bool
    rationale: str = Field(min_length=1, max_length=4_000)


class IsaoIn(BaseModel):
    """What was shared with an ISAO."""

    organisation: str = Field(min_length=1, max_length=255)
    shared_on: date
    reference: str = Field("", max_length=255)


class IncidentPatch(BaseModel):
    """Changes to an incident (each one its own audit entry)."""

    owner: str | None = Field(None, min_length=1, max_length=255)
    part806: Part806In | None = None
    isao: IsaoIn | None = None


@router.patch("/incidents/{number}", responses={422: {"model": ErrorOut}})
def change_incident(
    request: Request, number: IncidentNumber, body: IncidentPatch, principal: Responder
) -> dict[str, Any]:
    """Set the owner, the Part 806 decision and/or the ISAO record: all of them or none."""
    d, i = body.part806, body.isao
    found = incidents.change_incident(
        store_of(request),
        number,
        owner=body.owner,
        part806=None if d is None else (d.reportable, d.rationale),
        isao=None if i is None else (i.organisation, i.shared_on, i.reference),
        actor=principal.name,
        now=_now(),
        **_seen(request, principal),
    )
    return _out(request, found, timeline=True)


@router.post("/incidents/{number}/units", responses={422: {"model": ErrorOut}})
def refresh_units(request: Request, number: IncidentNumber, principal: Responder) -> dict[str, Any]:
    """Add the units now running a release where the incident's vulnerability is open."""
    found = incidents.refresh_units(
        store_of(request), number, actor=principal.name, now=_now(), **_seen(request, principal)
    )
    return _out(request, found, timeline=True)


class StepIn(BaseModel):
    """A playbook step's note."""

    note: str = Field("", max_length=4_000)


@router.post("/incidents/{number}/steps/{step}", responses={422: {"model": ErrorOut}})
def do_step(
    request: Request, number: IncidentNumber, step: str, body: StepIn, principal: Responder
) -> dict[str, Any]:
    """Record a playbook step done (``contain``, ``assess``, ``communicate``, ``fix``,
    ``close``; close needs the others and the Part 806 decision)."""
    done = incidents.do_step(
        store_of(request),
        number,
        step,
        body.note,
        actor=principal.name,
        now=_now(),
        **_seen(request, principal),
    )
    return _out(request, done, timeline=True)


pages = APIRouter(route_class=LimitedRoute, include_in_schema=False)
Viewer = Annotated[Principal, needs(Permission.READ, page=True)]


@pages.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, principal: Viewer) -> HTMLResponse:
    """The incidents the caller sees, newest first, with their clocks."""
    from soupwatch.server.routes.dashboard import page

    found = incidents.list_incidents(store_of(request), **_seen(request, principal))
    return page(request, "incidents.html", items=[_out(request, i) for i in found])


@pages.get("/incidents/{number}", response_class=HTMLResponse)
def incident_page(request: Request, number: IncidentNumber, principal: Viewer) -> HTMLResponse:
    """One incident: source, clocks, units and sites, playbook, Part 806, ISAO, timeline; for
    a caller who may respond, the forms that change it."""
    return _incident_page(request, number, principal)


def _incident_page(
    request: Request, number: int, principal: Principal, *, status: int = 200, problem: str = ""
) -> HTMLResponse:
    from soupwatch.server.routes.dashboard import page

    found = incidents.get_incident(store_of(request), number, **_seen(request, principal))
    return page(
        request,
        "incident.html",
        status=status,
        i=_out(request, found, timeline=True),
        steps=[s.value for s in Step],
        can_respond=principal.may(Permission.RESPOND),
        problem=problem,
    )


def _refused(
    request: Request, number: int, principal: Principal, err: IncidentError
) -> HTMLResponse:
    field = f"{err.where}: " if err.where else ""
    problem = f"not recorded: {field}{err.message}"
    return _incident_page(request, number, principal, status=422, problem=problem)


PageResponder = Annotated[Principal, needs(Permission.RESPOND, page=True)]


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@pages.post("/incidents/{number}/steps", response_class=HTMLResponse)
def step_form(
    request: Request, number: IncidentNumber, form: Form, principal: PageResponder
) -> Response:
    """The playbook form: record the chosen step done, with its note (audited)."""
    try:
        incidents.do_step(
            store_of(request),
            number,
            _field(form, "step"),
            _field(form, "note"),
            actor=principal.name,
            now=_now(),
            **_seen(request, principal),
        )
    except IncidentError as err:
        return _refused(request, number, principal, err)
    return RedirectResponse(f"/incidents/{number}", status_code=303)


@pages.post("/incidents/{number}/units", response_class=HTMLResponse)
def units_form(
    request: Request, number: IncidentNumber, form: Form, principal: PageResponder
) -> Response:
    """The refresh button: add the units now running an affected release (audited)."""
    try:
        incidents.refresh_units(
            store_of(request), number, actor=principal.name, now=_now(), **_seen(request, principal)
        )
    except IncidentError as err:
        return _refused(request, number, principal, err)
    return RedirectResponse(f"/incidents/{number}", status_code=303)


@pages.post("/incidents/{number}/changes", response_class=HTMLResponse)
def change_form(
    request: Request, number: IncidentNumber, form: Form, principal: PageResponder
) -> Response:
    """The owner, Part 806 and ISAO form: every field filled in is recorded (each its own
    audit entry), all or none."""
    owner = _field(form, "owner") or None
    reportable, rationale = _field(form, "reportable"), _field(form, "rationale")
    organisation, shared_on = _field(form, "organisation"), _field(form, "shared_on")
    try:
        if reportable and reportable not in ("yes", "no"):
            raise IncidentError("reportable must be yes or no", where="reportable")
        if bool(reportable) != bool(rationale):
            raise IncidentError(
                "a Part 806 decision needs both reportable and its rationale", where="rationale"
            )
        day = None
        if organisation or shared_on:
            try:
                day = date.fromisoformat(shared_on)
            except ValueError as err:
                raise IncidentError(
                    "shared_on must be a date (YYYY-MM-DD)", where="shared_on"
                ) from err
        incidents.change_incident(
            store_of(request),
            number,
            owner=owner,
            part806=(reportable == "yes", rationale) if reportable else None,
            isao=(organisation, day, _field(form, "reference")) if day else None,
            actor=principal.name,
            now=_now(),
            **_seen(request, principal),
        )
    except IncidentError as err:
        return _refused(request, number, principal, err)
    return RedirectResponse(f"/incidents/{number}", status_code=303)
