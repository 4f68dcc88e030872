"""A killed MQTT ingester loses nothing and doubles nothing (Mosquitto on 127.0.0.1:1883).

The listener acknowledges a message only after the batch holding it is committed. Killed
(SIGKILL) mid-stream, it leaves the unacknowledged messages with the broker, which redelivers
them to the next listener of the same persistent session; their keys make any already stored
event a no-op. Every event the broker acknowledged to the publisher is stored exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.pipeline.telemetry import event_counts, unit_events
from soupwatch.store.db import Store
from tests.debs import skip_or_fail

BROKER = ("127.0.0.1", 1883)
MESSAGES, PER_MESSAGE = 300, 10


def _broker_or_skip() -> None:
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError as err:
        skip_or_fail(f"no MQTT broker on {BROKER[0]}:{BROKER[1]}: {err}")


def _listener(settings: Settings, client_id: str, topic: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SOUPWATCH_HOME": str(settings.home),
        "SOUPWATCH_DATABASE_URL": settings.database_url,
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "soupwatch.cli.main", "monitor", "mqtt", "--client-id", client_id,
         "--topic", topic, "--inflight", "20", "--flush-after", "0.1", "--progress", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "subscribed to …" once the session is in place
    assert line.startswith("subscribed"), line + proc.stderr.read() if proc.stderr else line
    return proc


def _publish(prefix: str) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{prefix}")
    pub.connect(*BROKER)
    pub.loop_start()
    sent = []
    for m in range(MESSAGES):
        events = [
            {"id": f"e{m * PER_MESSAGE + j}", "time": "2026-12-05T10:00:00Z", "kind": "reboot"}
            for j in range(PER_MESSAGE)
        ]
        sent.append(pub.publish(f"{prefix}/units/SN-{m % 7}/events", json.dumps(events), qos=1))
    for info in sent:
        info.wait_for_publish(timeout=30)  # the broker acknowledged it: it must be stored
        assert info.is_published()
    pub.loop_stop()
    pub.disconnect()


def _wait(store: Store, until: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        stored = event_counts(store)[0]
        if stored >= until or time.monotonic() > deadline:
            return stored
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_mid_stream_stores_every_acknowledged_event_once(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _broker_or_skip()
    prefix = f"t-{uuid.uuid4().hex[:10]}"
    client_id = f"soupwatch-test-{prefix}"
    topic = f"{prefix}/units/+/events"
    total = MESSAGES * PER_MESSAGE
    first = _listener(settings, client_id, topic)
    publisher = threading.Thread(target=_publish, args=(prefix,))
    try:
        publisher.start()
        _wait(store, 1, 30)  # the first batch is committed: kill the listener now
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    publisher.join(60)
    at_kill = event_counts(store)[0]
    assert 0 < at_kill < total, "the listener must be killed mid-stream"
    second = _listener(settings, client_id, topic)
    try:
        assert _wait(store, total, 60) == total
    finally:
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert event_counts(store) == (total, 0)
    keys = {e.key for u in range(7) for e in unit_events(store, f"SN-{u}", limit=total)}
    assert len(keys) == total  # none lost, none doubled (one row per event id)
    assert "events stored" in out
