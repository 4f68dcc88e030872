"""The OpenAPI document, Swagger UI and ReDoc, for authenticated callers, with every asset
served from this server (no CDN: the docs work offline).

The assets come from the ``fastapi-offline`` package, which ships Swagger UI 5 (it renders the
OpenAPI 3.1 FastAPI writes; ``swagger-ui-bundle`` ships 4.15, which does not) and ReDoc; we use
its files only, with FastAPI's own page builders. Static assets are public; the pages and the
schema need ``read``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from soupwatch.errors import MissingExtra
from soupwatch.model.access import Permission
from soupwatch.server.security import needs

STATIC = Path(__file__).resolve().parent / "static"
DOCS_ASSETS = "/static/docs"


def _assets() -> Path:
    try:
        import fastapi_offline
    except ImportError as err:  # pragma: no cover - part of the [server] extra
        raise MissingExtra("The API docs", "server") from err
    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Mount the static assets and add /openapi.json, /docs and /redoc."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=_assets()), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    read = [needs(Permission.READ)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=read)
    def openapi() -> JSONResponse:
        schema: dict[str, Any] = app.openapi()
        return JSONResponse(schema)

    @app.get("/docs", include_in_schema=False, dependencies=[needs(Permission.READ, page=True)])
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="soupwatch API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[needs(Permission.READ, page=True)])
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="soupwatch API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
