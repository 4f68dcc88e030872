"""A Dramatiq worker on the real RabbitMQ, killed with SIGKILL mid-job: another worker
completes the job, once, with nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from soupwatch.config import Settings
from soupwatch.jobs import JobKind, JobState, get_job, list_jobs, start_job, wait_for
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelFeedFileRow, IntelRecordRow
from soupwatch.vex import audit
from tests.debs import skip_or_fail

BROKER = "amqp://guest:guest@127.0.0.1:5672/"
ROOT = Path(__file__).resolve().parents[3]


def _rabbit() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        skip_or_fail("RabbitMQ is not running on 127.0.0.1:5672")


def _worker(settings: Settings, queue: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "SOUPWATCH_HOME": str(settings.home),
        "SOUPWATCH_DATABASE_URL": settings.database_url,
        "SOUPWATCH_MIRROR": str(settings.mirror),
        "SOUPWATCH_BROKER_URL": BROKER,
        "SOUPWATCH_QUEUE": queue,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "soupwatch.cli.main", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(settings.home.parent / f"worker-{uuid.uuid4().hex[:6]}.log").open("wb"),
    )


def _files_done(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(IntelFeedFileRow)) or 0)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # server mode: workers share PG
def test_killed_worker_job_completes_once(
    store: Store, settings: Settings, feeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rabbit()
    queue = f"soupwatch-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SOUPWATCH_QUEUE", queue)
    here = Settings(settings.home, settings.database_url, mirror=feeds, broker_url=BROKER)
    first = _worker(here, queue)
    second: subprocess.Popen[bytes] | None = None
    try:
        job = start_job(
            store,
            here,
            JobKind.FEED_SYNC,
            {"sources": ["nvd-legacy"]},
            actor="alice",
            now=datetime.now(UTC),
            idem_key=f"kill-{queue}",
        )
        deadline = time.monotonic() + 120  # a loaded machine starts a worker slowly
        while _files_done(store) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        running = get_job(store, job.id)
        assert running.state is JobState.RUNNING and running.attempts == 1
        assert 0 < running.progress < 1, running  # mid-job, progress recorded
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = _worker(here, queue)
        done = wait_for(store, job.id, timeout=90)
        assert done.state is JobState.DONE, done
        assert done.attempts == 2 and done.progress == 1.0 and done.error is None
        follow = done.result["follow_up"] if done.result else []
        assert len(follow) == 1
        rematch = wait_for(store, follow[0], timeout=60)
        assert rematch.state is JobState.DONE and rematch.attempts == 1
        files = sorted(p.name for p in (feeds / "nvd-1.1").glob("nvdcve-1.1-*.json.gz"))
        with store.session() as session:
            imported = sorted(
                f.rsplit("/", 1)[-1] for f in session.scalars(select(IntelFeedFileRow.file))
            )
            records = session.scalar(
                select(func.count())
                .select_from(IntelRecordRow)
                .where(IntelRecordRow.feed == "nvd-legacy")
            )
            distinct = session.scalar(
                select(func.count(func.distinct(IntelRecordRow.vuln_id))).where(
                    IntelRecordRow.feed == "nvd-legacy"
                )
            )
            starts = [e for e in audit.export(session) if e["action"] == "job.start"]
        assert imported == files  # every file once: nothing lost
        assert records == distinct and records and records > 1000  # nothing doubled
        assert done.result is not None
        assert [j.id for j in list_jobs(store)] == sorted([job.id, rematch.id], reverse=True)
        assert len(starts) == 2
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(20)
