"""A job of the queue as everyone reads it: kind, arguments, state, progress, result.

The ``jobs`` table (store/job_tables.py) is its single source of truth; see docs/jobs.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

JobId = NewType("JobId", int)


class JobState(StrEnum):
    """Where a job is: waiting, running (maybe on a worker that died), done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """True once nothing more will happen to the job."""
        return self in (JobState.DONE, JobState.FAILED)


class JobKind(StrEnum):
    """What a job does (``jobs/kinds.py`` maps each to its function and permission)."""

    FEED_SYNC = "feed-sync"
    REMATCH = "rematch"
    ASSESS = "assess"
    DELIVERABLE = "deliverable"


@dataclass(frozen=True, slots=True)
class Job:
    """One job as stored (its output blob is read separately, for download)."""

    id: JobId
    kind: JobKind
    args: dict[str, Any]
    idem_key: str
    state: JobState
    progress: float
    message: str | None
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    output_name: str | None

    @property
    def product(self) -> str | None:
        """The product the job is about, when it is about one."""
        value = self.args.get("product")
        return str(value) if value is not None else None
