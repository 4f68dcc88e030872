"""SQLAlchemy table of the watch stage: one row per portfolio re-scan (``watch_runs``).

The newest row is "the previous run" of the next re-scan: a vulnerability whose CISA KEV
``date_added`` falls after it is reported as newly known-exploited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from soupwatch.store.tables import Base


class WatchRunRow(Base):
    """One portfolio re-scan: when, which products, and how many changes it reported."""

    __tablename__ = "watch_runs"
    __table_args__ = (Index("ix_watch_runs_ran_at", "ran_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    products: Mapped[list[Any] | None] = mapped_column(JSON)
    releases: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    kev_added: Mapped[int] = mapped_column(Integer)
    changes_upto: Mapped[int | None] = mapped_column(Integer)
    """The newest ``intel_changes.id`` this run took into account (None: not recorded)."""


def last_run(session: Session) -> datetime | None:
    """When the newest recorded re-scan ran (UTC), or None before the first."""
    value = session.scalar(
        select(WatchRunRow.ran_at).order_by(WatchRunRow.ran_at.desc(), WatchRunRow.id.desc())
    )
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def last_mark(session: Session) -> int | None:
    """The newest feed change a whole-portfolio run covered (None: none recorded one yet)."""
    value = session.scalar(
        select(WatchRunRow.changes_upto)
        .where(WatchRunRow.changes_upto.is_not(None))
        .order_by(WatchRunRow.ran_at.desc(), WatchRunRow.id.desc())
    )
    return None if value is None else int(value)


def record_run(
    session: Session,
    ran_at: datetime,
    products: list[str] | None,
    counts: tuple[int, int, int, int],
    changes_upto: int | None = None,
) -> None:
    """Append one re-scan: ``counts`` is (releases, new, resolved, KEV-added).

    ``changes_upto``: the newest feed change (``intel_changes.id``) the run covers; the next
    incremental run starts after it.
    """
    releases, new, resolved, kev_added = counts
    session.add(
        WatchRunRow(
            ran_at=ran_at,
            products=sorted(products) if products is not None else None,
            releases=releases,
            new=new,
            resolved=resolved,
            kev_added=kev_added,
            changes_upto=changes_upto,
        )
    )
    session.flush()
