"""The one place that turns errors into HTTP answers: RFC 9457 problem details.

Every error is ``application/problem+json``: ``{"type": "about:blank", "title": <the status
phrase>, "status": <code>, "detail": <one line naming the problem and its place>,
"instance": <the request path>}``, except for a browser asking for a page: a path outside
``/api/`` whose ``Accept`` header names ``text/html`` gets the same status with an HTML error
page (``templates/error.html``), and a dashboard page asked for without a session is a 303
redirect to ``/login``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from soupwatch.errors import (
    AdvisoryRefused,
    AlreadyExists,
    ConfigError,
    DecisionConflict,
    DisclosureError,
    FleetError,
    Forbidden,
    IncidentError,
    InUse,
    MatchError,
    NotAuthenticated,
    NotFoundError,
    RiskError,
    SbomError,
    SoupwatchError,
    StaleCursor,
    StoreBusy,
    Throttled,
    VexError,
)

PROBLEM = "application/problem+json"

STATUS: tuple[tuple[type[SoupwatchError], int], ...] = (
    (NotFoundError, 404),
    (DecisionConflict, 409),
    (AlreadyExists, 409),
    (InUse, 409),
    (StaleCursor, 409),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (Throttled, 429),
    (StoreBusy, 503),
    (AdvisoryRefused, 422),
    (DisclosureError, 422),
    (SbomError, 422),
    (FleetError, 422),
    (IncidentError, 422),
    (VexError, 422),
    (MatchError, 422),
    (RiskError, 422),
    (ConfigError, 422),
    (SoupwatchError, 400),
)
"""First match wins: a missing product, release or record is 404; a decision written over a
newer one (a stale ``expected_version``) is 409; any other store failure is a soupwatch error
like the rest (400)."""


def status_of(err: SoupwatchError) -> int:
    """The HTTP status of a soupwatch error."""
    return next(code for cls, code in STATUS if isinstance(err, cls))


API_PREFIXES = ("/api/", "/openapi.json", "/healthz")


def wants_html(request: Request) -> bool:
    """A browser asking for a dashboard page (not the API): it gets HTML error pages."""
    path = request.url.path
    if path.startswith(API_PREFIXES) or path.startswith("/static/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem(
    request: Request,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """An RFC 9457 problem-details response (``extra``: extension members), or an HTML error
    page for a browser's page."""
    if wants_html(request):
        from soupwatch.server.routes.dashboard import render, user_context

        page = render(
            "error.html",
            status=status,
            code=status,
            title=HTTPStatus(status).phrase,
            detail=detail,
            **user_context(request),
        )
        for name, value in (headers or {}).items():
            page.headers[name] = value
        return page
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _soupwatch(request: Request, exc: Exception) -> Response:
    from soupwatch.server.security import LoginRequired

    assert isinstance(exc, SoupwatchError)
    if isinstance(exc, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    headers: dict[str, str] = {}
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="soupwatch"'
    if isinstance(exc, Throttled | StoreBusy):
        headers["Retry-After"] = str(exc.retry_after)
    extra = {"problems": list(exc.problems)} if isinstance(exc, AdvisoryRefused) else None
    return problem(request, status_of(exc), str(exc), headers, extra)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return problem(request, 422, "; ".join(parts) or "invalid request")


async def _unexpected(request: Request, exc: Exception) -> Response:
    return problem(request, 500, "internal error: the server could not answer; see its log")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` (an unexpected exception is a 500 problem or page; it
    is still raised to the server, which logs it)."""
    app.add_exception_handler(SoupwatchError, _soupwatch)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
