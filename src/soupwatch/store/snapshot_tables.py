"""The ``snapshots`` table: each release's open / uncontrolled / overdue counts per day.

Rows are keyed by product and release *names* and the day, not by foreign keys: the history
of a release that was deleted or replaced stays readable. Recording a day again replaces that
day's rows (idempotent per day).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from soupwatch.model.trend import ReleaseSnapshot
from soupwatch.store.tables import Base


class SnapshotRow(Base):
    """One release's counts on one day."""

    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("day", "product", "release", name="uq_snapshot_day_release"),
        Index("ix_snapshots_day", "day"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(255))
    release: Mapped[str] = mapped_column(String(255))
    open: Mapped[int] = mapped_column(Integer)
    uncontrolled: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def record_day(
    session: Session, day: date, rows: list[ReleaseSnapshot], recorded_at: datetime
) -> None:
    """Replace ``day``'s rows with ``rows`` (one per release)."""
    session.execute(delete(SnapshotRow).where(SnapshotRow.day == day))
    session.add_all(
        SnapshotRow(
            day=day,
            product=r.product,
            release=r.release,
            open=r.open,
            uncontrolled=r.uncontrolled,
            overdue=r.overdue,
            recorded_at=recorded_at,
        )
        for r in rows
    )
    session.flush()


def history(session: Session, since: date) -> list[ReleaseSnapshot]:
    """Every row from ``since`` on, by day, product, release."""
    found = session.scalars(
        select(SnapshotRow)
        .where(SnapshotRow.day >= since)
        .order_by(SnapshotRow.day, SnapshotRow.product, SnapshotRow.release)
    )
    return [
        ReleaseSnapshot(r.day, r.product, r.release, r.open, r.uncontrolled, r.overdue)
        for r in found
    ]
