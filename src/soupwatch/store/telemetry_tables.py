"""Device telemetry: every event a unit reported, stored once, and the messages refused.

``device_events.key`` is the event's identity (``model.telemetry.DeviceEvent.key``): inserting
an event already stored does nothing, which is what makes a redelivered MQTT message or a
retried HTTP batch harmless. ``device_event_rejects`` keeps what could not be read, with why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class DeviceEventRow(Base):
    """One event of one unit."""

    __tablename__ = "device_events"
    __table_args__ = (Index("ix_device_events_unit_at", "unit", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    unit: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(64))
    transport: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeviceEventRejectRow(Base):
    """A message that was not an event (counted and kept for the operator; never retried)."""

    __tablename__ = "device_event_rejects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
