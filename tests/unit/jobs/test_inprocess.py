"""Jobs in the embedded mode (no broker): the same functions and table, both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.errors import ConfigError
from soupwatch.jobs import JobKind, JobState, get_job, job_file, list_jobs, start_job, tick
from soupwatch.pipeline import load_target, store_document
from soupwatch.store.db import Store
from soupwatch.vex import audit
from tests.unit.watch.conftest import EXAMPLES, T0

MIRROR_FEEDS = ("kev",)


def _pump(store: Store) -> None:
    path = EXAMPLES / "infusion-pump.cdx.json"
    store_document(store, load_target(path), "infusion-pump", "1.0", source=str(path), now=T0)


def test_feed_sync_job_runs_then_rematches_once(
    store: Store, settings: Settings, feeds: Path
) -> None:
    here = Settings(settings.home, settings.database_url, mirror=feeds, now=T0)
    _pump(store)
    job = start_job(
        store,
        here,
        JobKind.FEED_SYNC,
        {"sources": ["kev"]},
        actor="alice",
        now=T0,
        idem_key="sync-1",
        wait=True,
    )
    assert job.state is JobState.DONE and job.attempts == 1 and job.progress == 1.0
    assert job.result is not None and job.result["synced"][0]["feed"] == "kev"
    follow = job.result["follow_up"]
    assert len(follow) == 1
    rematch = get_job(store, follow[0])
    assert rematch.kind is JobKind.REMATCH and rematch.state is JobState.DONE
    assert rematch.started_by == "alice"
    assert rematch.result is not None and "summary" in rematch.result
    # the same key again: the same job, nothing run twice
    again = start_job(
        store,
        here,
        JobKind.FEED_SYNC,
        {"sources": ["kev"]},
        actor="bob",
        now=T0,
        idem_key="sync-1",
        wait=True,
    )
    assert again.id == job.id and again.attempts == 1
    with store.session() as session:
        starts = [e for e in audit.export(session) if e["action"] == "job.start"]
    assert [(e["actor"], e["subject"]) for e in starts] == [
        ("alice", f"job:{job.id}"),
        ("alice", f"job:{rematch.id}"),
    ]
    assert [j.id for j in list_jobs(store)] == [rematch.id, job.id]  # newest first


def test_deliverable_job_keeps_its_file(store: Store, settings: Settings) -> None:
    _pump(store)
    job = start_job(
        store,
        settings,
        JobKind.DELIVERABLE,
        {"product": "infusion-pump", "release": "1.0", "deliverable": "soup", "format": "csv"},
        actor="alice",
        now=T0,
        wait=True,
    )
    assert job.state is JobState.DONE, job.error
    out = job_file(store, job.id)
    assert out.name == "infusion-pump-1.0-soup.csv" and out.media_type.startswith("text/csv")
    assert b"openssl" in out.data.lower()
    assert job.result == {"file": out.name, "bytes": len(out.data), "media_type": out.media_type}


def test_bad_job_fails_for_good_and_scheduler_dedupes(
    store: Store, settings: Settings, feeds: Path
) -> None:
    with pytest.raises(ConfigError, match="unknown deliverable"):
        start_job(
            store,
            settings,
            JobKind.DELIVERABLE,
            {"product": "p", "release": "1", "deliverable": "nope"},
            actor="a",
            now=T0,
        )
    failed = start_job(
        store,
        settings,
        JobKind.ASSESS,
        {"product": "no-such-product"},
        actor="a",
        now=T0,
        wait=True,
    )
    assert failed.state is JobState.FAILED and failed.attempts == 1
    assert failed.error is not None and "no-such-product" in failed.error
    every = timedelta(hours=6)
    here = Settings(settings.home, settings.database_url, mirror=feeds, now=T0)
    first = tick(store, here, every, T0 + timedelta(minutes=1), ["kev"])
    second = tick(store, here, every, T0 + timedelta(hours=1), ["kev"])
    third = tick(store, here, every, T0 + timedelta(hours=7), ["kev"])
    assert first.id == second.id != third.id
    assert first.state is JobState.DONE and second.attempts == 1
    assert first.idem_key == "feed-sync@2026-11-28T06:00:00+00:00"


def test_a_page_of_jobs_is_full_of_what_the_caller_may_see(store: Store) -> None:
    """Visibility is applied before the page is cut: 150 newer jobs of a product the caller
    does not see do not leave its page empty (they did: the page was cut, then filtered)."""
    from soupwatch.model.access import Principal, Role
    from soupwatch.store import job_repo

    with store.session() as session:
        for n in range(3):
            job_repo.create_job(
                session, JobKind.DELIVERABLE, {"product": "mine"}, f"mine-{n}", "bob", T0
            )
        for n in range(150):
            later = T0 + timedelta(minutes=1 + n)
            job_repo.create_job(
                session, JobKind.DELIVERABLE, {"product": "other"}, f"other-{n}", "eve", later
            )
    carol = Principal("carol", Role.PRODUCT_SECURITY, frozenset({"mine"}))
    page = list_jobs(store, carol, limit=2)
    assert [j.args["product"] for j in page] == ["mine", "mine"]
    rest = list_jobs(store, carol, limit=2, offset=2)
    assert [j.args["product"] for j in rest] == ["mine"]
    assert [j.idem_key for j in page + rest] == ["mine-2", "mine-1", "mine-0"]
    assert len(list_jobs(store, limit=200)) == 153  # no principal: every job
