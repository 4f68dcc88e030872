"""Store what units report: one transaction per batch, each event exactly once.

Listeners (``monitor/mqtt.py``, ``monitor/syslog.py``) and the HTTP batch route store through
:func:`record_events` and acknowledge the batch only after it returns: the commit comes
first, so an acknowledged event is never lost, and a redelivered one is never stored twice.

The transports call ``soupwatch.monitor.ingest``, which calls :func:`record_events` and then
runs the unusual-activity rules on the batch (the pipeline imports nothing postmarket).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from soupwatch.model.telemetry import DeviceEvent, RejectedEvent
from soupwatch.store import telemetry_repo as repo
from soupwatch.store.db import Store


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one batch did: events stored now, already stored (redelivered), refused."""

    stored: int
    duplicates: int
    rejected: int

    def as_dict(self) -> dict[str, int]:
        """JSON form (the HTTP batch answer)."""
        return {"stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected}


def record_events(
    store: Store, outcomes: Sequence[DeviceEvent | RejectedEvent], received: datetime
) -> Recorded:
    """Store a batch of normalised messages (events and refusals) in one transaction."""
    events = [o for o in outcomes if isinstance(o, DeviceEvent)]
    rejects = [o for o in outcomes if isinstance(o, RejectedEvent)]
    unique = list({e.key: e for e in events}.values())  # a batch may repeat itself
    with store.session() as session:
        new = repo.insert_events(session, unique, received)
        repo.insert_rejects(session, rejects, received)
    return Recorded(new, len(events) - new, len(rejects))


def unit_events(
    store: Store, unit: str, *, since: datetime | None = None, limit: int = 1000
) -> list[DeviceEvent]:
    """A unit's stored events, oldest first."""
    with store.session() as session:
        return repo.events_of(session, unit, since=since, limit=limit)


def event_counts(store: Store, unit: str | None = None) -> tuple[int, int]:
    """(events stored [of one unit], messages refused)."""
    with store.session() as session:
        return repo.count_events(session, unit), repo.count_rejects(session)
