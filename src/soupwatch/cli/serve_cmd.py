"""``soupwatch serve``: run the REST API and dashboard with uvicorn (loopback by default)."""

from __future__ import annotations

from pathlib import Path

import typer

from soupwatch.cli.common import err_console
from soupwatch.errors import ConfigError, MissingExtra


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind (default loopback only; see docs/server.md)."
    ),
    port: int = typer.Option(8080, "--port", min=0, max=65535, help="TCP port (0: any free)."),
    profiles: Path | None = typer.Option(
        None, "--profiles", help="Folder of NAME.profile.yaml device profiles (default examples/)."
    ),
    max_upload_mb: int = typer.Option(
        20, "--max-upload-mb", min=1, max=1024, help="Largest SBOM upload accepted, in MiB."
    ),
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /openapi.json) and the dashboard (/)."""
    try:
        import uvicorn

        from soupwatch.server.app import ServerOptions, create_app
    except ImportError as err:
        raise MissingExtra("soupwatch serve", "server") from err
    from soupwatch.config import load_settings

    if profiles is not None and not profiles.is_dir():
        raise ConfigError("profiles folder does not exist", path=str(profiles))
    options = ServerOptions(max_upload_bytes=max_upload_mb * 1024 * 1024)
    if profiles is not None:
        options = ServerOptions(profiles_dir=profiles, max_upload_bytes=options.max_upload_bytes)
    app = create_app(load_settings(), options)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"warning: listening on {host}: the API has no authentication; put it behind a "
            "reverse proxy that authenticates (docs/server.md)",
            markup=False,
            highlight=False,
        )
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the root app."""
    app.command("serve")(serve)
