"""``/api/v1/jobs``: start a job, follow its progress, download what it made; deliverables of a
release as jobs. Who may start which kind is ``jobs.kinds.KINDS``' permission (checked after
the route's READ); every start is audited under the caller's name (``jobs.start_job``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from soupwatch import jobs
from soupwatch.config import Settings
from soupwatch.model.access import Permission, Principal
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.params import JobId
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["jobs"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
Reader = Annotated[Principal, needs(Permission.READ)]


class JobIn(BaseModel):
    """A job to start: its kind, arguments, and an optional idempotency key."""

    kind: str = Field(max_length=32)
    args: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)


def _settings(request: Request) -> Settings:
    """The app's settings: the broker (if any), the mirror feed syncs read, the clock."""
    settings: Settings = request.app.state.settings
    return settings


def _start(
    request: Request, principal: Principal, kind: str, args: dict[str, Any], key: str | None
) -> dict[str, Any]:
    job_kind = jobs.kind_of(kind)
    jobs.may_start(principal, job_kind, args)
    scoped = f"{principal.name}:{key}" if key else None  # one caller's key never hits another's
    job = jobs.start_job(
        store_of(request),
        _settings(request),
        job_kind,
        args,
        actor=principal.name,
        now=datetime.now(UTC),
        idem_key=scoped,
    )
    return jobs.job_json(job)


@router.post("/jobs", status_code=202, responses={422: {"model": ErrorOut}})
def start(request: Request, body: JobIn, principal: Reader) -> dict[str, Any]:
    """Start a job (``feed-sync``, ``rematch``: administrators; ``assess``, ``deliverable``:
    readers of the product). The same idempotency key returns the same job."""
    return _start(request, principal, body.kind, body.args, body.idempotency_key)


@router.get("/jobs")
def list_all(
    request: Request,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Jobs the caller may see, newest first."""
    found = jobs.list_jobs(store_of(request), principal, limit=limit, offset=offset)
    return [jobs.job_json(j) for j in found]


@router.get("/jobs/{job_id}")
def show(request: Request, job_id: JobId, principal: Reader) -> dict[str, Any]:
    """One job: state, progress (0..1 and a message), attempts, result, error."""
    return jobs.job_json(jobs.get_job(store_of(request), job_id, principal))


@router.get("/jobs/{job_id}/download")
def download(request: Request, job_id: JobId, principal: Reader) -> Response:
    """The file a finished deliverable job made (404 until it is done)."""
    out = jobs.job_file(store_of(request), job_id, principal)
    disposition = f'attachment; filename="{out.name}"'
    return Response(
        out.data, media_type=out.media_type, headers={"content-disposition": disposition}
    )


@router.post(
    "/products/{product}/releases/{release}/deliverables/{deliverable}",
    status_code=202,
    responses={422: {"model": ErrorOut}},
)
def deliverable(
    request: Request,
    product: Annotated[str, Path(min_length=1, max_length=255)],
    release: Annotated[str, Path(min_length=1, max_length=255)],
    deliverable: Annotated[str, Path(min_length=1, max_length=32)],
    principal: Reader,
    format: Annotated[str | None, Query(max_length=16)] = None,
    vulnerability: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """Start building a deliverable (fda, soup, mds2, csaf) of a release; follow the job and
    download its file from ``/api/v1/jobs/{id}/download``."""
    args: dict[str, Any] = {"product": product, "release": release, "deliverable": deliverable}
    if format:
        args["format"] = format
    if vulnerability:
        args["vulnerability"] = vulnerability
    return _start(request, principal, "deliverable", args, None)
