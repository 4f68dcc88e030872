"""Telemetry stored exactly once: batches, syslog over UDP/TCP/TLS, the HTTP batch route."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import ssl
from datetime import UTC, datetime
from pathlib import Path

from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.model.telemetry import Transport
from soupwatch.monitor.events import event_from_syslog, events_from_json
from soupwatch.monitor.syslog import SyslogIngester, SyslogOptions
from soupwatch.pipeline.telemetry import event_counts, record_events, unit_events
from soupwatch.server.app import create_app
from soupwatch.store.db import Store
from tests.unit.server.conftest import add_user, options

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _batch(n: int, start: int = 0) -> bytes:
    return json.dumps(
        [
            {
                "unit": f"SN-{i % 3}",
                "id": f"e{i}",
                "time": f"2026-12-05T10:{i // 60 % 60:02d}:{i % 60:02d}Z",
                "kind": "login_failed",
                "fields": {"user": "root", "n": i, "peer": "10.0.0.9"},
            }
            for i in range(start, start + n)
        ]
    ).encode()


def test_a_batch_delivered_twice_is_stored_once(store: Store) -> None:
    outcomes = events_from_json(_batch(50), Transport.HTTP)
    first = record_events(store, [*outcomes, *outcomes[:5]], NOW)  # repeats itself too
    assert (first.stored, first.duplicates, first.rejected) == (50, 5, 0)
    again = record_events(store, outcomes, NOW)
    assert (again.stored, again.duplicates) == (0, 50)
    bad = events_from_json(b'{"unit": "SN-1"}', Transport.HTTP)
    assert record_events(store, bad, NOW).rejected == 1
    assert event_counts(store) == (50, 1)
    events = unit_events(store, "SN-1")
    assert [e.fields["n"] for e in events] == sorted(e.fields["n"] for e in events)
    assert events[0].at.astimezone(UTC) == datetime(2026, 12, 5, 10, 0, 1, tzinfo=UTC)
    assert events[0].fields == {"user": "root", "n": 1, "peer": "10.0.0.9"}


def _tls_contexts(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp / "c.pem", tmp / "k.pem")
    client = ssl.create_default_context(cafile=tmp / "c.pem")
    return server, client


def test_syslog_over_udp_tcp_and_tls(store: Store, tmp_path: Path) -> None:
    server_tls, client_tls = _tls_contexts(tmp_path)

    async def run() -> tuple[int, int]:
        plain = SyslogIngester(store, SyslogOptions(udp_port=0, tcp_port=0, flush_after=0.01))
        secure = SyslogIngester(
            store, SyslogOptions(udp_port=None, tcp_port=0, tls=server_tls, flush_after=0.01)
        )
        tasks = [asyncio.create_task(i.serve()) for i in (plain, secure)]
        await plain.ready.wait()
        await secure.ready.wait()
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=("127.0.0.1", plain.ports["udp"])
        )
        for i in range(20):
            udp.sendto(b"<13>1 - SN-UDP app - REBOOT - boot %d" % i)
        _, w = await asyncio.open_connection("127.0.0.1", plain.ports["tcp"])
        for i in range(30):  # octet counting and LF framing mixed on one stream
            msg = b"<13>1 - SN-TCP app - - - n%d" % i
            w.write(b"%d %s" % (len(msg), msg) if i % 2 else msg + b"\n")
        w.write(b"<13>garbage\n")
        await w.drain()
        _, ws = await asyncio.open_connection(
            "127.0.0.1", secure.ports["tcp"], ssl=client_tls, server_hostname="localhost"
        )
        for i in range(10):
            ws.write(b"<13>Dec  5 09:59:58 SN-TLS sshd: Failed password %d\n" % i)
        await ws.drain()
        for _ in range(500):
            if plain.stats.stored + secure.stats.stored >= 60:
                break
            await asyncio.sleep(0.01)
        w.close()
        ws.close()
        udp.close()
        plain.stop()
        secure.stop()
        await asyncio.gather(*tasks)
        return plain.stats.rejected, plain.stats.stored + secure.stats.stored

    rejected, stored = asyncio.run(run())
    assert (stored, rejected) == (60, 1)
    assert event_counts(store, "SN-UDP")[0] == 20
    assert {e.kind for e in unit_events(store, "SN-UDP")} == {"reboot"}
    assert event_counts(store, "SN-TCP")[0] == 30
    assert event_counts(store, "SN-TLS")[0] == 10


def test_http_batch_route(settings: Settings) -> None:
    app = create_app(settings, options())
    device = add_user(app, "gateway-1", Role.DEVICE)
    reader = add_user(app, "auditor", Role.AUDITOR)
    body = _batch(30)
    got = device.post("/api/v1/telemetry/events", content=body, headers=_json())
    assert got.status_code == 200, got.text
    assert got.json()["stored"] == 30
    again = device.post("/api/v1/telemetry/events", content=body, headers=_json())
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 30)  # a retried batch
    mixed = json.dumps([{"unit": "SN-1"}, json.loads(_batch(1, 100))[0]]).encode()
    part = device.post("/api/v1/telemetry/events", content=mixed, headers=_json()).json()
    assert part["stored"] == 1 and part["refused"][0]["index"] == 0
    assert "kind must be" in part["refused"][0]["reason"]
    assert device.post("/api/v1/telemetry/events", content=b"[", headers=_json()).status_code == 400
    plain = {"content-type": "text/plain"}
    assert device.post("/api/v1/telemetry/events", content=body, headers=plain).status_code == 415
    huge = b"[" + b" " * (64 * 1024 * 16 + 1) + b"]"
    assert device.post("/api/v1/telemetry/events", content=huge, headers=_json()).status_code == 413
    assert reader.post("/api/v1/telemetry/events", content=body, headers=_json()).status_code == 403
    # a device key reads nothing
    assert device.get("/api/v1/products").status_code == 403
    assert event_counts(app.state.store) == (31, 1)


def _json() -> dict[str, str]:
    return {"content-type": "application/json"}


def test_syslog_line_of_a_spoofed_unit_is_refused() -> None:
    got = event_from_syslog(b'<13>1 - SN-1 a - - [soupwatch@1 unit="../x"] m', NOW)
    assert not hasattr(got, "unit")
