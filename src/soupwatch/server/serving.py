"""Production serving: the app built in each uvicorn worker process from the environment.

``soupwatch serve --workers N`` starts N processes; each one imports :func:`app_from_env` and
builds its own app (its own store, connection pool and concurrency limit) from the settings
(``SOUPWATCH_*``) and the server options ``serve`` wrote to :data:`OPTIONS_ENV` as JSON. Secrets
never go there: the OpenID Connect client secret stays in its own variable.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from soupwatch.config import ENV_OIDC_CLIENT_SECRET
from soupwatch.errors import ConfigError
from soupwatch.server.app import OidcSettings, ServerOptions, create_app

OPTIONS_ENV = "SOUPWATCH_SERVE_OPTIONS"
"""The server options of ``serve`` (JSON), read by every worker process."""
FACTORY = "soupwatch.server.serving:app_from_env"
"""What uvicorn imports in each worker (``factory=True``)."""


def options_json(options: ServerOptions) -> str:
    """``options`` as the JSON of :data:`OPTIONS_ENV` (without the OIDC client secret)."""
    data: dict[str, Any] = {
        "profiles_dir": str(options.profiles_dir),
        "max_upload_bytes": options.max_upload_bytes,
        "allowed_hosts": list(options.allowed_hosts),
        "cors_origins": list(options.cors_origins),
        "secure_cookies": options.secure_cookies,
        "max_concurrent": options.max_concurrent,
        "queue": options.queue,
        "queue_seconds": options.queue_seconds,
        "request_timeout": options.request_timeout,
    }
    if options.oidc is not None:
        oidc = asdict(options.oidc)
        oidc.pop("client_secret")
        data["oidc"] = oidc
    return json.dumps(data, sort_keys=True)


def options_from_json(text: str, secret: str | None = None) -> ServerOptions:
    """The options :func:`options_json` wrote; ConfigError (one line) for anything else."""
    try:
        data = json.loads(text)
        oidc = data.pop("oidc", None)
        sso = None
        if oidc is not None:
            if not secret:
                raise ConfigError(
                    f"single sign-on needs the client secret in ${ENV_OIDC_CLIENT_SECRET}"
                )
            sso = OidcSettings(client_secret=secret, **oidc)
        return ServerOptions(
            profiles_dir=Path(data.pop("profiles_dir")),
            allowed_hosts=tuple(data.pop("allowed_hosts")),
            cors_origins=tuple(data.pop("cors_origins")),
            oidc=sso,
            **data,
        )
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise ConfigError(f"${OPTIONS_ENV} is not what `soupwatch serve` writes: {err}") from err


def app_from_env() -> FastAPI:
    """The app of one worker process: settings and options from the environment."""
    from soupwatch.config import load_settings

    text = os.environ.get(OPTIONS_ENV)
    options = (
        options_from_json(text, os.environ.get(ENV_OIDC_CLIENT_SECRET)) if text else ServerOptions()
    )
    return create_app(load_settings(), options)
