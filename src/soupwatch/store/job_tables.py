"""SQLAlchemy tables of the job queue and the incremental watch (migration ``0017_jobs``).

* ``jobs``: one row per job, the single source of truth the API reads. The broker (or the
  in-process runner) only carries the row's id; state, progress, attempts, result and error
  live here. ``idem_key`` is unique: a second start with the same key returns the first job,
  and a scheduled sync's key names its period, so several schedulers enqueue it once.
* ``intel_changes``: the vulnerability ids each feed sync wrote, deleted or moved in/out of
  KEV, in order (``id``). The incremental watch reads what came after its last mark.
* ``release_keys``: the lookup keys of each release's components (CPE vendor:product, OSV
  ecosystem/name, CNA product), from ``match.identity``: the index from a changed record to
  the releases that carry it. ``release_key_state`` says which import of the release it
  describes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class JobRow(Base):
    """One job: what to do, how far it got, what it produced."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_created_at", "created_at"),
        Index("ix_jobs_state", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    idem_key: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    output_name: Mapped[str | None] = mapped_column(String(255))
    output_type: Mapped[str | None] = mapped_column(String(128))
    output: Mapped[bytes | None] = mapped_column(LargeBinary)


class IntelChangeRow(Base):
    """One vulnerability id a feed sync changed (written, withdrawn, KEV added or removed)."""

    __tablename__ = "intel_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed: Mapped[str] = mapped_column(String(32))
    vuln_id: Mapped[str] = mapped_column(String(128))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleaseKeyRow(Base):
    """One lookup key a component of a release carries (``kind``: cpe, osv or cna)."""

    __tablename__ = "release_keys"
    __table_args__ = (Index("ix_release_keys_key", "kind", "key"),)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    ref: Mapped[str] = mapped_column(Text, primary_key=True)


class ReleaseKeyStateRow(Base):
    """Which import of the release (its ``imported_at``) its keys were computed from."""

    __tablename__ = "release_key_state"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    platform_refs: Mapped[list[Any]] = mapped_column(JSON)
    """Refs of the components that tell the release's platform (``match.identity.platform_of``):
    a partial re-match loads them with the changed components, so it judges in the same context."""
