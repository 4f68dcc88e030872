"""Server fixtures: the app on the test database, with the example portfolio scanned."""

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
from soupwatch.pipeline import load_target, scan_release, store_document
from soupwatch.server.app import ServerOptions, create_app
from tests import synced

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SCANNED_FEEDS = ("nvd", "nvd-legacy", "kev")


class Client:
    """A synchronous face on httpx's ASGITransport: requests go to the app in-process."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request to the app and return its response."""

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET ``url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST to ``url``."""
        return self.request("POST", url, **kwargs)


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    """A client of the app on an empty database (in-process, no sockets); upload limit 64 KiB."""
    app = create_app(settings, ServerOptions(profiles_dir=EXAMPLES, max_upload_bytes=64 * 1024))
    try:
        yield Client(app)
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
