"""``soupwatch serve``: run the REST API and dashboard with uvicorn (loopback by default)."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import typer

from soupwatch.cli.common import err_console
from soupwatch.cli.common import open_store as _open_store
from soupwatch.errors import ConfigError, MissingExtra

OIDC_SECRET_ENV = "SOUPWATCH_OIDC_CLIENT_SECRET"
"""Where ``serve --oidc-issuer`` reads the client secret (never from the command line)."""


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
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="Host header name to answer besides localhost (repeatable)."
    ),
    cors_origin: list[str] = typer.Option(
        [], "--cors-origin", help="Origin allowed cross-origin requests (repeatable; default none)."
    ),
    oidc_issuer: str | None = typer.Option(
        None, "--oidc-issuer", help="OpenID Connect provider for single sign-on (issuer URL)."
    ),
    oidc_client_id: str = typer.Option(
        "soupwatch", "--oidc-client-id", help="Client id registered at the provider."
    ),
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /openapi.json) and the dashboard (/), for
    logged-in users and API keys (create the first user with `soupwatch admin create-user`)."""
    try:
        import uvicorn

        from soupwatch.server.app import OidcSettings, ServerOptions, create_app
    except ImportError as err:
        raise MissingExtra("soupwatch serve", "server") from err
    from soupwatch.config import load_settings

    if profiles is not None and not profiles.is_dir():
        raise ConfigError("profiles folder does not exist", path=str(profiles))
    from soupwatch import pipeline
    from soupwatch.disclosure import provider_settings, security_txt_settings
    from soupwatch.server.app import LOCAL_HOSTS

    options = ServerOptions(
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        allowed_hosts=(*LOCAL_HOSTS, *allowed_host),
        cors_origins=tuple(cors_origin),
        provider=provider_settings(dict(os.environ)),
        security_txt=security_txt_settings(dict(os.environ)),
    )
    if profiles is not None:
        options = replace(options, profiles_dir=profiles)
    if oidc_issuer:
        secret = os.environ.get(OIDC_SECRET_ENV, "")
        if not secret:
            raise ConfigError(f"--oidc-issuer needs the client secret in ${OIDC_SECRET_ENV}")
        sso = OidcSettings(issuer=oidc_issuer, client_id=oidc_client_id, client_secret=secret)
        options = replace(options, oidc=sso)
    settings = load_settings()
    store = _open_store()
    try:
        if not pipeline.accounts.has_users(store):
            raise ConfigError(
                "no user yet: create the first administrator with "
                "`soupwatch admin create-user NAME --role administrator`, then serve"
            )
    finally:
        store.close()
    app = create_app(settings, options)
    if host not in LOCAL_HOSTS:
        err_console.print(
            f"warning: listening on {host}: terminate TLS in a reverse proxy in front "
            "(docs/server.md) so that passwords and keys never cross the network in clear",
            markup=False,
            highlight=False,
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the root app."""
    app.command("serve")(serve)
