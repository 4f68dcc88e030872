"""Daily portfolio snapshots (trend history): record today's, read the history.

A snapshot is made from the stored assessments (stale ones are recomputed first, as every view
does): per release, its open and uncontrolled findings (``ReleaseCounts``, the one definition)
and its overdue ones (open after their fix-by date: the SLA rule of the FDA package's
monitoring section, :func:`soupwatch.report.sections.monitoring.sla_outcome`). Recording the
same day again replaces that day's rows, so a daily timer may run it as often as it likes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from soupwatch.model.trend import ReleaseSnapshot
from soupwatch.pipeline.assessments import assessment, portfolio
from soupwatch.report.sections.monitoring import sla_outcome
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
        made = assessment(store, s.product, s.release, now=now)
        overdue = sum(1 for f in made.findings if sla_outcome(f, today) == "overdue")
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
