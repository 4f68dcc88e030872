"""SQLAlchemy tables of the VEX stage: triage decisions and the hash-chained audit log.

``vex_decisions`` holds the current decision per key (scope, product, release, component
name and version, vulnerability); ``key`` is that tuple joined, unique, so that a second
decision on the same subject replaces the first (its history lives in the audit log) and
raises ``version`` by one: a writer that names the version it read gets a conflict instead of
overwriting a decision it has not seen.

``vex_approvals`` holds the review verdict on a version of a decision (one per version), and
``vex_comments`` the comments on a decision; both cite the decision version they were made on.

``audit_log`` is append-only by API: ``seq`` is the primary key (two writers cannot take
the same number), ``at`` is stored as the exact ISO 8601 text that was hashed, and
``old_value``/``new_value`` as the canonical JSON text that was hashed, so verification does
not depend on how a database round-trips timestamps or JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class VexDecisionRow(Base):
    """One current VEX decision."""

    __tablename__ = "vex_decisions"
    __table_args__ = (
        Index("ix_vex_decisions_vuln", "vulnerability"),
        Index("ix_vex_decisions_product", "product", "release"),
        Index("ix_vex_decisions_component", "component_name", "component_version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    vulnerability: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list[Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str | None] = mapped_column(String(64))
    responses: Mapped[list[Any]] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(16))
    product: Mapped[str | None] = mapped_column(String(255))
    release: Mapped[str | None] = mapped_column(String(255))
    component_name: Mapped[str | None] = mapped_column(Text)
    component_version: Mapped[str | None] = mapped_column(Text)
    component_purl: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    """1 for the first decision on the key, +1 for each one recorded over it."""


class VexApprovalRow(Base):
    """The review verdict (approved or rejected) on one version of a decision.

    One verdict per version (unique): a later version of the decision needs its own.
    """

    __tablename__ = "vex_approvals"
    __table_args__ = (
        UniqueConstraint("decision_id", "decision_version", name="uq_vex_approval_version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("vex_decisions.id", ondelete="CASCADE"))
    decision_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)


class VexCommentRow(Base):
    """One comment on a decision, on the version it was written on."""

    __tablename__ = "vex_comments"
    __table_args__ = (Index("ix_vex_comments_decision", "decision_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("vex_decisions.id", ondelete="CASCADE"))
    decision_version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)


class AuditEntryRow(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
