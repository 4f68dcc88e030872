"""Opening the store: engine, sessions, migrations (Alembic, always to head)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session as Session  # re-exported: stages type the unit of work
from sqlalchemy.orm import sessionmaker

from soupwatch.config import Settings
from soupwatch.errors import MissingExtra, StoreBusy, StoreError

if TYPE_CHECKING:
    from soupwatch.store.intel_query import StoreIntelQuery
    from soupwatch.store.intel_sink import StoreIntelSink

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgresql+psycopg"):
        try:
            import psycopg  # noqa: F401  (the driver SQLAlchemy would load)
        except ImportError as err:
            raise MissingExtra("A postgresql:// database URL", "postgres") from err
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


POOL_TIMEOUT = 10.0
"""Seconds a session waits for a free pooled connection before :class:`StoreBusy`."""
POOL_SPARE = 2
"""Connections allowed above the pool size (the app's own start-up and shutdown work)."""


def pool_options(connections: int | None, timeout: float = POOL_TIMEOUT) -> dict[str, Any]:
    """Engine arguments for a pool of ``connections`` (None: SQLAlchemy's defaults)."""
    if connections is None:
        return {}
    return {"pool_size": connections, "max_overflow": POOL_SPARE, "pool_timeout": timeout}


class Store:
    """The database behind soupwatch. ``Store.open(settings)`` migrates to the newest schema."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls, settings: Settings, *, migrate: bool = True, connections: int | None = None
    ) -> Store:
        """Open (and by default migrate) the store the settings name.

        ``connections`` sizes the connection pool (the server passes its concurrency limit, so
        that admitted requests never wait for a connection); None keeps SQLAlchemy's default.
        """
        try:
            store = cls(make_engine(settings.database_url, **pool_options(connections)))
            if migrate:
                store.migrate()
        except SQLAlchemyError as err:
            raise StoreError(
                f"cannot open the database: {err.__class__.__name__}: {err}",
                path=_safe_url(settings.database_url),
            ) from err
        return store

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision.

        A store already at the newest revision is left alone (no lock, no transaction).
        Otherwise concurrent first runs wait for each other
        (:data:`~soupwatch.store.locks.MIGRATE`): the lock is taken before Alembic reads the
        current revision again, so a run that waited finds the schema the first one committed
        and has nothing left to do.
        """
        from alembic import command  # imported here: alembic costs ~1 s of every CLI start
        from alembic.config import Config
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        from soupwatch.store.locks import MIGRATE, lock_connection

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with self.engine.begin() as conn:
            lock_connection(conn, MIGRATE)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except PoolTimeout as err:
            raise StoreBusy("no database connection came free in time: the server is busy") from err
        finally:
            session.close()

    def intel(self, session: Session) -> StoreIntelQuery:
        """The intelligence read side (``intel.interface.IntelQuery``) over ``session``."""
        from soupwatch.store.intel_query import StoreIntelQuery

        return StoreIntelQuery(session)

    def intel_sink(self) -> StoreIntelSink:
        """Where feed syncs write (``intel.interface.IntelSink``): one transaction per unit."""
        from soupwatch.store.intel_sink import StoreIntelSink

        return StoreIntelSink(self)

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url
