"""SQLAlchemy tables of unusual-activity monitoring (migration ``0021_alerts``): the rule set's
versions and the alerts raised.

``alert_rule_sets`` keeps every version of the YAML rules as loaded (text, digest, who, when);
the newest is in force. ``alerts.open_key`` is the dedupe key of an alert that is not closed
(SHA-256 of rule, unit and subject) and NULL once it is closed: the unique index lets one open
alert exist per (rule, unit, subject) on SQLite and PostgreSQL alike (both allow many NULLs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class AlertRuleSetRow(Base):
    """One version of the unusual-activity rules."""

    __tablename__ = "alert_rule_sets"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(255))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """One alert: a rule's finding about a unit (and a component, a finding), with evidence."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_status", "status", "id"),
        Index("ix_alerts_unit", "unit"),
        Index("ix_alerts_product", "product"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    rule: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[int] = mapped_column(ForeignKey("alert_rule_sets.version"))
    unit: Mapped[str] = mapped_column(String(128))
    product: Mapped[str | None] = mapped_column(String(255))
    release: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    occurrences: Mapped[int] = mapped_column(Integer)
    events: Mapped[list[Any]] = mapped_column(JSON)
    component: Mapped[str | None] = mapped_column(Text)
    component_version: Mapped[str | None] = mapped_column(Text)
    vulnerability: Mapped[str | None] = mapped_column(String(128))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(255))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(Text)
