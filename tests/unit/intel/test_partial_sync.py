"""A sync killed or failed midway is recorded as partial; every view says so until one completes.

The killed process is real: a child syncs NVD over HTTP from the loopback test server, which
holds back the second page; the test SIGKILLs the child while it waits. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from soupwatch import pipeline
from soupwatch.config import Settings
from soupwatch.intel.source import FeedSource
from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store
from tests.conftest import ROOT, run_cli
from tests.unit.intel.httpserver import MirrorServer
from tests.unit.server.conftest import admin_client, options

NVD_PATH = "/nvd/rest/json/cves/2.0"
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import httpx
    from soupwatch.config import Settings
    from soupwatch.intel.source import FeedSource
    from soupwatch.intel.sync import sync_all
    from soupwatch.store.db import Store

    url, base = sys.argv[1], sys.argv[2]
    store = Store.open(Settings(home=Path(sys.argv[3]), database_url=url))
    source = FeedSource(client=httpx.Client(timeout=300), urls={"nvd": base})
    sync_all(store, sources=["nvd"], source=source)
    """
)


class HeldServer(MirrorServer):
    """The mirror server, holding back NVD pages after the first until ``release`` is set."""

    def __init__(self, feeds: Path) -> None:
        super().__init__(feeds)
        self.release = threading.Event()
        self.held = threading.Event()
        # the held request's client is killed: its broken pipe is expected, not news
        self.httpd.handle_error = lambda *_: None  # type: ignore[method-assign]

    def nvd_page(self, query: dict[str, list[str]]) -> bytes:
        if int(query.get("startIndex", ["0"])[0]) > 0 and not self.release.is_set():
            self.held.set()
            self.release.wait(timeout=120)
        return super().nvd_page(query)


@pytest.fixture
def server(feeds: Path) -> Iterator[HeldServer]:
    with HeldServer(feeds) as srv:
        try:
            yield srv
        finally:
            srv.release.set()


def _kill_mid_sync(settings: Settings, server: HeldServer, tmp_path: Path) -> None:
    """Run the child sync until it waits for page 2 (page 1 committed), then SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            settings.database_url,
            f"{server.base}{NVD_PATH}",
            str(tmp_path / "child-home"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if not server.held.wait(timeout=60):
            pytest.fail(
                f"the child never asked for page 2: {proc.stderr.read() if proc.stderr else ''!r}"
            )
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL


def test_killed_sync_is_reported_incomplete_until_a_sync_completes(
    settings: Settings,
    cli_env: Settings,
    server: HeldServer,
    tmp_path: Path,
    corpus: Path,
) -> None:
    Store.open(settings).close()  # migrated before the child starts
    _kill_mid_sync(settings, server, tmp_path)

    store = Store.open(settings)
    try:
        notes = pipeline.incomplete_feeds(store)
        status = {s.source: s for s in pipeline.feed_status(store, datetime.now(UTC))}
        snapshot = {s.source: s for s in pipeline.feed_snapshot(store)}
    finally:
        store.close()
    assert len(notes) == 1 and notes[0].startswith("incomplete: nvd sync interrupted at ")
    assert status["nvd"].incomplete == notes[0] and status["nvd"].resumable  # page 1 kept
    assert status["nvd"].last_sync is None
    assert snapshot["nvd"].incomplete == notes[0]

    code, out, _ = run_cli("db", "status")
    assert code == 0 and notes[0] in out
    sbom = corpus / "sboms" / "libspdm__sbom.cdx.json"
    code, _, err = run_cli("scan", str(sbom), "--format", "json")
    assert code == 0 and f"warning: {notes[0]}" in err

    from soupwatch.server.app import create_app

    app = create_app(cli_env, options())
    try:
        body = admin_client(app).get("/api/v1/status").json()
    finally:
        app.state.store.close()
    assert body["incomplete"] == notes
    assert {f["source"]: f["incomplete"] for f in body["feeds"]}["nvd"] == notes[0]

    server.release.set()
    store = Store.open(settings)
    try:
        source = FeedSource(client=httpx.Client(timeout=30), urls={"nvd": server.base + NVD_PATH})
        outcome = sync_all(store, sources=["nvd"], source=source)
        assert outcome.failures == ()
        assert pipeline.incomplete_feeds(store) == []
        after = {s.source: s for s in pipeline.feed_status(store, datetime.now(UTC))}
    finally:
        store.close()
    assert after["nvd"].records == 29 and after["nvd"].incomplete is None
    code, _, err = run_cli("scan", str(sbom), "--format", "json")
    assert code == 0 and "incomplete" not in err


def test_failed_sync_is_incomplete_with_its_error(store: Store, server: HeldServer) -> None:
    server.release.set()
    good = FeedSource(client=httpx.Client(timeout=10), urls={"nvd": server.base + NVD_PATH})
    assert sync_all(store, sources=["nvd"], source=good).failures == ()
    assert pipeline.incomplete_feeds(store) == []

    down = FeedSource(
        client=httpx.Client(timeout=10),
        urls={"nvd": f"{server.base}/down/nvd"},
        sleep=lambda _: None,
        retries=1,
        clock=lambda: datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    outcome = sync_all(store, sources=["nvd"], source=down)
    assert [name for name, _ in outcome.failures] == ["nvd"]
    [note] = pipeline.incomplete_feeds(store)
    assert note.startswith("incomplete: nvd sync failed at 2027-01-02 03:04:05Z: ")
    [nvd] = [s for s in pipeline.feed_status(store, datetime.now(UTC)) if s.source == "nvd"]
    assert nvd.records == 29  # the data of the last complete sync is kept, and flagged

    assert sync_all(store, sources=["nvd"], source=good).failures == ()
    assert pipeline.incomplete_feeds(store) == []


def test_a_feed_missing_from_the_mirror_is_incomplete_with_the_reason(
    store: Store, feeds: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    sync_all(store, mirror=mirror, sources=["kev"])
    [note] = pipeline.incomplete_feeds(store)
    assert note.startswith("incomplete: kev sync failed at ") and "not in the mirror" in note
    (mirror / "kev").symlink_to(feeds / "kev", target_is_directory=True)
    assert sync_all(store, mirror=mirror, sources=["kev"]).failures == ()
    assert pipeline.incomplete_feeds(store) == []
