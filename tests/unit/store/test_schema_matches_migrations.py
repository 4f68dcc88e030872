"""The Alembic migrations build exactly the schema the ORM declares, on SQLite and PostgreSQL.

``Store.open`` runs the migrations on every open, and every repository writes through the ORM
tables: a column, index, foreign key or type that exists on one side only breaks a user's
database silently. Autogenerate's comparison is run with type and server-default comparison on,
and nothing is ignored: no difference between the two has been found cosmetic on either backend.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from soupwatch.config import Settings
from soupwatch.store.all_tables import metadata
from soupwatch.store.db import Store

_OPTS = {"compare_type": True, "compare_server_default": True}


def _diff(settings: Settings, target: MetaData) -> list[Any]:
    store = Store.open(settings)  # an empty database, migrated to head
    try:
        with store.engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn, opts=_OPTS), target))
    finally:
        store.close()


def test_migrations_build_the_orm_schema(settings: Settings) -> None:
    """No table, column, type, nullability, default, index or foreign key differs."""
    assert _diff(settings, metadata()) == []


def test_the_comparison_sees_the_migrated_tables(settings: Settings) -> None:
    """Against an empty target every migrated table shows up as extra: the check is not vacuous."""
    removed = {d[1].name for d in _diff(settings, MetaData()) if d[0] == "remove_table"}
    assert removed == set(metadata().tables)
