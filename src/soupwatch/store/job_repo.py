"""Repository of jobs (``jobs``): create once per idempotency key, claim, progress, finish.

Exactly-once is kept here, not in the broker: a broker redelivers a message whose worker died
(acks late), so a job may be *started* more than once, but :func:`claim` refuses a job that is
already done, and :func:`finish` writes the result only on a job that is not done yet (the
row is locked while it checks, so two finishers cannot both win).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soupwatch.errors import NotFoundError
from soupwatch.model.job import Job, JobId, JobKind, JobState
from soupwatch.store.job_tables import JobRow
from soupwatch.store.locks import begin_write


@dataclass(frozen=True, slots=True)
class JobOutput:
    """A finished job's file: name, media type and bytes."""

    name: str
    media_type: str
    data: bytes


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _job(row: JobRow) -> Job:
    created = _utc(row.created_at)
    assert created is not None
    return Job(
        id=JobId(row.id),
        kind=JobKind(row.kind),
        args=dict(row.args),
        idem_key=row.idem_key,
        state=JobState(row.state),
        progress=float(row.progress or 0.0),
        message=row.message,
        attempts=row.attempts or 0,
        result=dict(row.result) if row.result is not None else None,
        error=row.error,
        started_by=row.started_by,
        created_at=created,
        started_at=_utc(row.started_at),
        finished_at=_utc(row.finished_at),
        output_name=row.output_name,
    )


def _locked(session: Session, job_id: int) -> JobRow:
    begin_write(session)
    row = session.scalar(select(JobRow).where(JobRow.id == job_id).with_for_update())
    if row is None:
        raise NotFoundError(f"no job {job_id}")
    return row


def create_job(
    session: Session,
    kind: JobKind,
    args: dict[str, Any],
    idem_key: str,
    started_by: str,
    now: datetime,
) -> tuple[Job, bool]:
    """Add a queued job; (the job, True), or (the existing job with that key, False)."""
    existing = session.scalar(select(JobRow).where(JobRow.idem_key == idem_key))
    if existing is not None:
        return _job(existing), False
    row = JobRow(
        kind=kind.value,
        args=args,
        idem_key=idem_key,
        state=JobState.QUEUED.value,
        progress=0.0,
        attempts=0,
        started_by=started_by,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another writer added the same key since we looked
        found = session.scalar(select(JobRow).where(JobRow.idem_key == idem_key))
        assert found is not None
        return _job(found), False
    return _job(row), True


def get_job(session: Session, job_id: int) -> Job:
    """One job; NotFoundError when there is none with that id."""
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"no job {job_id}")
    return _job(row)


def list_jobs(session: Session, *, limit: int = 100, offset: int = 0) -> list[Job]:
    """Jobs, newest first."""
    rows = session.scalars(
        select(JobRow)
        .order_by(JobRow.created_at.desc(), JobRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_job(r) for r in rows]


def claim(session: Session, job_id: int, now: datetime) -> Job | None:
    """Mark the job running and count the attempt; None when it is already done or failed."""
    row = _locked(session, job_id)
    if JobState(row.state).finished:
        return None
    row.state = JobState.RUNNING.value
    row.attempts = (row.attempts or 0) + 1
    row.started_at = row.started_at or now
    row.heartbeat = now
    row.error = None
    session.flush()
    return _job(row)


def set_progress(
    session: Session, job_id: int, progress: float, message: str, now: datetime
) -> None:
    """Record how far a running job got (0..1, never backwards within an attempt's view)."""
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == JobState.RUNNING.value)
        .values(progress=min(max(progress, 0.0), 1.0), message=message[:1000], heartbeat=now)
    )


def finish(
    session: Session,
    job_id: int,
    result: dict[str, Any],
    now: datetime,
    output: JobOutput | None = None,
) -> bool:
    """Store the result (and file) of a job; False when it was already done (nothing written)."""
    row = _locked(session, job_id)
    if row.state == JobState.DONE.value:
        return False
    row.state = JobState.DONE.value
    row.progress, row.message = 1.0, "done"
    row.result, row.error = result, None
    row.finished_at, row.heartbeat = now, now
    if output is not None:
        row.output_name, row.output_type, row.output = output.name, output.media_type, output.data
    session.flush()
    return True


def fail(session: Session, job_id: int, error: str, now: datetime, *, final: bool) -> None:
    """Record an attempt's error: queued again for a retry, or failed for good (``final``)."""
    row = _locked(session, job_id)
    if row.state == JobState.DONE.value:
        return
    row.error = error[:4000]
    row.heartbeat = now
    if final:
        row.state, row.finished_at = JobState.FAILED.value, now
    else:
        row.state = JobState.QUEUED.value
    session.flush()


def job_output(session: Session, job_id: int) -> JobOutput | None:
    """A finished job's file, or None when it produced none."""
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"no job {job_id}")
    if row.output is None or row.output_name is None:
        return None
    return JobOutput(row.output_name, row.output_type or "application/octet-stream", row.output)


def lock_job(session: Session, job_id: int) -> Job:
    """The job, its row locked until the transaction ends (serialises its finishers)."""
    return _job(_locked(session, job_id))


def jobs_with_key_prefix(session: Session, prefix: str) -> list[Job]:
    """Jobs whose idempotency key starts with ``prefix`` (a split job's parts), by id."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.scalars(
        select(JobRow).where(JobRow.idem_key.like(escaped + "%", escape="\\")).order_by(JobRow.id)
    )
    return [_job(r) for r in rows]


def set_result(session: Session, job_id: int, result: dict[str, Any]) -> None:
    """Keep a partial result on a job that stays running (a split job waiting for its parts)."""
    session.execute(update(JobRow).where(JobRow.id == job_id).values(result=result))
