"""``soupwatch serve``: run the REST API and dashboard with uvicorn (loopback by default)."""

from __future__ import annotations

import copy
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from soupwatch.cli.common import err_console
from soupwatch.cli.common import open_store as _open_store
from soupwatch.config import (
    DEFAULT_MAX_CONCURRENT,
    DEFAULT_REQUEST_TIMEOUT,
    ENV_OIDC_CLIENT_SECRET,
)
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
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Worker processes (each with its own limits)."
    ),
    max_concurrent: int = typer.Option(
        DEFAULT_MAX_CONCURRENT,
        "--max-concurrent",
        min=1,
        max=1000,
        help="Requests at work at once per worker (its database pool is sized to it); "
        "beyond it and a short wait: 503 with Retry-After.",
    ),
    request_timeout: float = typer.Option(
        DEFAULT_REQUEST_TIMEOUT,
        "--request-timeout",
        min=0.1,
        help="Seconds a read may take before it is answered 503.",
    ),
    trusted_proxy: list[str] = typer.Option(
        [],
        "--trusted-proxy",
        help="Address of a reverse proxy whose X-Forwarded-For/-Proto are believed "
        "(repeatable; default none: the headers are ignored).",
    ),
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /openapi.json) and the dashboard (/), for
    logged-in users and API keys (create the first user with `soupwatch admin create-user`)."""
    try:
        import uvicorn

        from soupwatch.server.app import OidcSettings, ServerOptions
        from soupwatch.server.serving import FACTORY, OPTIONS_ENV, options_json
    except ImportError as err:
        raise MissingExtra("soupwatch serve", "server") from err
    if profiles is not None and not profiles.is_dir():
        raise ConfigError("profiles folder does not exist", path=str(profiles))
    from soupwatch import pipeline
    from soupwatch.disclosure import provider_settings, security_txt_settings
    from soupwatch.server.app import LOCAL_HOSTS

    options = ServerOptions(
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        allowed_hosts=(*LOCAL_HOSTS, *allowed_host),
        cors_origins=tuple(cors_origin),
        max_concurrent=max_concurrent,
        request_timeout=request_timeout,
        provider=provider_settings(dict(os.environ)),
        security_txt=security_txt_settings(dict(os.environ)),
    )
    if profiles is not None:
        options = replace(options, profiles_dir=profiles)
    if oidc_issuer:
        secret = os.environ.get(ENV_OIDC_CLIENT_SECRET, "")
        if not secret:
            raise ConfigError(f"--oidc-issuer needs the client secret in ${ENV_OIDC_CLIENT_SECRET}")
        sso = OidcSettings(issuer=oidc_issuer, client_id=oidc_client_id, client_secret=secret)
        options = replace(options, oidc=sso)
    store = _open_store()
    try:
        if not pipeline.accounts.has_users(store):
            raise ConfigError(
                "no user yet: create the first administrator with "
                "`soupwatch admin create-user NAME --role administrator`, then serve"
            )
    finally:
        store.close()
    if host not in LOCAL_HOSTS:
        err_console.print(
            f"warning: listening on {host}: terminate TLS in a reverse proxy in front "
            "(docs/server.md) so that passwords and keys never cross the network in clear",
            markup=False,
            highlight=False,
        )
    os.environ[OPTIONS_ENV] = options_json(options)  # what each worker builds its app from
    uvicorn.run(FACTORY, **uvicorn_options(host, port, workers, trusted_proxy))


KEEP_ALIVE_SECONDS = 75
"""How long an idle keep-alive connection stays open. Longer than a reverse proxy keeps its
idle upstream connections (nginx: 60 s), so that the server never closes a connection as the
proxy sends a request on it. With uvicorn's default (5 s) the load test's clients met a few
connection resets (``ReadError``) under load, most likely requests sent on a connection the
server was closing as idle."""


def uvicorn_options(host: str, port: int, workers: int, trusted: list[str]) -> dict[str, Any]:
    """How uvicorn runs the app: in ``workers`` processes, each building it
    (:data:`~soupwatch.server.serving.FACTORY`); ``X-Forwarded-*`` believed only from the
    ``trusted`` addresses (uvicorn's own default trusts 127.0.0.1)."""
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_config": log_config(),
        "access_log": False,  # soupwatch's own access log names the authenticated user
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": ",".join(trusted) if trusted else None,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus soupwatch's loggers (the access log: one plain line each), set
    up in every worker process."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(message)s"}
    config["handlers"]["soupwatch"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["soupwatch"] = {
        "handlers": ["soupwatch"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the root app."""
    app.command("serve")(serve)
