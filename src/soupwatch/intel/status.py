"""``db status``: per feed, what the store holds and how fresh it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soupwatch.intel.interface import FeedState
from soupwatch.store.db import Store


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One feed's state: records, newest record, last sync, data age, warnings, last error, and
    whether its newest sync was interrupted or failed (``incomplete``)."""

    source: str
    records: int
    newest_record: datetime | None
    last_sync: datetime | None
    data_age_days: float | None
    warnings: int
    last_error: str | None
    resumable: bool
    warning_messages: tuple[str, ...] = ()
    incomplete: str | None = None
    """``incomplete: nvd sync interrupted at …`` until a sync of the feed completes."""

    def as_json(self) -> dict[str, Any]:
        """A JSON object with ISO timestamps."""
        return {
            "source": self.source,
            "records": self.records,
            "newest_record": self.newest_record.isoformat() if self.newest_record else None,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "data_age_days": self.data_age_days,
            "warnings": self.warnings,
            "last_error": self.last_error,
            "resumable": self.resumable,
            "warning_messages": list(self.warning_messages),
            "incomplete": self.incomplete,
        }


def feed_status(store: Store, names: list[str], now: datetime) -> list[FeedStatus]:
    """The status of every named feed (never-synced feeds show zero records), sorted by name."""
    with store.session() as session:
        states = {s.source: s for s in store.intel(session).feed_states()}
    result = []
    for name in sorted(set(names) | set(states)):
        state = states.get(name) or FeedState(source=name)
        last = state.last_sync
        result.append(
            FeedStatus(
                source=name,
                records=state.records,
                newest_record=state.newest_record,
                last_sync=last,
                data_age_days=round((now - last).total_seconds() / 86400, 2) if last else None,
                warnings=state.warnings,
                last_error=state.last_error,
                resumable=bool(state.cursor),
                warning_messages=state.warning_messages,
                incomplete=state.incomplete,
            )
        )
    return result
