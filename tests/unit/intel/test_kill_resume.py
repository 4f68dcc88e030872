"""SIGKILL a real ``db update`` mid-way: the database opens, old data is intact, a rerun resumes.

Runs against a SQLite file (the subprocess needs a database it can reach on its own).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store

TABLES = (
    "intel_records",
    "intel_cpe_index",
    "intel_osv_affected",
    "intel_cna_affected",
    "intel_cvss",
    "intel_aliases",
    "intel_kev",
    "intel_eol_cycles",
)


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _mid_zip(db: Path) -> bool:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            rows = conn.execute(
                "SELECT source FROM intel_feed_state WHERE cursor IS NOT NULL "
                "AND cursor != 'null' AND source IN ('osv', 'cve5')"
            ).fetchall()
    except sqlite3.Error:
        return False
    return bool(rows)


@pytest.mark.slow  # syncs feeds itself: that is what it tests
def test_sigkill_midway_then_resume(feeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    env = {
        **os.environ,
        "SOUPWATCH_HOME": str(tmp_path / "home"),
        "SOUPWATCH_DATABASE_URL": f"sqlite:///{db}",
    }
    env.pop("SOUPWATCH_MIRROR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "soupwatch.cli.main", "db", "update", "--mirror", str(feeds)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while proc.poll() is None and not _mid_zip(db):
            time.sleep(0.02)
        if proc.poll() is not None:
            pytest.fail(f"the sync ended (code {proc.returncode}) before it could be killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        nvd_before = conn.execute(
            "SELECT count(*) FROM intel_records WHERE feed = 'nvd'"
        ).fetchone()[0]
        done_files = conn.execute("SELECT count(*) FROM intel_feed_files").fetchone()[0]
    assert nvd_before == 29 and done_files > 0  # the feeds before the kill are complete

    store = Store.open(Settings(home=tmp_path / "home", database_url=f"sqlite:///{db}"))
    try:
        rerun = sync_all(
            store, mirror=feeds, sources=["nvd", "nvd-legacy", "osv", "cve5", "kev", "eol"]
        )
    finally:
        store.close()
    assert rerun.failures == ()
    assert any(r.resumed for r in rerun.results)
    assert {r.source: r.records for r in rerun.results}["nvd"] == 0  # skipped, already done

    clean = tmp_path / "clean.db"
    store = Store.open(Settings(home=tmp_path / "home2", database_url=f"sqlite:///{clean}"))
    try:
        sync_all(store, mirror=feeds, sources=["nvd", "nvd-legacy", "osv", "cve5", "kev", "eol"])
    finally:
        store.close()
    assert _counts(db) == _counts(clean)
