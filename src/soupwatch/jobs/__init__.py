"""Postmarket: the job queue. Feed syncs, re-matching, assessments and deliverables run as
jobs, in-process (embedded mode) or on Dramatiq workers (``SOUPWATCH_BROKER_URL``); the
``jobs`` table is the one place their state lives. See docs/jobs.md and ADR 0011.
"""

from soupwatch.jobs.broker import run_worker
from soupwatch.jobs.kinds import DELIVERABLES, KINDS, kind_of
from soupwatch.jobs.runner import (
    execute,
    may_see,
    may_start,
    run_in_process,
    start_job,
    wait_for,
)
from soupwatch.jobs.scheduler import period_start, run_scheduler, tick
from soupwatch.jobs.shapes import job_json
from soupwatch.jobs.watching import WatchOutcome, notify_delta, watch_once
from soupwatch.model.job import Job, JobKind, JobState

__all__ = [
    "DELIVERABLES",
    "KINDS",
    "Job",
    "JobKind",
    "JobState",
    "WatchOutcome",
    "execute",
    "get_job",
    "job_file",
    "job_json",
    "kind_of",
    "list_jobs",
    "may_see",
    "may_start",
    "notify_delta",
    "period_start",
    "run_in_process",
    "run_scheduler",
    "run_worker",
    "start_job",
    "tick",
    "wait_for",
    "watch_once",
]

from soupwatch.jobs.views import get_job, job_file, list_jobs
