"""Notify fixtures: a real SMTP server (aiosmtpd) and a real HTTP receiver that verifies the
webhook signature, both on free loopback ports; the infusion pump with an old OpenSSL on the
nvd + kev + eol feeds (Heartbleed: known-exploited, uncontrolled, clocks, end of support)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from soupwatch.notify import signing
from soupwatch.pipeline import load_target, products, store_document
from soupwatch.risk import load_profile
from soupwatch.store.db import Store
from tests import synced
from tests.unit.watch.conftest import EXAMPLES, old_openssl_sbom

FEEDS = ("nvd", "kev", "eol")
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SMTP_USER, SMTP_PASSWORD = "mailer", "smtp-secret-for-tests"


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received."""

    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """aiosmtpd on a free loopback port; it accepts AUTH (user ``mailer``) without TLS."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox(free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                }
            )
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            box.logins.append(SMTP_USER)
        return AuthResult(success=ok)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=box.port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook receiver: verifies each request's signature with ``secret``; answers 500 to
    the first ``fail`` requests."""

    url: str
    secret: str = ""
    fail: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on a free loopback port, in a thread."""
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            verified = signing.verify(
                state.secret,
                self.headers.get(signing.TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(signing.SIGNATURE_HEADER, ""),
                time.time(),
            )
            failing = state.fail > 0
            state.fail -= 1 if failing else 0
            state.received.append(
                {
                    "path": self.path,
                    "verified": verified,
                    "failed": failing,
                    "json": json.loads(body),
                    "event": self.headers.get(signing.EVENT_HEADER),
                }
            )
            self.send_response(500 if failing else 204 if verified else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook/T0K3N-in-path"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def pump(store: Store, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The store synced with nvd + kev + eol, and infusion-pump 0.9 with OpenSSL 1.0.1f, assessed
    with the pump's device profile.

    The test must be marked ``@pytest.mark.synced(*FEEDS)``."""
    synced.require(request, FEEDS)
    doc = load_target(old_openssl_sbom(tmp_path))
    store_document(store, doc, "infusion-pump", "0.9", source="old", now=T0)
    profile = load_profile(EXAMPLES / "infusion-pump.profile.yaml")
    products.set_context(store, "infusion-pump", profile, None, actor="test", now=T0)
    return store
