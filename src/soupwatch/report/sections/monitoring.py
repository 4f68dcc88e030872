"""The postmarket monitoring statement: sources watched, data age, and SLA performance."""

from __future__ import annotations

from datetime import date, datetime

from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.report.table import Column, Table, iso

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("source", "Source", "Vulnerability-intelligence feed.", nullable=False),
    Column(
        "records", "Records", "Records held from it at assessment time.", "integer", nullable=False
    ),
    Column("newest_record", "Newest record", "Modification time of its newest record.", "datetime"),
    Column("last_sync", "Last synchronised", "When soupwatch last synchronised it.", "datetime"),
    Column(
        "age_days",
        "Data age (days)",
        "Assessment time − last synchronisation (or newest record when never synchronised).",
        "number",
    ),
)

SLA_COLUMNS: tuple[Column, ...] = (
    Column("clock", "Clock", "Which policy clock.", nullable=False),
    Column(
        "with_clock",
        "Findings with this clock",
        "Findings the policy set a due date for.",
        "integer",
        nullable=False,
    ),
    Column(
        "met",
        "Handled in time",
        "Fixed or closed on or before the due date.",
        "integer",
        nullable=False,
    ),
    Column(
        "late", "Handled late", "Fixed or closed after the due date.", "integer", nullable=False
    ),
    Column(
        "running",
        "Open, within clock",
        "Still open, due date not yet passed.",
        "integer",
        nullable=False,
    ),
    Column("overdue", "Open, overdue", "Still open after the due date.", "integer", nullable=False),
    Column("performance", "In time (%)", "handled in time ÷ (handled + overdue).", "number"),
)


def _age(a: Assessment, last: datetime | None, newest: datetime | None) -> float | None:
    ref = last or newest
    if ref is None:
        return None
    # a sync during the same run can end a moment after the assessment clock was read
    return max(0.0, round((a.assessed_at - ref).total_seconds() / 86400.0, 1))


def build_sources(a: Assessment) -> Table:
    """One row per feed of the data snapshot, sorted by source name."""
    rows = tuple(
        {
            "source": s.source,
            "records": s.records,
            "newest_record": iso(s.newest_record),
            "last_sync": iso(s.last_sync),
            "age_days": _age(a, s.last_sync, s.newest_record),
        }
        for s in sorted(a.snapshot, key=lambda s: s.source)
    )
    return Table("monitoring-sources", "Sources watched", SOURCE_COLUMNS, rows)


def _handled_on(f: AssessedFinding) -> date | None:
    if f.resolved_at is not None:
        return f.resolved_at.date()
    if not f.is_open and f.vex is not None:
        return (
            f.vex.created.date() if f.vex.created else f.first_seen.date() if f.first_seen else None
        )
    return None


def sla_outcome(f: AssessedFinding, today: date) -> str | None:
    """``met``, ``late``, ``running`` or ``overdue`` against ``fix_by``; None without a clock."""
    if f.fix_by is None:
        return None
    if f.is_open:
        return "overdue" if today > f.fix_by else "running"
    handled = _handled_on(f)
    if handled is None or handled <= f.fix_by:
        return "met"
    return "late"


def build_sla(a: Assessment) -> Table:
    """SLA performance against the fix clock."""
    today = a.assessed_at.date()
    counts = {"met": 0, "late": 0, "running": 0, "overdue": 0}
    for f in a.findings:
        outcome = sla_outcome(f, today)
        if outcome is not None:
            counts[outcome] += 1
    judged = counts["met"] + counts["late"] + counts["overdue"]
    perf = round(100.0 * counts["met"] / judged, 1) if judged else None
    row = {
        "clock": "fix due (remediation)",
        "with_clock": sum(counts.values()),
        **counts,
        "performance": perf,
    }
    return Table("monitoring-sla", "SLA performance", SLA_COLUMNS, (row,))
