"""Reading jobs for the edges: one, a page (newest first), a finished job's file."""

from __future__ import annotations

from soupwatch.errors import NotFoundError
from soupwatch.model.access import Principal
from soupwatch.model.job import Job, JobState
from soupwatch.store import job_repo
from soupwatch.store.db import Store
from soupwatch.store.job_repo import JobOutput


def get_job(store: Store, job_id: int, principal: Principal | None = None) -> Job:
    """One job; NotFoundError when there is none, or the principal may not see it."""
    from soupwatch.jobs.runner import may_see

    with store.session() as session:
        job = job_repo.get_job(session, job_id)
    if principal is not None and not may_see(principal, job):
        raise NotFoundError(f"no job {job_id}")
    return job


def list_jobs(
    store: Store, principal: Principal | None = None, *, limit: int = 100, offset: int = 0
) -> list[Job]:
    """Jobs newest first: the page of ``limit`` after ``offset`` among those the principal
    may see (``may_see``, the one rule; the stored rows are read a window at a time until the
    page is full, so a page is never cut short by jobs the principal may not see)."""
    from soupwatch.jobs.runner import may_see

    if principal is None:
        with store.session() as session:
            return job_repo.list_jobs(session, limit=limit, offset=offset)
    page: list[Job] = []
    skipped, at, window = 0, 0, max(limit, 100)
    while len(page) < limit:
        with store.session() as session:
            rows = job_repo.list_jobs(session, limit=window, offset=at)
        for job in rows:
            if not may_see(principal, job):
                continue
            if skipped < offset:
                skipped += 1
            elif len(page) < limit:
                page.append(job)
        if len(rows) < window:
            break
        at += window
    return page


def job_file(store: Store, job_id: int, principal: Principal | None = None) -> JobOutput:
    """A finished job's file; NotFoundError when the job is not done or made none."""
    job = get_job(store, job_id, principal)
    if job.state is not JobState.DONE:
        raise NotFoundError(f"job {job_id} is {job.state.value}, its file is not ready")
    with store.session() as session:
        output = job_repo.job_output(session, job_id)
    if output is None:
        raise NotFoundError(f"job {job_id} produced no file")
    return output
