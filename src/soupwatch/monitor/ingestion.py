"""The one way telemetry enters soupwatch: store the batch, then run the unusual-activity rules.

Every transport (``mqtt``, ``syslog``, the HTTP batch route) calls :func:`ingest` and
acknowledges the batch only after it returns. The batch is committed first
(``pipeline.record_events``: an acknowledged event is never lost, a redelivered one never stored
twice); then the rules in force read the batch's events (``alerting.evaluate_recorded``). When
the rules fail, the call fails and the batch is not acknowledged: it is delivered again, its
events are already stored, and the rules run again (alerts are idempotent per rule, unit and
subject).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from soupwatch.model.telemetry import DeviceEvent, RejectedEvent
from soupwatch.monitor.alerting import evaluate_recorded
from soupwatch.pipeline.telemetry import Recorded, record_events
from soupwatch.store.db import Store


def ingest(
    store: Store, outcomes: Sequence[DeviceEvent | RejectedEvent], received: datetime
) -> Recorded:
    """Store a batch of normalised messages, then evaluate the rules on its events."""
    recorded = record_events(store, outcomes, received)
    events = list({o.key: o for o in outcomes if isinstance(o, DeviceEvent)}.values())
    if events:
        evaluate_recorded(store, events, received)
    return recorded
