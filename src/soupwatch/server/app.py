"""``create_app(settings)``: the FastAPI application (REST API under /api/v1 and the dashboard).

The app opens (and migrates) the store once and shares it across requests; every request runs
its own transactions through the pipeline and the store's repositories. Every route declares
what it needs (``server/security.py``); the app refuses to start with a route that declares
nothing. Around the routes: the access log, the Host allow-list and security headers,
back-pressure (a concurrency limit with a bounded wait, 503 with Retry-After beyond it, the
database pool sized to the limit) and CORS only when origins are configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request

from soupwatch import __version__
from soupwatch.config import DEFAULT_MAX_CONCURRENT, DEFAULT_REQUEST_TIMEOUT, Settings
from soupwatch.disclosure import IntakeLimits, ProviderSettings, SecurityTxtSettings
from soupwatch.errors import ConfigError, MissingExtra
from soupwatch.pipeline import LoginLimits, PasswordCost
from soupwatch.server.middleware import DEFAULT_QUEUE, DEFAULT_QUEUE_SECONDS
from soupwatch.store.db import Store

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
"""Largest SBOM body accepted by POST …/sbom (bytes); bigger bodies get 413."""

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
"""The Host names served by default (``--allowed-host`` adds more)."""


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """An OpenID Connect provider to log in with (authorization code flow with PKCE)."""

    issuer: str
    client_id: str
    client_secret: str
    username_claim: str = "preferred_username"
    """The ID token claim that names the (existing, local) soupwatch user."""
    scopes: str = "openid profile email"


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """What the server needs besides the store: profiles, limits, and its security settings."""

    profiles_dir: Path = EXAMPLES_DIR
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    """Host header names answered; any other is refused with 400 (``*``: any)."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed cross-origin requests; none by default (CORS closed)."""
    secure_cookies: bool | None = None
    """The session cookie's Secure flag: None sets it when the request came by https."""
    password_cost: PasswordCost = field(default_factory=PasswordCost)
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    oidc: OidcSettings | None = None
    """Single sign-on through this provider, besides passwords (None: passwords only)."""
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    """Requests at work at once in this process; the database pool is sized to it."""
    queue: int = DEFAULT_QUEUE
    """Requests waiting for a slot at once; beyond, 503 with Retry-After at once."""
    queue_seconds: float = DEFAULT_QUEUE_SECONDS
    """Seconds a request waits for a slot before it is answered 503."""
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds a read may take before it is answered 503 (writes run to their end)."""
    provider: ProviderSettings | None = None
    """The CSAF provider's publisher (None: no ``/.well-known/csaf/``, publishing refused)."""
    security_txt: SecurityTxtSettings | None = None
    """What ``/.well-known/security.txt`` says (None: it is not served)."""
    intake_limits: IntakeLimits = field(default_factory=IntakeLimits)
    """Disclosure reports per client address and window, and their largest body."""


def store_of(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


def options_of(request: Request) -> ServerOptions:
    """The app's options."""
    options: ServerOptions = request.app.state.options
    return options


def create_app(settings: Settings, options: ServerOptions | None = None) -> FastAPI:
    """Build the app on the store ``settings`` names (opened and migrated now)."""
    from fastapi.routing import APIRoute
    from starlette.middleware.cors import CORSMiddleware

    from soupwatch.discover import clean_leftovers
    from soupwatch.server import docs, errors, security
    from soupwatch.server.bodies import LimitedRoute
    from soupwatch.server.middleware import AccessLog, Bounded, HostAndHeaders
    from soupwatch.server.routes import (
        admin,
        alerts,
        api,
        auth,
        dashboard,
        decisions,
        disclosure,
        fleet,
        intel,
        jobs,
        notify,
        oidc,
        pages,
        telemetry,
    )

    try:  # Starlette parses the dashboard's form posts with it: refuse to start without it
        import python_multipart  # noqa: F401
    except ImportError as err:  # pragma: no cover - installed with the [server] extra
        raise MissingExtra("the dashboard's forms", "server") from err
    from soupwatch.server.routes import incidents as incident_routes
    from soupwatch.server.routes import provider as provider_routes

    options = options or ServerOptions()
    store = Store.open(settings, connections=options.max_concurrent)
    clean_leftovers()  # temporary folders of killed runs (uploads and unpacking)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # every admitted request gets a thread of the pool its routes run in (default 40)
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, options.max_concurrent)
        yield
        store.close()

    app = FastAPI(
        title="soupwatch",
        version=__version__,
        description="SOUP cybersecurity risk for medical devices: inventory, findings, "
        "VEX decisions, impact of a new vulnerability. Authenticate with "
        "`Authorization: Bearer <API key>` (`soupwatch admin create-key`) or the login form.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.router.route_class = LimitedRoute  # the routes the app adds itself (docs) too
    app.state.store = store
    app.state.options = options
    app.state.settings = settings
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(oidc.router)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(intel.router, prefix="/api/v1")
    app.include_router(decisions.router, prefix="/api/v1")
    app.include_router(admin.router, prefix="/api/v1")
    app.include_router(telemetry.router, prefix="/api/v1")
    app.include_router(fleet.router, prefix="/api/v1")
    app.include_router(incident_routes.router, prefix="/api/v1")
    app.include_router(alerts.router, prefix="/api/v1")
    app.include_router(jobs.router, prefix="/api/v1")
    app.include_router(notify.router, prefix="/api/v1")
    app.include_router(dashboard.router)
    app.include_router(pages.router)
    app.include_router(provider_routes.router)
    app.include_router(disclosure.router)
    app.include_router(incident_routes.pages)
    docs.install(app)
    missing = security.undeclared(app)
    if missing:
        raise ConfigError(f"routes without a declared permission: {', '.join(missing)}")
    unlimited = [
        r.path for r in app.routes if isinstance(r, APIRoute) and not isinstance(r, LimitedRoute)
    ]
    if unlimited:  # a router made without route_class=LimitedRoute: its JSON bodies unchecked
        raise ConfigError(f"routes whose JSON bodies skip the input limits: {', '.join(unlimited)}")
    if options.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(options.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["authorization", "content-type", security.CSRF_HEADER],
        )
    app.add_middleware(
        Bounded,
        max_concurrent=options.max_concurrent,
        queue=options.queue,
        queue_seconds=options.queue_seconds,
        timeout=options.request_timeout,
    )
    app.add_middleware(HostAndHeaders, allowed_hosts=options.allowed_hosts)
    app.add_middleware(AccessLog)
    return app
