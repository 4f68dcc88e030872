"""The one place that turns errors into HTTP status codes, always with ``{"error": message}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from soupwatch.errors import (
    ConfigError,
    DecisionConflict,
    NotFoundError,
    RiskError,
    SbomError,
    SoupwatchError,
    VexError,
)

STATUS: tuple[tuple[type[SoupwatchError], int], ...] = (
    (NotFoundError, 404),
    (DecisionConflict, 409),
    (SbomError, 422),
    (VexError, 422),
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


async def _soupwatch(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SoupwatchError)
    return JSONResponse({"error": str(exc)}, status_code=status_of(exc))


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(SoupwatchError, _soupwatch)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
