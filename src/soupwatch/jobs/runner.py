"""Starting and running jobs: the same functions in-process (embedded mode) or on workers.

``start_job`` checks the arguments, adds the row (once per idempotency key), appends the start
to the audit trail, and dispatches: to the broker when ``SOUPWATCH_BROKER_URL`` is set, else
in this process (now, or on a background thread). ``execute`` runs one attempt on whichever
side: claim (a done job is not run again), run with progress, finish (once) and start the
follow-ups in the same transaction, or record the error: a :class:`SoupwatchError` (bad input,
unknown product) fails the job for good, anything else is retried with backoff until
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from soupwatch.config import Settings
from soupwatch.errors import Forbidden, NotFoundError, SoupwatchError
from soupwatch.jobs.kinds import KINDS, JobContext, JobOutcome
from soupwatch.model.access import Principal
from soupwatch.model.job import Job, JobId, JobKind, JobState
from soupwatch.store import job_repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

MAX_ATTEMPTS = 3
"""Attempts before a job that keeps failing unexpectedly is marked failed."""
BACKOFF_SECONDS = (1.0, 4.0)
"""In-process waits between attempts (the broker uses its own exponential backoff)."""

_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="soupwatch-job")


class RetryableJobError(RuntimeError):
    """An attempt failed for a reason that may pass (the broker retries the message)."""


def may_start(principal: Principal, kind: JobKind, args: dict[str, Any]) -> None:
    """Forbidden / NotFoundError when ``principal`` may not start this job."""
    spec = KINDS[kind]
    product = args.get("product")
    if spec.product_scoped and isinstance(product, str) and not principal.sees(product):
        raise NotFoundError(f"no product {product!r}")
    if not principal.may(spec.permission):
        raise Forbidden(f"starting a {kind.value} job needs the {spec.permission.value} permission")


def may_see(principal: Principal, job: Job) -> bool:
    """Whether the principal may read the job: its product's, or portfolio-wide jobs for those
    who see every product; and always the jobs it started."""
    if job.started_by == principal.name:
        return True
    product = job.product
    return principal.sees(product) if product is not None else principal.sees_everything


def start_job(
    store: Store,
    settings: Settings,
    kind: JobKind,
    args: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    idem_key: str | None = None,
    wait: bool = False,
) -> Job:
    """Add (once per ``idem_key``), audit and dispatch a job; the job as stored.

    ``wait``: in embedded mode run it before returning (the CLI); otherwise on a background
    thread (the server). With a broker the job always goes to the workers.
    """
    clean = KINDS[kind].check(dict(args))
    key = idem_key or f"{kind.value}:{uuid.uuid4().hex}"
    with store.session() as session:
        job, created = job_repo.create_job(session, kind, clean, key, actor, now)
        if created:
            audit.append(
                session,
                actor,
                "job.start",
                f"job:{job.id}",
                None,
                {"kind": kind.value, "args": clean, "key": key},
                f"{kind.value} job",
                now,
            )
    if created or job.state is JobState.QUEUED:
        dispatch(store, settings, job.id, wait=wait)
    if wait:
        with store.session() as session:
            return job_repo.get_job(session, job.id)
    return job


def dispatch(store: Store, settings: Settings, job_id: int, *, wait: bool = False) -> None:
    """Send the job to the broker, or run it here (now when ``wait``, else in the background)."""
    if settings.broker_url:
        from soupwatch.jobs.broker import send

        send(settings.broker_url, job_id)
    elif wait:
        run_in_process(store, settings, job_id)
    else:
        _BACKGROUND.submit(run_in_process, store, settings, job_id)


def run_in_process(store: Store, settings: Settings, job_id: int) -> JobState:
    """Run a job here, retrying unexpected failures with backoff; its final state."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return execute(store, settings, job_id, final=attempt == MAX_ATTEMPTS)
        except RetryableJobError:
            time.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])
    return JobState.FAILED  # pragma: no cover - the last attempt is final and does not raise


