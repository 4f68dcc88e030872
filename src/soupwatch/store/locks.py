"""Named write locks held for one transaction, so concurrent writers wait instead of failing.

PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``) per name; taking it
again in the same transaction stacks, and it is released at commit or rollback. Reads after
taking it see every write committed before (READ COMMITTED takes a snapshot per statement).

SQLite has one writer per database: the lock is the database's write lock, taken at the start
of the transaction (``BEGIN IMMEDIATE``, waiting up to the busy timeout). The driver starts a
transaction only at the first write, so a transaction that has written already holds it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

AUDIT = "soupwatch.audit"
"""Serialises the audit chain and the decisions it records (read head / current, append)."""

ASSESSMENTS = "soupwatch.assessments"
"""With a release id (``soupwatch.assessments:<id>``): serialises saving that release's stored
assessment (concurrent readers of a stale one all save it)."""

MIGRATE = "soupwatch.migrate"
"""Serialises schema migrations: concurrent first runs wait for the first one."""


def lock_key(name: str) -> int:
    """The advisory-lock number of a name (a stable signed 64-bit integer)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def write_lock(session: Session, name: str) -> None:
    """Hold ``name`` until the session's transaction ends (see the module docstring)."""
    lock_connection(session.connection(), name)


def write_locks(session: Session, names: list[str]) -> None:
    """:func:`write_lock` on each of ``names``, in one statement, in the order of their lock
    numbers (two transactions taking overlapping sets wait for each other, never deadlock)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        lock_connection(conn, "sqlite")
        return
    keys = sorted({lock_key(n) for n in names})
    if keys:
        conn.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(k)) FROM "
                "(SELECT k FROM unnest(CAST(:keys AS bigint[])) AS t(k) ORDER BY k) AS o"
            ),
            {"keys": keys},
        )


def begin_write(session: Session) -> None:
    """SQLite: take the database's write lock now, so what is read next stays current.

    PostgreSQL: nothing; row locks and unique constraints order its writers (see the callers).
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        lock_connection(conn, "sqlite")


def lock_connection(conn: Connection, name: str) -> None:
    """:func:`write_lock` on a connection inside a transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def insert_missing(session: Session, table: Any) -> Any:
    """An INSERT of ``table`` rows that skips a row whose key is stored already, or is being
    stored by a concurrent transaction (which it waits for): ``ON CONFLICT DO NOTHING``."""
    if session.connection().dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()
