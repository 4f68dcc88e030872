"""Notify fixtures: a real SMTP server (aiosmtpd) and a real HTTP receiver that verifies the
webhook signature, both on free loopback ports; the infusion pump with an old OpenSSL on the
nvd + kev + eol feeds (Heartbleed: known-exploited, uncontrolled, clocks, end of support)."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None) -> Iterator[Mailbox]:
    """aiosmtpd on a free loopback port; it accepts AUTH (user ``mailer``), and with ``tls``
    requires STARTTLS before anything else."""
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
                    "tls": session.ssl is not None,
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
        auth_require_tls=tls is not None,
        tls_context=tls,
        require_starttls=tls is not None,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A plain SMTP server (AUTH without TLS) on a free loopback port."""
    with smtp_server() as box:
        yield box


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


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