def execute(store: Store, settings: Settings, job_id: int, *, final: bool) -> JobState:
    """One attempt at a job. Raises RetryableJobError when it failed and may be retried."""
    now = settings.clock()
    with store.session() as session:
        job = job_repo.claim(session, job_id, now)
        if job is None:
            done = job_repo.get_job(session, job_id)
    if job is None:
        _redispatch_follow_ups(store, settings, done)
        return done.state
    ctx = JobContext(store, settings, job, now, lambda f, m: _report(store, settings, job_id, f, m))
    try:
        outcome = KINDS[job.kind].run(ctx)
    except SoupwatchError as err:
        _fail(store, settings, job_id, str(err), final=True)
        return JobState.FAILED
    except Exception as err:  # an unexpected failure: retried, then failed with its type
        last = final or job.attempts >= MAX_ATTEMPTS
        _fail(store, settings, job_id, f"{err.__class__.__name__}: {err}", final=last)
        if last:
            return JobState.FAILED
        raise RetryableJobError(str(err)) from err
    follow = _finish(store, settings, job, outcome)
    for follow_id in follow:
        dispatch(store, settings, follow_id, wait=not settings.broker_url)
    parent = job.args.get("parent")
    if parent is not None:
        from soupwatch.jobs.rematch_parts import complete_parent

        complete_parent(store, int(parent), settings.clock())
    return JobState.RUNNING if outcome.pending else JobState.DONE


def _report(store: Store, settings: Settings, job_id: int, fraction: float, message: str) -> None:
    with store.session() as session:
        job_repo.set_progress(session, job_id, fraction, message, settings.clock())


def _fail(store: Store, settings: Settings, job_id: int, error: str, *, final: bool) -> None:
    with store.session() as session:
        job_repo.fail(session, job_id, error, settings.clock(), final=final)


def _finish(store: Store, settings: Settings, job: Job, outcome: JobOutcome) -> list[JobId]:
    """Store the outcome and add the follow-ups in one transaction; the follow-ups to send."""
    now = settings.clock()
    send: list[JobId] = []
    with store.session() as session:
        ids: list[int] = []
        for kind, args, key in outcome.follow_up:
            child, created = job_repo.create_job(
                session, kind, KINDS[kind].check(dict(args)), key, job.started_by, now
            )
            ids.append(child.id)
            if created:
                audit.append(
                    session,
                    job.started_by,
                    "job.start",
                    f"job:{child.id}",
                    None,
                    {"kind": kind.value, "args": child.args, "key": key},
                    f"{kind.value} job, follow-up of job {job.id}",
                    now,
                )
            if child.state is JobState.QUEUED:
                send.append(child.id)
        result = {**outcome.result, "follow_up": ids} if ids else outcome.result
        if outcome.pending:
            job_repo.set_progress(session, job.id, 0.0, f"waiting for jobs {ids}", now)
            job_repo.set_result(session, job.id, result)
            return send
        output = None
        if outcome.data is not None and outcome.file_name:
            output = job_repo.JobOutput(
                outcome.file_name, outcome.media_type or "application/octet-stream", outcome.data
            )
        if not job_repo.finish(session, job.id, result, now, output):
            return []  # another attempt finished it: its follow-ups are its own
    return send


def _redispatch_follow_ups(store: Store, settings: Settings, job: Job) -> None:
    """A redelivered job that is already done: send again what it started but never ran."""
    ids = (job.result or {}).get("follow_up") or []
    with store.session() as session:
        queued = [i for i in ids if job_repo.get_job(session, int(i)).state is JobState.QUEUED]
    for i in queued:
        dispatch(store, settings, int(i), wait=not settings.broker_url)


def wait_for(store: Store, job_id: int, *, timeout: float, poll: float = 0.2) -> Job:
    """Poll the job until it is finished or ``timeout`` seconds passed; the job as stored."""
    deadline = time.monotonic() + timeout
    while True:
        with store.session() as session:
            job = job_repo.get_job(session, job_id)
        if job.state.finished or time.monotonic() >= deadline:
            return job
        time.sleep(poll)
