"""Daily snapshots of the portfolio: the counts of each release on one day (trend history).

A snapshot row says, for one release on one day, how many findings were open, how many of
those were uncontrolled (FDA sense) and how many were overdue (:func:`overdue_filter`: open,
with a clock that ran out before that day). ``soupwatch snapshot`` records today's; the
dashboard draws the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from soupwatch.model.status import FindingFilter


def overdue_filter(today: date) -> FindingFilter:
    """The one definition of *overdue* on ``today``: an open finding whose earliest running
    clock (communicate by, fix by, CISA KEV due date, assessment due date:
    ``AssessedFinding.due``) fell before today. The dashboard links each count to this page."""
    return FindingFilter(open=True, due_before=today - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class ReleaseSnapshot:
    """One release's counts on one day."""

    day: date
    product: str
    release: str
    open: int
    uncontrolled: int
    overdue: int


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The counts of several releases summed on one day (a point of a trend chart)."""

    day: date
    open: int
    uncontrolled: int
    overdue: int


def daily_totals(rows: list[ReleaseSnapshot]) -> list[TrendPoint]:
    """The rows summed per day, oldest first."""
    totals: dict[date, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.day, [0, 0, 0])
        t[0] += r.open
        t[1] += r.uncontrolled
        t[2] += r.overdue
    return [TrendPoint(d, *totals[d]) for d in sorted(totals)]
