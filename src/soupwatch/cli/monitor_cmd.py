"""``soupwatch monitor``: take device telemetry in (MQTT, syslog) and read it back; load and
list the unusual-activity rules, list alerts, raise the silent-unit alerts (``silent``, for a
schedule such as cron)."""

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

from soupwatch.cli.common import Store, console, current_time, open_store, print_json, print_table
from soupwatch.cli.vex_cmd import current_user
from soupwatch.errors import ConfigError

if TYPE_CHECKING:
    from soupwatch.model.alerts import Alert
    from soupwatch.monitor import IngestStats, SilenceWatch

monitor_app = typer.Typer(
    help="Device telemetry: ingest events over MQTT or syslog, list a unit's events; "
    "unusual-activity rules and alerts.",
    no_args_is_help=True,
)
rules_app = typer.Typer(
    help="Unusual-activity rules (YAML, versioned and audited; docs/monitoring.md).",
    no_args_is_help=True,
)
monitor_app.add_typer(rules_app, name="rules")


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


SILENT_EVERY: float = typer.Option(
    60.0,
    "--silent-every",
    min=0,
    help="Seconds between silent-unit checks while listening (0: none; `monitor silent` does one).",
)
"""The listeners' silent-unit check period (one option, two commands)."""


def _silence(store: Store, every: float) -> SilenceWatch | None:
    """The silent-unit check beside a listener, printing the alerts it opens."""
    if not every:
        return None
    from soupwatch.monitor import SilenceWatch

    def said(opened: list[Alert]) -> None:
        for a in opened:
            _say(f"alert {a.id}: {a.title}")

    return SilenceWatch(store, every, current_time, said).start()


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
    silent_every: float = SILENT_EVERY,
) -> None:
    """Store the events units publish on soupwatch/units/SERIAL/events (QoS 1, each
    acknowledged after its commit) until interrupted."""
    from soupwatch.monitor import MqttIngester, MqttOptions

    options = MqttOptions(
        host, port, client_id, topic, username, password, tls, inflight, flush_after
    )
    store = open_store()
    watch = _silence(store, silent_every)
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
        if watch is not None:
            watch.stop()
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
    silent_every: float = SILENT_EVERY,
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
    watch = _silence(store, silent_every)

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
        if watch is not None:
            watch.stop()
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


@rules_app.command("load")
def rules_load_cmd(
    file: Path = typer.Argument(..., help="YAML rule file (docs/monitoring.md)."),
) -> None:
    """Validate a rule file and store it as the next version (audited; the same text again
    stores nothing). A bad rule is one error line naming the file and the rule, exit 2."""
    from soupwatch.config import load_settings
    from soupwatch.monitor import load_rules

    settings = load_settings()
    text = file.read_text(encoding="utf-8")
    store = open_store()
    try:
        done = load_rules(
            store,
            text,
            actor=current_user(),
            now=current_time(),
            limits=settings.limits,
            source=str(file),
        )
    finally:
        store.close()
    rs = done.rule_set
    verb = "stored as version" if done.new else "unchanged: version"
    _say(f"{len(rs.rules)} rule(s) {verb} {rs.version} (loaded by {rs.loaded_by})")


@rules_app.command("list")
def rules_list_cmd(
    show: int | None = typer.Option(None, "--show", help="Print the text of this version."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """The stored versions of the rules, newest first (the newest is in force)."""
    from soupwatch.pipeline import rule_sets

    store = open_store()
    try:
        sets = rule_sets(store)
    finally:
        store.close()
    if show is not None:
        for rs in sets:
            if rs.version == show:
                typer.echo(rs.text, nl=False)  # as stored: no wrapping
                return
        raise ConfigError(f"no rule set version {show}", where="--show")
    rows = [
        {
            "version": rs.version,
            "digest": rs.digest,
            "loaded_by": rs.loaded_by,
            "loaded_at": rs.loaded_at.isoformat(),
        }
        for rs in sets
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} rule set version(s)",
        ["version", "loaded by", "loaded at", "sha-256"],
        [[r["version"], r["loaded_by"], r["loaded_at"], str(r["digest"])[:16]] for r in rows],
    )


@monitor_app.command("alerts")
def alerts_cmd(
    status: str | None = typer.Option(
        None, "--status", help="open, acknowledged or closed (default: every alert)."
    ),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit's alerts."),
    product: str | None = typer.Option(None, "--product", help="Only this product's alerts."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="JSON (soupwatch-alert/1) instead."),
) -> None:
    """Alerts of the unusual-activity rules, newest first."""
    from soupwatch.model.alerts import AlertStatus, alert_json
    from soupwatch.pipeline import AlertFilter, list_alerts

    try:
        wanted = None if status is None else [AlertStatus(status)]
    except ValueError as err:
        raise ConfigError(f"--status {status!r}: open, acknowledged or closed") from err
    store = open_store()
    try:
        alerts = list_alerts(store, AlertFilter(wanted, unit, product), limit=limit)
    finally:
        store.close()
    if as_json:
        print_json([alert_json(a) for a in alerts])
        return
    print_table(
        f"{len(alerts)} alert(s)",
        ["id", "status", "severity", "unit", "rule", "title", "last seen"],
        [
            [
                a.id,
                a.status.value,
                a.severity.value,
                a.unit,
                a.rule,
                a.title,
                a.last_seen.isoformat(),
            ]
            for a in alerts
        ],
    )


@monitor_app.command("silent")
def silent_cmd() -> None:
    """Raise the alerts of the silent-unit rules due now (run it on a schedule, e.g. cron
    every few minutes); prints the alerts opened."""
    from soupwatch.monitor import check_silent

    store = open_store()
    try:
        opened = check_silent(store, current_time())
    finally:
        store.close()
    for a in opened:
        _say(f"alert {a.id}: {a.title}")
    _say(f"{len(opened)} silent-unit alert(s) opened")


def register(app: typer.Typer) -> None:
    """Attach ``monitor`` to the root app."""
    app.add_typer(monitor_app, name="monitor")
