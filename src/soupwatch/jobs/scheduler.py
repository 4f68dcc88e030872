"""Scheduled feed syncs: one per period, however many schedulers run.

The period's start names the job (``feed-sync@2026-12-05T00:00:00+00:00`` for a 6-hour period
starting at midnight): the ``jobs`` table's unique idempotency key lets only the first
scheduler add it, so two schedulers (or a scheduler and a restarted one) enqueue it once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from soupwatch.config import Settings
from soupwatch.errors import ConfigError
from soupwatch.jobs.runner import start_job
from soupwatch.model.job import Job, JobKind
from soupwatch.store.db import Store

SCHEDULER_ACTOR = "scheduler"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def period_start(now: datetime, every: timedelta) -> datetime:
    """The start of the period ``now`` falls in (periods counted from 2000-01-01 UTC)."""
    if every <= timedelta(0):
        raise ConfigError("the sync period must be positive")
    return EPOCH + every * ((now.astimezone(UTC) - EPOCH) // every)


def tick(
    store: Store,
    settings: Settings,
    every: timedelta,
    now: datetime,
    sources: list[str] | None = None,
) -> Job:
    """Enqueue this period's feed sync unless a scheduler already did; the period's job.

    Without a broker the scheduler's own process runs it (before returning).
    """
    start = period_start(now, every)
    key = f"{JobKind.FEED_SYNC.value}@{start.isoformat()}"
    args = {"sources": sources} if sources else {}
    return start_job(
        store,
        settings,
        JobKind.FEED_SYNC,
        args,
        actor=SCHEDULER_ACTOR,
        now=now,
        idem_key=key,
        wait=True,
    )


def run_scheduler(
    store: Store,
    settings: Settings,
    every: timedelta,
    *,
    stop: threading.Event,
    poll: timedelta = timedelta(minutes=1),
    sources: list[str] | None = None,
) -> None:
    """Tick every ``poll`` until ``stop`` is set."""
    while not stop.is_set():
        tick(store, settings, every, settings.clock(), sources)
        stop.wait(poll.total_seconds())
