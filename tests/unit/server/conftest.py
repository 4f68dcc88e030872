"""Server fixtures: the app on the test database, with the example portfolio scanned, and
clients that authenticate (an API key per role; passwords hashed at a test-only argon2 cost)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from soupwatch.config import Settings
from soupwatch.model.access import KeyScope, Role
from soupwatch.pipeline import accounts, load_target, scan_release, store_document
from soupwatch.server.app import ServerOptions, create_app
from tests import synced

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SCANNED_FEEDS = ("nvd", "nvd-legacy", "kev")


PASSWORD = "correct horse battery"


def options(**kwargs: Any) -> ServerOptions:
    """Server options for tests: the test client's host name allowed, a cheap argon2 cost."""
    kwargs.setdefault("allowed_hosts", ("testserver", "localhost"))
    kwargs.setdefault("password_cost", accounts.CHEAP)
    kwargs.setdefault("profiles_dir", EXAMPLES)
    return ServerOptions(**kwargs)


class Client:
    """A synchronous face on httpx's ASGITransport: requests go to the app in-process.

    With ``token`` every request sends ``Authorization: Bearer <token>``; cookies the app sets
    are kept and sent back (a browser's session)."""

    def __init__(
        self, app: FastAPI, token: str | None = None, base_url: str = "http://testserver"
    ) -> None:
        self.app = app
        self.token = token
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request to the app and return its response."""
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token and "authorization" not in {k.lower() for k in headers}:
            headers["Authorization"] = f"Bearer {self.token}"

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url=self.base_url, cookies=self.cookies
            ) as c:
                got = await c.request(method, url, headers=headers, **kwargs)
                self.cookies.update({cookie.name: cookie.value or "" for cookie in c.cookies.jar})
                return got

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET ``url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST to ``url``."""
        return self.request("POST", url, **kwargs)


def add_user(
    app: FastAPI,
    name: str,
    role: Role,
    *,
    teams: tuple[str, ...] = (),
    scope: KeyScope = KeyScope.WRITE,
) -> Client:
    """Create a user (password ``PASSWORD``) with a key of ``scope``; a client using the key."""
    store = app.state.store
    accounts.create_user(
        store, name, role, PASSWORD, actor="test", now=NOW, cost=accounts.CHEAP, teams=teams
    )
    key = accounts.create_key(
        store, name, scope, days=30, label="test", actor="test", now=datetime.now(UTC)
    )
    return Client(app, key.token)


def admin_client(app: FastAPI) -> Client:
    """A client of an administrator (created now) authenticated by a write key."""
    return add_user(app, "admin", Role.ADMINISTRATOR)


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    """An administrator's client of the app on an empty database (in-process, no sockets);
    upload limit 64 KiB."""
    app = create_app(settings, options(max_upload_bytes=64 * 1024))
    try:
        yield admin_client(app)
    finally:
        app.state.store.close()


@pytest.fixture
def scanned(client: Client, request: pytest.FixtureRequest) -> Client:
    """The client with nvd + nvd-legacy + kev synced and the infusion pump 1.0 stored, scanned.

    The test must be marked ``@pytest.mark.synced(*SCANNED_FEEDS)``: its database starts synced.
    """
    synced.require(request, SCANNED_FEEDS)
    store = client.app.state.store
    path = EXAMPLES / "infusion-pump.cdx.json"
    store_document(store, load_target(path), "infusion-pump", "1.0", source=str(path), now=NOW)
    scan_release(store, "infusion-pump", "1.0", now=NOW)
    return client
