"""Who is calling and may they: the one dependency every route declares (``needs``).

A request authenticates with ``Authorization: Bearer <API key>`` or with the session cookie
the login form sets. Each route declares what it needs exactly once, as a dependency::

    @router.get("/products/{product}/releases", dependencies=[needs(Permission.READ)])

and the checks run in one order: authenticated (else 401, or a redirect to /login for a
dashboard page), CSRF token for a cookie-authenticated write (else 403), the ``{product}`` of
the path (or the ``product`` query parameter) visible to the caller (else 404, the same answer
as for a product that does not exist), the permission held (else 403). ``public()`` marks
the few routes open to everyone. :func:`route_need` reads the declaration back: the app
refuses to start with a route that has none, and the authorization-matrix test is generated
from it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from soupwatch import pipeline
from soupwatch.errors import Forbidden, NotAuthenticated, NotFoundError
from soupwatch.model.access import KeyScope, Permission, Principal
from soupwatch.server.app import options_of, store_of

SESSION_COOKIE = "soupwatch_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(NotAuthenticated):
    """A dashboard page asked for without a session: answered with a redirect to /login."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal of a request and, for a session, its CSRF token."""

    principal: Principal
    csrf_token: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def authenticate(request: Request) -> Caller:
    """The caller of ``request`` (cached on the request); NotAuthenticated when there is none."""
    cached: Caller | None = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    store = store_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <API key>'")
        caller = Caller(pipeline.accounts.principal_for_key(store, token.strip(), _now()), None)
    else:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            raise NotAuthenticated("log in, or send 'Authorization: Bearer <API key>'")
        found = pipeline.accounts.principal_for_session(store, session_id, _now())
        caller = Caller(found.principal, found.csrf_token)
    request.state.caller = caller
    request.state.user = caller.principal.name
    return caller


async def _csrf_token_sent(request: Request) -> str | None:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # the dashboard's forms: parsed once and kept (server/forms.py reads the same parse)
        parts = await request.form(max_part_size=options_of(request).max_upload_bytes)
        token = parts.get(CSRF_FIELD)
        return token if isinstance(token, str) else None
    return None


async def check_csrf(request: Request, caller: Caller) -> None:
    """A write authenticated by the session cookie must carry the session's CSRF token."""
    if request.method in SAFE_METHODS or caller.csrf_token is None:
        return
    sent = await _csrf_token_sent(request)
    if not sent or not hmac.compare_digest(sent, caller.csrf_token):
        raise Forbidden(f"missing or wrong CSRF token (send the {CSRF_HEADER} header)")


def check_same_origin(request: Request) -> None:
    """A form post (login, logout) must come from this site when the browser says where from."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return
    host = request.headers.get("host", "")
    if urlsplit(origin).netloc.lower() != host.lower():
        raise Forbidden("cross-site form post refused")


def product_not_found(product: str) -> NotFoundError:
    """The one answer for a product that does not exist or that the caller may not see."""
    return NotFoundError(f"no product named {product!r}; see `soupwatch products list`")


def check_product(principal: Principal, product: str | None) -> None:
    """NotFoundError (as for an unknown product) when the caller may not see ``product``."""
    if product is not None and not principal.sees(product):
        raise product_not_found(product)


class Need:
    """What a route needs: a permission (None: public), on the ``{product}`` of its path."""

    def __init__(
        self, permission: Permission | None, *, page: bool = False, creates: bool = False
    ) -> None:
        self.permission = permission
        self.page = page
        """A dashboard page: an anonymous caller is sent to /login instead of a 401."""
        self.creates = creates
        """The route may create the ``{product}`` it names (SBOM upload)."""

    async def __call__(self, request: Request) -> Principal | None:
        if self.permission is None:
            return None
        try:  # a database query: in the thread pool, never on the event loop
            caller = await run_in_threadpool(authenticate, request)
        except NotAuthenticated as err:
            if self.page:
                raise LoginRequired(str(err)) from err
            raise
        await check_csrf(request, caller)
        principal = caller.principal
        product = request.path_params.get("product") or request.query_params.get("product")
        if (
            product is not None
            and not principal.sees(product)
            and not await run_in_threadpool(self._may_create, request, principal, product)
        ):
            raise product_not_found(product)
        if not principal.may(self.permission):
            raise Forbidden(
                f"{principal.name} ({principal.role.value}"
                f"{', read-only key' if principal.key_scope is KeyScope.READ else ''}) "
                f"may not {self.permission.value.replace('_', ' ')}"
            )
        return principal

    def _may_create(self, request: Request, principal: Principal, product: str) -> bool:
        return (
            self.creates
            and principal.may(Permission.MANAGE_PRODUCTS)
            and not pipeline.products.product_exists(store_of(request), product)
        )


def needs(permission: Permission, *, page: bool = False, creates: bool = False) -> Any:
    """The dependency a route declares: ``Depends(Need(permission))``; it returns the
    :class:`Principal` to a parameter that asks for it."""
    return Depends(Need(permission, page=page, creates=creates))


def public() -> Any:
    """The dependency of a route open to everyone (login, health, static assets)."""
    return Depends(Need(None))


def route_need(route: APIRoute) -> Need | None:
    """The :class:`Need` a route declared (None: it declared none, or more than one)."""
    found = [d.call for d in route.dependant.dependencies if isinstance(d.call, Need)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One line of the app's route table: methods, full path, the declared need."""

    methods: tuple[str, ...]
    path: str
    need: Need | None


def route_table(app: FastAPI) -> list[RouteEntry]:
    """Every API route of the app (included routers flattened, prefixes applied)."""
    try:  # FastAPI >= 0.16x keeps included routers as routes of their own
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is flat
        contexts: list[Any] = list(app.routes)
    else:
        contexts = list(iter_route_contexts(app.routes))
    table = []
    for ctx in contexts:
        original = getattr(ctx, "original_route", ctx)
        if isinstance(original, APIRoute):
            methods = tuple(sorted(ctx.methods or original.methods or ()))
            table.append(RouteEntry(methods, str(ctx.path), route_need(original)))
    return sorted(table, key=lambda e: (e.path, e.methods))


def undeclared(app: FastAPI) -> list[str]:
    """``METHOD path`` of every API route without exactly one declared Need."""
    return [f"{','.join(e.methods)} {e.path}" for e in route_table(app) if e.need is None]


def teams_of(request: Request, principal: Principal) -> tuple[str, ...]:
    """The caller's teams (what a product it creates is granted to); Forbidden for a caller
    who sees only its teams' products and has no team (it could not see what it made)."""
    teams = pipeline.accounts.account(store_of(request), principal.name).teams
    if not teams and not principal.sees_everything:
        raise Forbidden(
            f"{principal.name} belongs to no team, so it would not see the product; "
            "an administrator must add it to a team first"
        )
    return teams


def cookie_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag: the option, else when the request came by https."""
    configured = options_of(request).secure_cookies
    return request.url.scheme == "https" if configured is None else configured
