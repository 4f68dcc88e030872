"""``soupwatch monitor``: take device telemetry in (MQTT, syslog) and read it back."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from soupwatch.cli.common import console, open_store, print_json
from soupwatch.errors import ConfigError

if TYPE_CHECKING:
    from soupwatch.monitor import IngestStats

monitor_app = typer.Typer(
    help="Device telemetry: ingest events over MQTT or syslog, list a unit's events.",
    no_args_is_help=True,
)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


class _Progress:
    """At most one line every ``every`` seconds: totals so far."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.last = 0.0

    def __call__(self, stats: IngestStats) -> None:
        now = time.monotonic()
        if self.every and now - self.last >= self.every:
            self.last = now
            _say(_totals(stats))


def _totals(s: IngestStats) -> str:
    return (
        f"{s.messages} messages: {s.stored} events stored, {s.duplicates} already stored "
        f"(redelivered), {s.rejected} refused"
    )


@monitor_app.command("mqtt")
def mqtt_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="MQTT broker host."),
    port: int = typer.Option(1883, "--port", help="MQTT broker port."),
    client_id: str = typer.Option(
        "soupwatch-ingest", "--client-id", help="Persistent session name (keep it per listener)."
    ),
    topic: str = typer.Option("soupwatch/units/+/events", "--topic", help="Subscription."),
    username: str | None = typer.Option(None, "--username", envvar="SOUPWATCH_MQTT_USER"),
    password: str | None = typer.Option(None, "--password", envvar="SOUPWATCH_MQTT_PASSWORD"),
    tls: bool = typer.Option(False, "--tls", help="Connect with TLS (system trust store)."),
    inflight: int = typer.Option(
        1000,
        "--inflight",
        min=1,
        max=65535,
        help="Unacknowledged messages taken at once (a batch is stored at half).",
    ),
    flush_after: float = typer.Option(0.05, "--flush-after", min=0.001, help="Batch seconds."),
    progress: float = typer.Option(10.0, "--progress", help="Seconds between progress lines."),
) -> None:
    """Store the events units publish on soupwatch/units/SERIAL/events (QoS 1, each
    acknowledged after its commit) until interrupted."""
    from soupwatch.monitor import MqttIngester, MqttOptions

    options = MqttOptions(
        host, port, client_id, topic, username, password, tls, inflight, flush_after
    )
    store = open_store()
    try:
        ingester = MqttIngester(
            store,
            options,
            on_batch=_Progress(progress),
            on_ready=lambda: _say(f"subscribed to {topic} on mqtt://{host}:{port} as {client_id}"),
        )
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: ingester.stop())
        stats = ingester.run()
    finally:
        store.close()
    _say(_totals(stats))


@monitor_app.command("syslog")
def syslog_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    udp: int | None = typer.Option(5514, "--udp", help="UDP port (0: any free port)."),
    tcp: int | None = typer.Option(5514, "--tcp", help="TCP port (RFC 6587 framing)."),
    no_udp: bool = typer.Option(False, "--no-udp", help="Do not listen on UDP."),
    no_tcp: bool = typer.Option(False, "--no-tcp", help="Do not listen on TCP."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="TCP over TLS: certificate."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="TCP over TLS: private key."),
    progress: float = typer.Option(10.0, "--progress", help="Seconds between progress lines."),
) -> None:
    """Store syslog messages (RFC 5424 or RFC 3164) from units until interrupted."""
    from soupwatch.monitor import SyslogIngester, SyslogOptions

    context = None
    if tls_cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as err:
            raise ConfigError(
                f"cannot load the TLS certificate: {err}", path=str(tls_cert)
            ) from err
    options = SyslogOptions(host, None if no_udp else udp, None if no_tcp else tcp, context)
    store = open_store()

    async def serve() -> IngestStats:
        ingester = SyslogIngester(store, options, on_batch=_Progress(progress))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, ingester.stop)
        task = asyncio.create_task(ingester.serve())
        await ingester.ready.wait()
        ports = ", ".join(f"{k} {v}" for k, v in sorted(ingester.ports.items()))
        _say(f"listening for syslog on {host}: {ports}")
        return await task

    try:
        stats = asyncio.run(serve())
    except OSError as err:
        raise ConfigError(f"cannot listen for syslog on {host}: {err.strerror or err}") from err
    finally:
        store.close()
    _say(_totals(stats))


@monitor_app.command("events")
def events_cmd(
    unit: str = typer.Argument(..., help="Unit serial number."),
    since: str | None = typer.Option(None, "--since", help="ISO date-time (UTC if no zone)."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of lines."),
) -> None:
    """A unit's stored events, oldest first."""
    from soupwatch.pipeline import unit_events

    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since)
        except ValueError as err:
            raise ConfigError(f"--since {since!r} is not an ISO date-time") from err
        if start.tzinfo is None:
            from datetime import UTC

            start = start.replace(tzinfo=UTC)
    store = open_store()
    try:
        events = unit_events(store, unit, since=start, limit=limit)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "unit": e.unit,
                    "time": e.at.isoformat(),
                    "kind": e.kind,
                    "transport": e.transport.value,
                    "fields": dict(e.fields),
                }
                for e in events
            ]
        )
        return
    for e in events:
        _say(f"{e.at.isoformat()} {e.kind} ({e.transport.value}) {json.dumps(dict(e.fields))}")
    if not events:
        _say(f"no events stored for unit {unit}")


def register(app: typer.Typer) -> None:
    """Attach ``monitor`` to the root app."""
    app.add_typer(monitor_app, name="monitor")
