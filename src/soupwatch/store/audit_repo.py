"""Persistence of the hash-chained audit log (``audit_log``): read the head, insert, list.

The chain itself (canonical JSON, SHA-256, verification) is computed by
:mod:`soupwatch.vex.audit`; this module only stores and loads the exact text that was hashed.
There is no update or delete here: the log is append-only by API.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soupwatch.store.locks import AUDIT, write_lock
from soupwatch.store.vex_tables import AuditEntryRow


@dataclass(frozen=True, slots=True)
class StoredAuditEntry:
    """One row of the audit log as stored: ``old_value``/``new_value`` are the hashed JSON text."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    old_value: str
    new_value: str
    reason: str
    prev_hash: str
    hash: str


def _entry(row: AuditEntryRow) -> StoredAuditEntry:
    return StoredAuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        old_value=row.old_value,
        new_value=row.new_value,
        reason=row.reason,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def take_write_lock(session: Session) -> None:
    """Serialise appenders: the head read next stays the head until this transaction ends.

    PostgreSQL: an advisory lock; SQLite: the database's write lock (:mod:`soupwatch.store.locks`).
    """
    write_lock(session, AUDIT)


def head(session: Session) -> tuple[int, str] | None:
    """``(seq, hash)`` of the newest entry, or None for an empty log."""
    row = session.execute(
        select(AuditEntryRow.seq, AuditEntryRow.hash).order_by(AuditEntryRow.seq.desc()).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def insert(session: Session, entry: StoredAuditEntry) -> bool:
    """Insert one entry in a savepoint; False when another writer already took its ``seq``."""
    row = AuditEntryRow(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        old_value=entry.old_value,
        new_value=entry.new_value,
        reason=entry.reason,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def all_entries(session: Session) -> list[StoredAuditEntry]:
    """Every entry in sequence order."""
    rows = session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).all()
    return [_entry(r) for r in rows]


def entries_about(session: Session, subject_prefix: str) -> list[StoredAuditEntry]:
    """The entries whose subject starts with ``subject_prefix``, in sequence order."""
    escaped = subject_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.scalars(
        select(AuditEntryRow)
        .where(AuditEntryRow.subject.like(escaped + "%", escape="\\"))
        .order_by(AuditEntryRow.seq)
    ).all()
    return [_entry(r) for r in rows]


def count(session: Session) -> int:
    """How many entries the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


def last_actor(session: Session, subject: str, actions: tuple[str, ...]) -> str | None:
    """The actor of the newest entry on ``subject`` with one of ``actions`` (None: none)."""
    q = (
        select(AuditEntryRow.actor)
        .where(AuditEntryRow.subject == subject, AuditEntryRow.action.in_(actions))
        .order_by(AuditEntryRow.seq.desc())
        .limit(1)
    )
    return session.scalar(q)
