"""SQLAlchemy tables of notifications (migration ``0018_notify``): channels, rules and the
outbox of deliveries, which is also the delivery log.

A channel's secret (a webhook's HMAC key, an SMTP password) must be usable to sign or log in,
so it is stored as given; it is never returned by a listing, an API answer or the audit trail.
``notify_outbox`` holds one row per (channel, event): the unique ``(channel, dedupe)`` pair is
what makes a second run send nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class NotifyChannelRow(Base):
    """A named e-mail or webhook channel."""

    __tablename__ = "notify_channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    style: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    secret: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NotifyRuleRow(Base):
    """Events of one kind on one product (NULL: every product) go to one channel."""

    __tablename__ = "notify_rules"
    __table_args__ = (Index("ix_notify_rules_channel", "channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    product: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(64))
    within_days: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NotifyOutboxRow(Base):
    """One event for one channel: attempts, next attempt, last error, when delivered."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        UniqueConstraint("channel", "dedupe", name="uq_notify_outbox_event"),
        Index("ix_notify_outbox_due", "delivered_at", "next_attempt"),
        Index("ix_notify_outbox_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    dedupe: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(255))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
