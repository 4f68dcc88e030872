"""Stores synced from the feed mirror once per test run, cloned for each test that needs one.

Syncing the mirror costs 10-60 s a time (30k records). A test marked
``@pytest.mark.synced("nvd", "kev")`` gets, instead of an empty database, a private copy of a
template that was synced with exactly those feeds once per run:

- SQLite: the template is a file; each test copies it (a fraction of a second);
- PostgreSQL: the template is a database; each test gets ``CREATE DATABASE … TEMPLATE`` (WAL_LOG
  strategy: under a second for the NVD + KEV template; FILE_COPY forces a checkpoint and took 20 s).

Templates are built under a file lock, so the two xdist workers build each one once between
them. Their names carry the run's id (``SOUPWATCH_TEST_RUN``, set by the controller); the
controller drops this run's PostgreSQL templates at the end, and any left by a killed run after
``STALE_AFTER`` seconds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from soupwatch.config import Settings

RUN_ENV = "SOUPWATCH_TEST_RUN"
TEMPLATE_PREFIX = "swtpl_"
CLONE_PREFIX = "swdb_"
STALE_AFTER = 6 * 3600


def run_id() -> str:
    """This test run's id, shared by the controller and its xdist workers (``<epoch>_<hex>``)."""
    return os.environ.setdefault(RUN_ENV, f"{int(time.time())}_{uuid.uuid4().hex[:6]}")


def sources_key(sources: Sequence[str]) -> str:
    """A short, stable name for a set of feeds."""
    names = sorted(set(sources))
    return "_".join(n.replace("-", "") for n in names)[:24] + "_" + _digest(names)


def _digest(names: Sequence[str]) -> str:
    return hashlib.sha1(",".join(names).encode()).hexdigest()[:6]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) across processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_into(
    url: str, home: Path, mirror: Path, sources: Sequence[str], now: datetime | None = None
) -> None:
    """Migrate the database at ``url`` and sync ``sources`` from ``mirror`` into it.

    ``now`` fixes the sync's clock (the feeds' last-sync times), for golden output.
    """
    from soupwatch.intel.source import FeedSource
    from soupwatch.intel.sync import sync_all
    from soupwatch.store.db import Store

    source = FeedSource(mirror=mirror) if now is None else FeedSource(mirror, clock=lambda: now)
    store = Store.open(Settings(home=home, database_url=url))
    try:
        outcome = sync_all(store, sources=list(sources), source=source)
        assert not outcome.failures, outcome.failures
    finally:
        store.close()


class Templates:
    """The run's synced templates: SQLite files in ``root``, PostgreSQL databases by name."""

    def __init__(self, root: Path, mirror: Path, pg_url: str) -> None:
        self.root = root
        self.mirror = mirror
        self.pg_url = pg_url
        self.root.mkdir(parents=True, exist_ok=True)

    def sqlite_copy(self, sources: Sequence[str], dest: Path, now: datetime | None = None) -> str:
        """Copy the SQLite template for ``sources`` (built on first use) to ``dest``; its URL.

        With ``now``, the template is synced on that fixed clock (a separate template).
        """
        clock = f"_at{int(now.timestamp())}" if now else ""
        template = self.root / f"{run_id()}_{sources_key(sources)}{clock}.db"
        with locked(self.root / "templates.lock"):
            if not template.exists():
                building = template.with_suffix(".building")
                building.unlink(missing_ok=True)
                sync_into(f"sqlite:///{building}", self.root / "home", self.mirror, sources, now)
                building.rename(template)
        shutil.copyfile(template, dest)
        return f"sqlite:///{dest}"

    def pg_clone(self, sources: Sequence[str]) -> tuple[str, str]:
        """A new PostgreSQL database cloned from the template for ``sources``: (name, URL)."""
        template = f"{TEMPLATE_PREFIX}{run_id()}_{sources_key(sources)}"
        with locked(self.root / "templates.lock"):
            if not _pg_exists(self.pg_url, template):
                building = f"{template}_b"
                _pg_execute(self.pg_url, f'DROP DATABASE IF EXISTS "{building}"')
                _pg_execute(self.pg_url, f'CREATE DATABASE "{building}"')
                sync_into(
                    _pg_db_url(self.pg_url, building), self.root / "home", self.mirror, sources
                )
                _pg_execute(self.pg_url, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        name = f"{CLONE_PREFIX}{run_id()}_{uuid.uuid4().hex[:8]}"
        _pg_execute(self.pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG')
        return name, _pg_db_url(self.pg_url, name)


def pg_drop(pg_url: str, name: str) -> None:
    """Drop one database (a test's clone or a template), closing what still connects to it."""
    _pg_execute(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-clone")
_DROPPING: list[Future[None]] = []


def pg_drop_later(pg_url: str, name: str) -> None:
    """Drop a test's clone in the background: DROP DATABASE waits for disk (seconds under load)."""
    _DROPPING.append(_DROPPER.submit(pg_drop, pg_url, name))


def wait_for_drops() -> None:
    """Wait until the clones handed to :func:`pg_drop_later` are dropped; raise what failed."""
    while _DROPPING:
        _DROPPING.pop().result()


def pg_drop_templates(pg_url: str, run: str | None) -> None:
    """Drop this run's templates (``run``) and any template or clone older than STALE_AFTER."""
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
                (f"{TEMPLATE_PREFIX}%", f"{CLONE_PREFIX}%"),
            )
        ]
    for name in names:
        tag = name.split("_", 1)[1]
        epoch = tag.split("_", 1)[0]
        mine = run is not None and name.startswith(f"{TEMPLATE_PREFIX}{run}_")
        if mine or (epoch.isdigit() and time.time() - int(epoch) > STALE_AFTER):
            pg_drop(pg_url, name)


def _plain(pg_url: str) -> str:
    return pg_url.replace("+psycopg", "").split("?", 1)[0]


def _pg_db_url(pg_url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(pg_url).set(database=database).render_as_string(hide_password=False)


def _pg_exists(pg_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def _pg_execute(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_plain(pg_url), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def require(request: object, sources: Sequence[str]) -> None:
    """Fail a fixture whose test is not marked ``synced(*sources)``: its database is empty."""
    import pytest

    assert isinstance(request, pytest.FixtureRequest)
    marker = request.node.get_closest_marker("synced")
    if marker is None or set(marker.args) != set(sources):
        names = ", ".join(repr(s) for s in sources)
        pytest.fail(f"{request.node.nodeid}: mark the test @pytest.mark.synced({names})")
