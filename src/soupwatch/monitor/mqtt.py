"""Ingest unit telemetry from an MQTT broker, acknowledging each message after its commit.

The listener subscribes to ``soupwatch/units/+/events`` with QoS 1 on a persistent session
(MQTT 5: clean start off, a session expiry), and acknowledges messages manually: a batch of
messages is normalised, stored in one transaction and evaluated (``monitor.ingest``), and only then
acknowledged. A listener killed before its commit leaves its messages unacknowledged; the broker
redelivers them to the next listener with the same client id, and their keys make the second
delivery a no-op. So every acknowledged event is stored, and stored once.

Flow control: the listener tells the broker how many unacknowledged messages it takes
(``receive_maximum``, MQTT 5; Mosquitto honours it over its own ``max_inflight_messages``) and
stores a batch when half that many are waiting, or after ``flush_after`` seconds, whichever
comes first: the broker keeps sending the other half while a batch commits. Acknowledgements
queued during the message callback go out in one write. A publisher faster than the listener
for longer than the broker's queue holds (Mosquitto: ``max_queued_messages``, 1000) loses
messages at the broker, which acknowledged them to the publisher (docs/monitoring.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from soupwatch.errors import ConfigError
from soupwatch.model.telemetry import DeviceEvent, RejectedEvent, Transport
from soupwatch.monitor.events import events_from_json, reject, unit_of_topic
from soupwatch.monitor.ingestion import ingest
from soupwatch.pipeline.telemetry import Recorded
from soupwatch.store.db import Store

SUBSCRIPTION = "soupwatch/units/+/events"
MAX_EVENTS_PER_BATCH = 5000
"""Store a batch once it holds this many events (messages may carry lists of events): larger
transactions cost more per event on SQLite."""


@dataclass(slots=True)
class MqttOptions:
    """Where to listen and how to batch."""

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "soupwatch-ingest"
    """The persistent session's name: a restarted listener with the same id gets what its
    predecessor left unacknowledged."""
    topic: str = SUBSCRIPTION
    username: str | None = None
    password: str | None = None
    tls: bool = False
    receive_maximum: int = 1000
    flush_after: float = 0.05
    session_expiry: int = 7 * 24 * 3600
    """Seconds the broker keeps the session (and its queued messages) while no listener runs."""


@dataclass(slots=True)
class IngestStats:
    """Running totals of one listener."""

    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, messages: int, recorded: Recorded) -> None:
        """Count one committed batch."""
        self.messages += messages
        self.stored += recorded.stored
        self.duplicates += recorded.duplicates
        self.rejected += recorded.rejected
        self.batches += 1


class MqttIngester:
    """One MQTT listener storing into ``store`` (:meth:`run` until :meth:`stop`)."""

    def __init__(
        self,
        store: Store,
        options: MqttOptions,
        *,
        on_batch: Callable[[IngestStats], None] | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        try:
            import paho.mqtt.client as mqtt
            from paho.mqtt.enums import CallbackAPIVersion
        except ImportError as err:  # pragma: no cover - the [monitor] extra
            raise ConfigError("MQTT ingestion needs the [monitor] extra (paho-mqtt)") from err
        self.store = store
        self.options = options
        self.stats = IngestStats()
        self._on_batch = on_batch
        self._on_ready = on_ready
        self._pending: list[tuple[int, int, list[DeviceEvent | RejectedEvent]]] = []
        self._first_pending = 0.0
        self._pending_events = 0
        self._batch = max(1, options.receive_maximum // 2)
        """Store a batch when half the window is waiting: the broker keeps sending the other
        half while it commits (a full window would leave the connection idle until the
        acknowledgements go out, and the broker's queue filling meanwhile)."""
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        self._mqtt = mqtt
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=options.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if options.username:
            self.client.username_pw_set(options.username, options.password)
        if options.tls:
            self.client.tls_set()
        self.client.on_message = self._on_message
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        client.subscribe(self.options.topic, qos=1)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):  # type: ignore[no-untyped-def]
        self._subscribed.set()
        if self._on_ready is not None:
            self._on_ready()

    def _on_message(self, client, userdata, msg):  # type: ignore[no-untyped-def]
        unit = unit_of_topic(msg.topic)
        if unit is None:
            outcomes: list[DeviceEvent | RejectedEvent] = [
                reject(Transport.MQTT, f"topic {msg.topic[:100]!r} names no unit", msg.payload)
            ]
        else:
            outcomes = list(events_from_json(msg.payload, Transport.MQTT, unit=unit))
        if not self._pending:
            self._first_pending = time.monotonic()
        self._pending.append((msg.mid, msg.qos, outcomes))
        self._pending_events += len(outcomes)
        if len(self._pending) >= self._batch or self._pending_events >= MAX_EVENTS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        """Store what is waiting, then acknowledge it (in that order)."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self._pending_events = 0
        recorded = ingest(self.store, [o for _, _, outs in batch for o in outs], datetime.now(UTC))
        for mid, qos, _ in batch:
            if qos > 0:
                self.client.ack(mid, qos)
        self.stats.add(len(batch), recorded)
        if self._on_batch is not None:
            self._on_batch(self.stats)

    def connect(self) -> None:
        """Connect with a persistent session (queued messages survive a restart)."""
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.options.session_expiry
        props.ReceiveMaximum = self.options.receive_maximum
        try:
            self.client.connect(
                self.options.host, self.options.port, clean_start=False, properties=props
            )
        except OSError as err:
            raise ConfigError(
                f"cannot reach the MQTT broker at {self.options.host}:{self.options.port}: "
                f"{err.strerror or err}"
            ) from err

    def run(self, *, until: Callable[[], bool] | None = None) -> IngestStats:
        """Listen until :meth:`stop` (or ``until()`` is true), storing batch by batch."""
        self.connect()
        try:
            while not self._stop.is_set() and not (until and until()):
                self.client.loop(timeout=self.options.flush_after)
                self.client.loop_read(max_packets=self.options.receive_maximum)  # drain
                if self._pending and (
                    time.monotonic() - self._first_pending >= self.options.flush_after
                ):
                    self.flush()
            self.flush()
        finally:
            self.client.disconnect()
        return self.stats

    def wait_subscribed(self, timeout: float = 10.0) -> bool:
        """True once the subscription is in place (tests and benchmarks publish after it)."""
        return self._subscribed.wait(timeout)

    def stop(self) -> None:
        """Ask :meth:`run` to store what it holds and return."""
        self._stop.set()
