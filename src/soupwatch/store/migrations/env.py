"""Alembic environment: runs on the connection the Store hands over."""

from __future__ import annotations

from alembic import context

from soupwatch.store import all_tables

target_metadata = all_tables.metadata()

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic's own CLI is used
    from soupwatch.config import load_settings
    from soupwatch.store.db import make_engine

    engine = make_engine(load_settings().database_url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
