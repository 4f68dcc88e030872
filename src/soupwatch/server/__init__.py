"""The web edge: ``create_app(settings)`` builds the FastAPI app (REST under /api/v1 and the
dashboard). See docs/server.md."""

from soupwatch.server.app import ServerOptions, create_app

__all__ = ["ServerOptions", "create_app"]
