"""A job's JSON shape (shared by the CLI and the API)."""

from __future__ import annotations

from typing import Any

from soupwatch.model.job import Job


def job_json(job: Job) -> dict[str, Any]:
    """One job as JSON-able data (its file is downloaded separately)."""
    return {
        "id": job.id,
        "kind": job.kind.value,
        "args": job.args,
        "idempotency_key": job.idem_key,
        "state": job.state.value,
        "progress": job.progress,
        "message": job.message,
        "attempts": job.attempts,
        "result": job.result,
        "error": job.error,
        "started_by": job.started_by,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "file": job.output_name,
    }
