"""Shared fixtures: the ../shared data, the store on SQLite and PostgreSQL, the CLI.

A test marked ``@pytest.mark.synced("nvd", "kev", …)`` gets a database already synced with those
feeds from the shared mirror: a copy of a template built once per run (``tests/synced.py``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.store.db import Store
from tests import synced

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared")).resolve()
PG_URL = os.environ.get("SOUPWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as err:
        return f"PostgreSQL at {PG_URL} does not answer: {err.__class__.__name__}"


_PG_REASON = _pg_available()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Give the run its id before xdist starts workers, so they share the synced templates."""
    if not _is_worker(config):
        synced.run_id()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run ``slow`` tests first, so two workers do not end with one long test on one of them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this run's PostgreSQL templates (and stale ones a killed run left) at the very end."""
    synced.wait_for_drops()
    if not _is_worker(session.config) and not _PG_REASON:
        synced.pg_drop_templates(PG_URL, os.environ.get(synced.RUN_ENV))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder (SOUPWATCH_SHARED overrides); tests skip with the reason if absent."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data folder {SHARED} is missing in CI")
        pytest.skip(f"shared data folder {SHARED} not found (set SOUPWATCH_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def feeds(shared: Path) -> Path:
    """The offline feed mirror."""
    return shared / "feeds"


@pytest.fixture(scope="session")
def corpus(shared: Path) -> Path:
    """The real-world SBOM and binary corpus."""
    return shared / "corpus"


def _new_pg_schema() -> tuple[str, str]:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    return schema, url


def _drop_pg_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory, feeds: Path) -> synced.Templates:
    """The run's synced templates, in a folder the xdist workers share."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if _is_worker_base(base) else base
    return synced.Templates(root / "synced-templates", feeds, PG_URL)


def _is_worker_base(base: Path) -> bool:
    return os.environ.get("PYTEST_XDIST_WORKER") is not None and base.name.startswith("popen-")


def _synced_sources(request: pytest.FixtureRequest) -> tuple[str, ...] | None:
    marker = request.node.get_closest_marker("synced")
    if marker is None:
        return None
    if not marker.args:
        raise pytest.UsageError(f"{request.node.nodeid}: @pytest.mark.synced needs feed names")
    return tuple(marker.args)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL: SQLite in tmp_path, and a new PostgreSQL schema.

    Empty, or synced with the feeds named by the test's ``synced`` marker (a template's copy).
    """
    sources = _synced_sources(request)
    templates: synced.Templates | None = request.getfixturevalue("templates") if sources else None
    if request.param == "sqlite":
        if templates and sources:
            yield templates.sqlite_copy(sources, tmp_path / "soupwatch.db")
        else:
            yield f"sqlite:///{tmp_path / 'soupwatch.db'}"
        return
    if _PG_REASON:
        if os.environ.get("CI"):
            pytest.fail(_PG_REASON)
        pytest.skip(_PG_REASON)
    if templates and sources:
        name, url = templates.pg_clone(sources)
        try:
            yield url
        finally:
            synced.pg_drop_later(PG_URL, name)
        return
    schema, url = _new_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings on the fresh database, home in tmp_path."""
    return Settings(home=tmp_path / "home", database_url=db_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A migrated, empty store on SQLite and on PostgreSQL."""
    s = Store.open(settings)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (run in-process) at the fresh database."""
    monkeypatch.setenv("SOUPWATCH_HOME", str(settings.home))
    monkeypatch.setenv("SOUPWATCH_DATABASE_URL", settings.database_url)
    return settings


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``soupwatch ARGS`` in-process; returns (exit code, stdout, stderr)."""
    import contextlib
    import io

    from soupwatch.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        from soupwatch.cli import common

        common.console.file = out
        common.err_console.file = err
        try:
            code = main(list(args))
        finally:
            common.console.file = None  # type: ignore[assignment]
            common.err_console.file = None  # type: ignore[assignment]
    return code, out.getvalue(), err.getvalue()
