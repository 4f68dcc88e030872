"""SQLAlchemy table of kernel-config triage: each release's latest applied triage summary.

One row per release (``kernel_triage``): which Kbuild map judged its kernel findings (series,
origin), the device kernel it was compared with, and the counts, for reports to cite.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from soupwatch.model.triage import KernelTriageSummary
from soupwatch.store.inventory import release_id
from soupwatch.store.tables import Base


class KernelTriageRow(Base):
    """The latest applied kernel-config triage of a release (its summary as JSON)."""

    __tablename__ = "kernel_triage"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


def save_kernel_triage(
    session: Session, product: str, release: str, summary: KernelTriageSummary, made_at: datetime
) -> None:
    """Record (replace) the release's kernel triage summary."""
    rid = release_id(session, product, release)
    row = session.get(KernelTriageRow, rid)
    if row is None:
        session.add(KernelTriageRow(release_id=rid, made_at=made_at, summary=summary.to_json()))
    else:
        row.made_at, row.summary = made_at, summary.to_json()
    session.flush()


def load_kernel_triage(session: Session, product: str, release: str) -> KernelTriageSummary | None:
    """The release's latest kernel triage summary, or None when none was applied."""
    rid = release_id(session, product, release)
    data = session.scalar(select(KernelTriageRow.summary).where(KernelTriageRow.release_id == rid))
    return None if data is None else KernelTriageSummary.from_json(data)
