"""Benchmark telemetry ingest: events per core-second over MQTT and syslog (SQLite, PostgreSQL).

Each run starts the ingester in a child process (this script with ``--serve``), sends it
``--events`` events on loopback, waits until every one is committed, and divides the events by
the **CPU time of the ingester process** (user + system, all its threads): events per
core-second, the issue's unit (floor: 20,000 over MQTT and over syslog). Wall time is printed
beside it for information (2 cores are shared by the publisher, the broker and the database).

Transports: MQTT with one event per message and with JSON arrays of ``--per-message`` events
(Mosquitto on 127.0.0.1:1883, QoS 1, acknowledged after the commit); syslog RFC 5424 over UDP
and over TCP (octet-counted framing, RFC 6587). The MQTT and UDP publishers keep at most
``WINDOW`` messages ahead of the ingester's commits: Mosquitto drops QoS 1 messages beyond a
session's ``max_queued_messages`` (1000 by default) and the kernel drops datagrams beyond the
socket's buffer, and a benchmark that loses events measures nothing. TCP needs no window.

Baseline, measured in this process: the normaliser alone (``events_from_json`` on the same
payloads, ``event_from_syslog`` on the same lines), CPU time; the ratio says what transport
and storage cost on top.

Usage: .venv/bin/python benchmarks/bench_telemetry.py [--events 50000] [--per-message 50]
       [--db sqlite|postgresql|both] [--only mqtt1,mqttN,udp,tcp]
(``BENCH_PY_ARGS="-m cProfile -o ingest.prof"`` profiles the ingester process.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from soupwatch.config import Settings
from soupwatch.model.telemetry import Transport
from soupwatch.monitor import IngestStats, MqttIngester, MqttOptions, SyslogIngester, SyslogOptions
from soupwatch.monitor.events import event_from_syslog, events_from_json
from soupwatch.pipeline.telemetry import event_counts
from soupwatch.store.db import Store

PG = os.environ.get("SOUPWATCH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BROKER = ("127.0.0.1", 1883)
FLOOR = 20_000
WINDOW = 900
"""Most messages sent ahead of the ingester's commits (below Mosquitto's 1000 queued)."""
UDP_WINDOW = 2000
"""Most datagrams sent ahead of the commits (the listener asks for a 4 MiB socket buffer)."""


# --- what units send ----------------------------------------------------------------------


def json_event(i: int, run: str) -> dict[str, object]:
    return {
        "id": f"{run}-{i}",
        "time": f"2026-12-05T10:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
        "kind": "login_failed" if i % 3 else "connection",
        "fields": {"user": "root", "peer": f"10.0.{i % 250}.9", "port": 22, "n": i},
    }


def mqtt_payloads(n: int, per: int, run: str) -> list[tuple[str, bytes]]:
    """(topic unit, payload): ``per`` events per message (1: a bare object)."""
    out = []
    for start in range(0, n, per):
        events = [json_event(i, run) for i in range(start, min(start + per, n))]
        body = events[0] if per == 1 else events
        out.append((f"SN-{start // per % 50}", json.dumps(body).encode()))
    return out


def syslog_lines(n: int) -> list[bytes]:
    return [
        (
            f"<38>1 2026-12-05T10:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z SN-{i % 50} "
            f'sshd {1000 + i % 9000} LOGIN_FAILED [soupwatch@32473 user="root" '
            f'peer="10.0.{i % 250}.9" port="22"] Failed password for root from 10.0.{i % 250}.9'
        ).encode()
        for i in range(n)
    ]


# --- the ingester (child process) ---------------------------------------------------------


def serve(kind: str, db_url: str, topic: str, client_id: str) -> int:
    """Run one ingester; print ``ready``, ``acked N`` after each commit, ``cpu S`` at the end."""
    store = Store.open(Settings(home=Path(tempfile.gettempdir()), database_url=db_url))
    lock = threading.Lock()

    def acked(stats: IngestStats) -> None:
        with lock:
            print(f"acked {stats.messages}", flush=True)

    cpu0 = time.process_time()
    if kind == "mqtt":
        ingester = MqttIngester(
            store,
            MqttOptions(client_id=client_id, topic=topic),
            on_batch=acked,
            on_ready=lambda: print("ready 0", flush=True),
        )
        signal.signal(signal.SIGTERM, lambda *_: ingester.stop())
        ingester.run()
    else:

        async def main() -> None:
            syslog = SyslogIngester(store, SyslogOptions(udp_port=0, tcp_port=0), on_batch=acked)
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, syslog.stop)
            task = asyncio.create_task(syslog.serve())
            await syslog.ready.wait()
            print(f"ready {syslog.ports['udp']} {syslog.ports['tcp']}", flush=True)
            await task

        asyncio.run(main())
    print(f"cpu {time.process_time() - cpu0:.4f}", flush=True)
    store.close()
    return 0


class Child:
    """The ingester process and what it has acknowledged so far."""

    def __init__(self, kind: str, db_url: str, topic: str = "", client_id: str = "") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *os.environ.get("BENCH_PY_ARGS", "").split(), __file__,
             "--serve", kind, "--db-url", db_url, "--topic", topic, "--client-id", client_id],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline().split()
        assert ready and ready[0] == "ready", ready
        self.ports = [int(p) for p in ready[1:]]
        self.acked = 0
        self.cpu = 0.0
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            word, value = line.split()
            with self.changed:
                if word == "acked":
                    self.acked = int(value)
                else:
                    self.cpu = float(value)
                self.changed.notify_all()

    def wait_acked(self, at_least: int, idle: float = 5.0) -> bool:
        """Wait until ``at_least`` messages are committed; False after ``idle`` s without one."""
        with self.changed:
            while self.acked < at_least:
                seen = self.acked
                self.changed.wait_for(lambda seen=seen: self.acked != seen, idle)
                if self.acked == seen:
                    return False
        return True

    def finish(self) -> float:
        """Stop the ingester; its CPU seconds."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        self.reader.join(10)
        return self.cpu


