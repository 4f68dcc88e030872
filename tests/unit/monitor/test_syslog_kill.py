"""A killed syslog-over-TCP ingester doubles nothing, and a sender's resend loses nothing.

Syslog has no acknowledgement: a listener SIGKILLed mid-stream loses the events of the batch it
had not committed yet. A unit that puts its own event id in the ``soupwatch@`` structured data
can resend everything it cannot be sure of to the next listener; the ids make what was already
stored a no-op, so every event ends up stored exactly once.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from soupwatch.config import Settings
from soupwatch.pipeline.telemetry import event_counts, unit_events
from soupwatch.store.db import Store

UNITS, TOTAL = 5, 20_000


def _listener(settings: Settings) -> tuple[subprocess.Popen[str], int]:
    env = {
        **os.environ,
        "SOUPWATCH_HOME": str(settings.home),
        "SOUPWATCH_DATABASE_URL": settings.database_url,
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "soupwatch.cli.main", "monitor", "syslog", "--no-udp",
         "--tcp", "0", "--progress", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "listening for syslog on 127.0.0.1: tcp PORT"
    assert line.startswith("listening"), line + (proc.stderr.read() if proc.stderr else "")
    return proc, int(line.split()[-1])


def _frames() -> list[bytes]:
    lines = [
        b'<38>1 2026-12-05T10:00:00Z SN-%d sshd 42 - [soupwatch@32473 id="e%d" '
        b'kind="login_failed" user="root"] Failed password' % (i % UNITS, i)
        for i in range(TOTAL)
    ]
    return [b"%d %s" % (len(x), x) for x in lines]


def _wait(store: Store, until: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        stored = event_counts(store)[0]
        if stored >= until or time.monotonic() > deadline:
            return stored
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_mid_stream_then_resend_stores_every_event_once(
    store: Store, settings: Settings
) -> None:
    frames = _frames()
    first, port = _listener(settings)
    sent = 0
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            for sent, frame in enumerate(frames, 1):
                s.sendall(frame)
                if sent == 2000:
                    assert _wait(store, 1, 30) > 0  # a batch is committed: kill mid-stream
                    first.send_signal(signal.SIGKILL)
                    first.wait()
                    break
    finally:
        first.kill()
        first.wait()
    at_kill = event_counts(store)[0]
    assert 0 < at_kill <= sent < TOTAL
    second, port = _listener(settings)
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"".join(frames))  # the unit resends all it cannot be sure of
        assert _wait(store, TOTAL, 60) == TOTAL
        time.sleep(0.2)  # a late duplicate would show now
    finally:
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert event_counts(store) == (TOTAL, 0)
    keys = {e.key for u in range(UNITS) for e in unit_events(store, f"SN-{u}", limit=TOTAL)}
    assert len(keys) == TOTAL  # none lost, none doubled (one row per event id)
    assert f"{TOTAL - at_kill} events stored, {at_kill} already stored" in out
