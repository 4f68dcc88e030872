"""Coordinated vulnerability disclosure (docs/disclosure.md): the public report form and API,
the reporter's status by tracking id, product security's triage, and security.txt.

Reporting needs no account: it is rate-limited per client address and its body is capped
(``ServerOptions.intake_limits``). A tracking id shows its status and public note only.
Triage needs ``triage`` and sees unlinked reports and those of the products the caller sees.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from soupwatch import disclosure as intake
from soupwatch.disclosure import security_txt
from soupwatch.errors import DisclosureError, NotFoundError, Throttled
from soupwatch.model.access import Permission, Principal
from soupwatch.model.disclosure import DisclosureReport, DisclosureStatus
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute, parse_json_body, read_limited
from soupwatch.server.params import ReportNumber
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import check_same_origin, needs, public

router = APIRouter(
    route_class=LimitedRoute,
    tags=["disclosure"],
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)
log = logging.getLogger("soupwatch.server")
FIELDS = ("title", "description", "reporter_name", "reporter_contact", "product")
Triager = Annotated[Principal, needs(Permission.TRIAGE)]


def _now() -> datetime:
    return datetime.now(UTC)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _body(request: Request) -> bytes:
    limit = options_of(request).intake_limits.max_body_bytes
    return await read_limited(request, limit, "the report", empty_ok=True)


def _submit(request: Request, fields: dict[str, str]) -> intake.Receipt:
    report = intake.NewReport(**{k: fields.get(k, "") for k in FIELDS})
    return intake.submit(
        store_of(request),
        report,
        client=_address(request),
        limits=options_of(request).intake_limits,
        now=_now(),
    )


@router.get("/.well-known/security.txt", dependencies=[public()])
def security_txt_file(request: Request) -> Response:
    """RFC 9116 security.txt from the configured contact, policy and expiry."""
    settings = options_of(request).security_txt
    if settings is None:
        raise NotFoundError("no security.txt is configured")
    made = security_txt(settings, _now())
    for warning in made.warnings:
        log.warning(warning)
    return Response(made.text, media_type="text/plain; charset=utf-8")


@router.get(
    "/disclose", response_class=HTMLResponse, include_in_schema=False, dependencies=[public()]
)
def disclose_form(request: Request) -> HTMLResponse:
    """The public report form."""
    from soupwatch.server.routes.dashboard import render

    return render("disclose.html", form=dict.fromkeys(FIELDS, ""))


@router.post(
    "/disclose", response_class=HTMLResponse, include_in_schema=False, dependencies=[public()]
)
async def disclose_post(request: Request) -> HTMLResponse:
    """The form's post: the acknowledgement page with the tracking id (or the form again with
    the error; 429 when the address sent too many)."""
    from soupwatch.server.routes.dashboard import render

    check_same_origin(request)
    form = {k: v[0] for k, v in parse_qs((await _body(request)).decode("utf-8", "replace")).items()}
    shown = {k: form.get(k, "") for k in FIELDS}
    try:
        receipt = await run_in_threadpool(_submit, request, form)
    except Throttled as err:
        page = render("disclose.html", status=429, error=str(err), form=shown)
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    except DisclosureError as err:
        return render("disclose.html", status=422, error=str(err), form=shown)
    return render("disclose.html", status=201, receipt=_receipt_json(receipt), form=shown)


class ReportIn(BaseModel):
    """A vulnerability report (checked by the intake rules: lengths, characters, contact)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=intake.FIELD_LIMITS["title"])
    description: str = Field(max_length=intake.FIELD_LIMITS["description"])
    reporter_name: str = Field("", max_length=intake.FIELD_LIMITS["reporter_name"])
    reporter_contact: str = Field("", max_length=intake.FIELD_LIMITS["reporter_contact"])
    product: str = Field("", max_length=intake.FIELD_LIMITS["product"])


def _receipt_json(r: intake.Receipt) -> dict[str, Any]:
    return {
        "tracking_id": r.tracking_id,
        "status": r.status.value,
        "received_at": r.received_at.isoformat(),
        "status_url": f"/api/v1/disclosures/{r.tracking_id}",
    }


@router.post("/api/v1/disclosures", status_code=201, dependencies=[public()])
async def report_vulnerability(request: Request) -> JSONResponse:
    """Report a vulnerability (no account): answers the tracking id, shown only this once."""
    raw = await _body(request)
    try:
        body = ReportIn.model_validate(parse_json_body(raw or b"null"))
    except ValueError as err:
        first = str(err).splitlines()
        raise DisclosureError(f"invalid report: {' '.join(first[:3])}") from None
    receipt = await run_in_threadpool(_submit, request, body.model_dump())
    return JSONResponse(_receipt_json(receipt), status_code=201)


@router.get("/api/v1/disclosures/{tracking_id}", dependencies=[public()])
def report_status(request: Request, tracking_id: str) -> dict[str, Any]:
    """The status and public note of the report with this tracking id (nothing else)."""
    seen = intake.report_status(store_of(request), tracking_id)
    return {
        "status": seen.status.value,
        "public_note": seen.public_note,
        "received_at": seen.received_at.isoformat(),
        "updated_at": seen.updated_at.isoformat(),
    }


def _report_json(r: DisclosureReport) -> dict[str, Any]:
    return {
        "number": r.number,
        "status": r.status.value,
        "title": r.title,
        "description": r.description,
        "reporter_name": r.reporter_name,
        "reporter_contact": r.reporter_contact,
        "product_hint": r.product_hint,
        "product": r.product,
        "vulnerability": r.vulnerability,
        "public_note": r.public_note,
        "internal_note": r.internal_note,
        "received_at": r.received_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }


@router.get("/api/v1/disclosure-reports")
def list_reports(request: Request, principal: Triager) -> list[dict[str, Any]]:
    """Reports to triage, newest first."""
    return [_report_json(r) for r in intake.list_reports(store_of(request), principal.products)]


@router.get("/api/v1/disclosure-reports/{number}")
def get_report(request: Request, number: ReportNumber, principal: Triager) -> dict[str, Any]:
    """One report."""
    return _report_json(intake.get_report(store_of(request), number, principal.products))


class TriageIn(BaseModel):
    """Triage changes: any of status, product / vulnerability links (null unlinks), notes."""

    model_config = ConfigDict(extra="forbid")
    status: DisclosureStatus | None = None
    product: str | None = Field(None, max_length=255)
    vulnerability: str | None = Field(None, max_length=64)
    public_note: str | None = Field(None, max_length=intake.FIELD_LIMITS["public_note"])
    internal_note: str | None = Field(None, max_length=intake.FIELD_LIMITS["internal_note"])


@router.patch("/api/v1/disclosure-reports/{number}")
def triage_report(
    request: Request, number: ReportNumber, body: TriageIn, principal: Triager
) -> dict[str, Any]:
    """Change a report's status, links or notes (audited ``disclosure.triage``)."""
    changes = body.model_dump(exclude_unset=True, mode="json")
    done = intake.triage(
        store_of(request),
        number,
        changes,
        visible=principal.products,
        actor=principal.name,
        now=_now(),
    )
    return _report_json(done)