# --- the publishers (this process) --------------------------------------------------------


def publish_mqtt(child: Child, prefix: str, payloads: list[tuple[str, bytes]]) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{prefix}")
    pub.max_inflight_messages_set(200)
    pub.max_queued_messages_set(0)
    pub.connect(*BROKER)
    pub.loop_start()
    infos = []
    for sent, (unit, body) in enumerate(payloads):
        if sent - child.acked >= WINDOW:
            child.wait_acked(sent - WINDOW // 2)
        infos.append(pub.publish(f"{prefix}/units/{unit}/events", body, qos=1))
    for info in infos:
        info.wait_for_publish(60)
    pub.loop_stop()
    pub.disconnect()


def publish_udp(child: Child, lines: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", child.ports[0]))
        for sent, line in enumerate(lines):
            if sent - child.acked >= UDP_WINDOW:
                child.wait_acked(sent - UDP_WINDOW // 2, idle=0.5)  # a datagram may be lost
            s.send(line)


def publish_tcp(child: Child, lines: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", child.ports[1])) as s:
        for start in range(0, len(lines), 1000):
            s.sendall(b"".join(b"%d %s" % (len(x), x) for x in lines[start : start + 1000]))


# --- one measured run ---------------------------------------------------------------------


def databases(which: str, tmp: Path, run: str) -> Iterator[tuple[str, str, Callable[[], None]]]:
    """(name, url, drop) of a fresh, empty database for one run: a new SQLite file, a new
    PostgreSQL schema (a table already holding the previous run's events is slower)."""
    if which in ("sqlite", "both"):
        yield "sqlite", f"sqlite:///{tmp / f'{run}.db'}", lambda: None
    if which in ("postgresql", "both"):
        import psycopg

        plain = PG.replace("+psycopg", "")
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        except psycopg.Error as err:
            print(f"PostgreSQL at {PG} does not answer: {err} (skipped)")
            return

        def drop() -> None:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

        yield "postgresql", f"{PG}?options=-csearch_path%3D{schema}", drop


def run(name: str, db: str, url: str, n: int, per: int, base: float) -> float:
    """One transport into one fresh database; prints and returns events per core-second."""
    store = Store.open(Settings(home=Path(tempfile.gettempdir()), database_url=url))
    before = event_counts(store)[0]
    run_id = uuid.uuid4().hex[:10]
    t0 = time.perf_counter()
    if name.startswith("mqtt"):
        prefix = f"bench-{run_id}"
        child = Child("mqtt", url, f"{prefix}/units/+/events", f"bench-ingest-{run_id}")
        payloads = mqtt_payloads(n, per, run_id)
        t0 = time.perf_counter()
        publish_mqtt(child, prefix, payloads)
        child.wait_acked(len(payloads))
    else:
        child = Child("syslog", url)
        lines = syslog_lines(n)
        t0 = time.perf_counter()
        (publish_udp if name == "udp" else publish_tcp)(child, lines)
        child.wait_acked(n)
    wall = time.perf_counter() - t0  # (after a loss: plus the idle wait)
    cpu = child.finish()
    stored = event_counts(store)[0] - before
    store.close()
    rate = stored / cpu
    label = {"mqtt1": "MQTT, 1 event/message", "mqttN": f"MQTT, {per} events/message"}.get(
        name, f"syslog RFC 5424 over {name.upper()}"
    )
    flag = "" if rate >= FLOOR else f"  BELOW the {FLOOR:,} floor"
    if stored < n:  # only UDP may lose (the kernel drops what the buffer cannot hold)
        flag += f"  LOST {n - stored}"
    print(
        f"{label:<28} {db:<10} {stored:>7} stored  {cpu:6.2f} s CPU {wall:6.2f} s wall  "
        f"{rate:>8,.0f} ev/core-s  ({base / rate:5.2f}x baseline){flag}",
        flush=True,
    )
    assert stored == n or name == "udp", f"{n - stored} events lost over {name}"
    return rate


def baseline(n: int, per: int) -> tuple[float, float, float]:
    """Normaliser alone, events per CPU second: JSON 1/message, JSON ``per``/message, syslog."""
    out = []
    for payloads in (mqtt_payloads(n, 1, "b"), mqtt_payloads(n, per, "b")):
        t0 = time.process_time()
        for unit, body in payloads:
            events_from_json(body, Transport.MQTT, unit=unit)
        out.append(n / (time.process_time() - t0))
    lines, now = syslog_lines(n), datetime.now(UTC)
    t0 = time.process_time()
    for line in lines:
        event_from_syslog(line, now)
    out.append(n / (time.process_time() - t0))
    return out[0], out[1], out[2]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when it completes (below-floor rates are printed, not failed)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--per-message", type=int, default=50)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--only", default="mqtt1,mqttN,udp,tcp")
    ap.add_argument("--serve", choices=["mqtt", "syslog"], help=argparse.SUPPRESS)
    ap.add_argument("--db-url", help=argparse.SUPPRESS)
    ap.add_argument("--topic", default="", help=argparse.SUPPRESS)
    ap.add_argument("--client-id", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.db_url, args.topic, args.client_id)
    names = args.only.split(",")
    if any(x.startswith("mqtt") for x in names):
        try:
            socket.create_connection(BROKER, timeout=2).close()
        except OSError as err:
            print(f"no MQTT broker on {BROKER[0]}:{BROKER[1]}: {err}", file=sys.stderr)
            return 2
    n, per = args.events, args.per_message
    b1, bn, bs = baseline(n, per)
    print(f"{n:,} events, {os.cpu_count()} CPUs (shared); rates are events per CPU second of the "
          f"ingester process; floor {FLOOR:,}")  # fmt: skip
    print(f"baseline: normaliser alone  JSON 1/message {b1:,.0f}  JSON {per}/message {bn:,.0f}  "
          f"RFC 5424 {bs:,.0f} ev/core-s")  # fmt: skip
    bases = {"mqtt1": b1, "mqttN": bn, "udp": bs, "tcp": bs}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            for db, url, drop in databases(args.db, Path(tmp), name):
                try:
                    run(name, db, url, n, per, bases[name])
                finally:
                    drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
