"""Daily portfolio snapshots (trend history): record today's, read the history.

A snapshot is made from the stored assessments (stale ones are recomputed first, as every view
does): per release, its open and uncontrolled findings (``ReleaseCounts``, the one definition)
and its overdue ones (:func:`soupwatch.model.trend.overdue_filter`, counted in SQL by the same
query as the findings pages). Recording the same day again replaces that day's rows, so a
daily timer may run it as often as it likes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from soupwatch.model.trend import ReleaseSnapshot, overdue_filter
from soupwatch.pipeline.assessments import findings_page, portfolio
from soupwatch.store import snapshot_tables as repo
from soupwatch.store.db import Store

TREND_DAYS = 30
"""How many days of history the dashboard draws."""


def record_snapshot(store: Store, *, now: datetime | None = None) -> list[ReleaseSnapshot]:
    """Record today's snapshot of every release (replacing one recorded earlier today)."""
    now = now or datetime.now(UTC)
    today = now.date()
    rows = []
    for s in portfolio(store, now=now):
        overdue = findings_page(
            store, s.product, s.release, overdue_filter(today), limit=1, now=now
        ).total
        counts = s.counts
        rows.append(
            ReleaseSnapshot(
                today, s.product, s.release, counts["open"], counts["uncontrolled"], overdue
            )
        )
    with store.session() as session:
        repo.record_day(session, today, rows, now)
    return rows


def snapshot_history(
    store: Store, *, days: int = TREND_DAYS, today: date | None = None
) -> list[ReleaseSnapshot]:
    """The snapshots of the last ``days`` days (today included), oldest first."""
    today = today or datetime.now(UTC).date()
    with store.session() as session:
        return repo.history(session, today - timedelta(days=days - 1))
