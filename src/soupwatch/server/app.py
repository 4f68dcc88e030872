"""``create_app(settings)``: the FastAPI application (REST API under /api/v1 and the dashboard).

The app opens (and migrates) the store once and shares it across requests; every request runs
its own transactions through the pipeline and the store's repositories.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request

from soupwatch import __version__
from soupwatch.config import Settings
from soupwatch.store.db import Store

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
"""Largest SBOM body accepted by POST …/sbom (bytes); bigger bodies get 413."""

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """What the server needs besides the store: where device profiles live, upload limit."""

    profiles_dir: Path = EXAMPLES_DIR
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD


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
    from soupwatch.server import errors
    from soupwatch.server.routes import api, dashboard, intel

    store = Store.open(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="soupwatch",
        version=__version__,
        description="SOUP cybersecurity risk for medical devices: inventory, findings, "
        "VEX decisions, impact of a new vulnerability.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.options = options or ServerOptions()
    errors.install(app)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(intel.router, prefix="/api/v1")
    app.include_router(dashboard.router)
    return app
