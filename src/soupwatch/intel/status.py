"""``db status``: per feed, what the store holds and how fresh it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from soupwatch.intel.records import as_utc
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelFeedStateRow


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One feed's state: records, newest record, last sync, data age, warnings, last error."""

    source: str
    records: int
    newest_record: datetime | None
    last_sync: datetime | None
    data_age_days: float | None
    warnings: int
    last_error: str | None
    resumable: bool
    warning_messages: tuple[str, ...] = ()

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
        }


def feed_status(store: Store, names: list[str], now: datetime) -> list[FeedStatus]:
    """The status of every named feed (never-synced feeds show zero records), sorted by name."""
    with store.session() as session:
        rows = {r.source: r for r in session.scalars(select(IntelFeedStateRow))}
    result = []
    for name in sorted(set(names) | set(rows)):
        row = rows.get(name)
        last = as_utc(row.last_sync) if row else None
        result.append(
            FeedStatus(
                source=name,
                records=row.records if row else 0,
                newest_record=as_utc(row.newest_record) if row else None,
                last_sync=last,
                data_age_days=round((now - last).total_seconds() / 86400, 2) if last else None,
                warnings=row.warnings if row else 0,
                last_error=row.last_error if row else None,
                resumable=bool(row and row.cursor),
                warning_messages=tuple(row.warning_messages or ()) if row else (),
            )
        )
    return result
