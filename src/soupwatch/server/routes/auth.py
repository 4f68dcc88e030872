"""Logging in and out, who am I, health, and one's own API keys.

``POST /login`` (a form: ``username``, ``password``, ``next``) checks the password (throttled per
user name and client address), opens a new session with a new id (a session id the browser
already had is forgotten: no fixation) and sets the cookie HttpOnly, SameSite=Lax, and Secure
when the request came by https. The session's CSRF token is what a cookie-authenticated write
must send (``X-CSRF-Token`` header or ``csrf_token`` form field); ``GET /api/v1/me`` returns it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from soupwatch import pipeline
from soupwatch.errors import NotAuthenticated, NotFoundError, Throttled
from soupwatch.model.access import ApiKeyInfo, KeyScope, Permission, Principal
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.security import (
    SESSION_COOKIE,
    authenticate,
    check_same_origin,
    cookie_secure,
    needs,
    public,
)

router = APIRouter(route_class=LimitedRoute)
MAX_FORM = 16 * 1024


def _now() -> datetime:
    return datetime.now(UTC)


MAX_NEXT = 2000
"""The longest ``next`` path a form may send back to (browsers cap URLs near 2,000-8,000)."""


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no ``//host``): no open redirect; nor one longer
    than :data:`MAX_NEXT` (a redirect no browser follows)."""
    if (
        not target
        or len(target) > MAX_NEXT
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    return target


def login_page(request: Request, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    """The login form (with the error of a failed attempt, and a single sign-on link when an
    identity provider is configured)."""
    from soupwatch.server.routes.dashboard import render

    nxt = safe_next(request.query_params.get("next"))
    sso = options_of(request).oidc is not None
    return render("login.html", status=status, next=nxt, error=error, sso=sso)


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over https, for the session's life."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(options_of(request).login_limits.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[public()])
def login_form(request: Request) -> HTMLResponse:
    """The login form."""
    return login_page(request)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", include_in_schema=False, dependencies=[public()])
async def login(request: Request) -> Response:
    """Check the form's password, open a session, set its cookie, go to ``next``."""
    check_same_origin(request)
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    name = (form.get("username") or [""])[0]
    password = (form.get("password") or [""])[0]
    target = safe_next((form.get("next") or ["/"])[0])
    options = options_of(request)
    try:
        done = await run_in_threadpool(  # argon2 and the database: off the event loop
            pipeline.accounts.login,
            store_of(request),
            name,
            password,
            address=_address(request),
            now=_now(),
            limits=options.login_limits,
            cost=options.password_cost,
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    except Throttled as err:
        page = login_page(request, error=str(err), status=429)
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    except NotAuthenticated as err:
        return login_page(request, error=str(err), status=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, done.session_id)
    request.state.user = done.principal.name
    return response


@router.post("/logout", include_in_schema=False, dependencies=[needs(Permission.READ, page=True)])
def logout(request: Request) -> Response:
    """End the session (the form carries the CSRF token) and go to the login form."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        pipeline.accounts.logout(store_of(request), session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(request)
    )
    return response


@router.get("/healthz", tags=["auth"], dependencies=[public()])
def healthz() -> dict[str, str]:
    """Liveness: the process answers (no authentication, no database query)."""
    return {"status": "ok"}


@router.get("/api/v1/me", tags=["auth"])
def me(request: Request, principal: Annotated[Principal, needs(Permission.READ)]) -> dict[str, Any]:
    """Who the caller is, what it may do, which products it sees, and (for a browser session)
    the CSRF token its writes must send."""
    caller = authenticate(request)
    return {
        "name": principal.name,
        "role": principal.role.value,
        "permissions": sorted(p.value for p in principal.permissions),
        "products": None if principal.products is None else sorted(principal.products),
        "key_scope": principal.key_scope.value if principal.key_scope else None,
        "csrf_token": caller.csrf_token,
    }


class KeyIn(BaseModel):
    """A key to create for oneself."""

    model_config = ConfigDict(extra="forbid")

    scope: KeyScope = KeyScope.READ
    days: int = Field(default=90, ge=1, le=pipeline.accounts.MAX_KEY_DAYS)
    label: str = Field(default="api key", max_length=255)


def key_json(info: ApiKeyInfo) -> dict[str, Any]:
    """An API key as the API shows it (never its secret)."""
    return {
        "prefix": info.prefix,
        "user": info.user,
        "label": info.label,
        "scope": info.scope.value,
        "created_at": info.created_at.isoformat(),
        "expires_at": info.expires_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


@router.get("/api/v1/keys", tags=["auth"])
def my_keys(
    request: Request, principal: Annotated[Principal, needs(Permission.OWN_KEYS)]
) -> list[dict[str, Any]]:
    """The caller's API keys (an administrator's list has everyone's)."""
    owner = None if principal.may(Permission.ADMINISTER) else principal.name
    return [key_json(k) for k in pipeline.accounts.list_keys(store_of(request), owner)]


@router.post("/api/v1/keys", tags=["auth"], status_code=201)
def create_my_key(
    request: Request, body: KeyIn, principal: Annotated[Principal, needs(Permission.OWN_KEYS)]
) -> dict[str, Any]:
    """A new API key for the caller; ``token`` is shown now and never again."""
    made = pipeline.accounts.create_key(
        store_of(request),
        principal.name,
        body.scope,
        days=body.days,
        label=body.label,
        actor=principal.name,
        now=_now(),
    )
    return {**key_json(made.info), "token": made.token}


@router.delete("/api/v1/keys/{prefix}", tags=["auth"])
def revoke_my_key(
    request: Request, prefix: str, principal: Annotated[Principal, needs(Permission.OWN_KEYS)]
) -> dict[str, Any]:
    """Revoke one of the caller's keys (an administrator: anyone's)."""
    owner = None if principal.may(Permission.ADMINISTER) else principal.name
    try:
        info = pipeline.accounts.revoke_key(
            store_of(request), prefix, actor=principal.name, now=_now(), owner=owner
        )
    except NotFoundError:
        raise NotFoundError(f"no API key {prefix!r}") from None
    return key_json(info)
