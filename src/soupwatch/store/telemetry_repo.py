"""Write and read device telemetry (``telemetry_tables``): each event stored exactly once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soupwatch.model.telemetry import DeviceEvent, RejectedEvent, Transport
from soupwatch.store.telemetry_tables import DeviceEventRejectRow, DeviceEventRow

_COLUMNS = "key, unit, at, kind, transport, fields, received_at"


def _sqlite_time(at: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (UTC, no zone, microseconds)."""
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds")


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""A field object's stored JSON (one encoder for every event, not one per call)."""


def insert_events(session: Session, events: Sequence[DeviceEvent], received: datetime) -> int:
    """Store the events not stored yet (by key); returns how many were new.

    Bulk paths, not the ORM: telemetry arrives by the ten thousand a second. SQLite takes one
    ``INSERT OR IGNORE`` executemany; PostgreSQL a ``COPY`` into a temporary table and one
    ``INSERT … ON CONFLICT DO NOTHING`` from it.
    """
    if not events:
        return 0
    conn = session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return _insert_pg(raw, events, received)
    when = _sqlite_time(received)
    rows = [
        (
            e.key,
            e.unit,
            _sqlite_time(e.at),
            e.kind,
            e.transport.value,
            _compact(e.fields),
            when,
        )
        for e in events
    ]
    before = raw.total_changes  # type: ignore[union-attr]
    raw.executemany(  # type: ignore[union-attr]
        f"INSERT OR IGNORE INTO device_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
    )
    return int(raw.total_changes - before)  # type: ignore[union-attr]


def _insert_pg(raw: Any, events: Sequence[DeviceEvent], received: datetime) -> int:
    with raw.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS device_events_in "
            "(key text, unit text, at timestamptz, kind text, transport text, fields json, "
            "received_at timestamptz) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY device_events_in ({_COLUMNS}) FROM STDIN") as copy:
            for e in events:
                copy.write_row(
                    (
                        e.key,
                        e.unit,
                        e.at,
                        e.kind,
                        e.transport.value,
                        _compact(e.fields),
                        received,
                    )
                )
        cur.execute(
            f"INSERT INTO device_events ({_COLUMNS}) SELECT {_COLUMNS} FROM device_events_in "
            "ON CONFLICT (key) DO NOTHING"
        )
        new = cur.rowcount
        cur.execute("DELETE FROM device_events_in")
    return int(new)


def insert_rejects(session: Session, rejects: Sequence[RejectedEvent], received: datetime) -> None:
    """Keep the refused messages with their reasons."""
    session.add_all(
        DeviceEventRejectRow(
            transport=r.transport.value, reason=r.reason, excerpt=r.excerpt, received_at=received
        )
        for r in rejects
    )


def events_of(
    session: Session, unit: str, *, since: datetime | None = None, limit: int = 1000
) -> list[DeviceEvent]:
    """A unit's events, oldest first (``since``: at or after)."""
    query = select(DeviceEventRow).where(DeviceEventRow.unit == unit)
    if since is not None:
        query = query.where(DeviceEventRow.at >= since)
    rows = session.scalars(query.order_by(DeviceEventRow.at, DeviceEventRow.id).limit(limit))
    return [
        DeviceEvent(r.unit, r.at, r.kind, Transport(r.transport), r.key, r.fields) for r in rows
    ]


def count_events(session: Session, unit: str | None = None) -> int:
    """How many events are stored (of one unit)."""
    query = select(func.count()).select_from(DeviceEventRow)
    if unit is not None:
        query = query.where(DeviceEventRow.unit == unit)
    return int(session.scalar(query) or 0)


def count_rejects(session: Session) -> int:
    """How many messages were refused."""
    return int(session.scalar(select(func.count()).select_from(DeviceEventRejectRow)) or 0)
