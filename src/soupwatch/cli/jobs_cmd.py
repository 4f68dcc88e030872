"""``soupwatch jobs list|show``, ``soupwatch worker`` and ``soupwatch scheduler``."""

from __future__ import annotations

import threading
from datetime import timedelta

import typer

from soupwatch.cli.common import OutputFormat, open_store, print_json, print_table
from soupwatch.errors import ConfigError

jobs_app = typer.Typer(help="The job queue: list and show jobs.", no_args_is_help=True)


@jobs_app.command("list")
def list_cmd(
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="How many, newest first."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """List jobs, newest first."""
    from soupwatch.jobs import job_json, list_jobs

    store = open_store()
    try:
        jobs = list_jobs(store, limit=limit)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([job_json(j) for j in jobs])
        return
    rows = [
        [
            j.id,
            j.kind.value,
            j.state.value,
            f"{j.progress:.0%}",
            j.attempts,
            j.started_by,
            j.created_at.isoformat(timespec="seconds"),
            j.message or j.error or "",
        ]
        for j in jobs
    ]
    print_table(
        "Jobs", ["id", "kind", "state", "progress", "attempts", "by", "created", "note"], rows
    )


@jobs_app.command("show")
def show_cmd(job_id: int = typer.Argument(..., help="The job's id.")) -> None:
    """Show one job (state, progress, result) as JSON."""
    from soupwatch.jobs import get_job, job_json

    store = open_store()
    try:
        job = get_job(store, job_id)
    finally:
        store.close()
    print_json(job_json(job))


def worker(
    threads: int = typer.Option(1, "--threads", min=1, max=64, help="Jobs run at once."),
) -> None:
    """Run jobs from the broker (SOUPWATCH_BROKER_URL) until stopped; run any number of these."""
    from soupwatch.config import load_settings
    from soupwatch.jobs import run_worker

    run_worker(load_settings(), threads=threads)


def scheduler(
    every_hours: float = typer.Option(
        6.0, "--every-hours", help="Start a feed sync once per this many hours."
    ),
) -> None:
    """Start a feed sync once per period (several schedulers still start it once)."""
    from soupwatch.config import load_settings
    from soupwatch.jobs import run_scheduler

    if not 0 < every_hours <= 24 * 31:
        raise ConfigError(f"--every-hours {every_hours} must be above 0 and at most 744")
    settings = load_settings()
    store = open_store()
    stop = threading.Event()
    try:
        run_scheduler(store, settings, timedelta(hours=every_hours), stop=stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Attach ``jobs``, ``worker`` and ``scheduler`` to the root app."""
    app.add_typer(jobs_app, name="jobs")
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
