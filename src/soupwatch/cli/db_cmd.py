"""``soupwatch db update`` and ``soupwatch db status``: sync vulnerability feeds, show freshness."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from soupwatch import pipeline
from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    print_json,
    print_table,
    progress_bar,
)
from soupwatch.config import load_settings
from soupwatch.errors import FeedUnavailable

db_app = typer.Typer(help="The vulnerability-intelligence database.", no_args_is_help=True)


@db_app.command("update")
def update(
    source: list[str] = typer.Option(
        [],
        "--source",
        help="Feed to sync (repeatable): nvd, nvd-legacy, osv, cve5, kev, epss, eol.",
    ),
    mirror: Path | None = typer.Option(
        None, "--mirror", help="Local mirror directory (default: SOUPWATCH_MIRROR, else HTTP)."
    ),
    api_key: str | None = typer.Option(
        None, "--api-key", help="NVD API key (header apiKey).", envvar="NVD_API_KEY"
    ),
    retries: int = typer.Option(5, "--retries", min=0, help="HTTP retries per request."),
) -> None:
    """Sync vulnerability feeds into the database; a killed sync resumes on the next run."""
    settings = load_settings()
    root = mirror or settings.mirror
    store = open_store()
    try:
        with progress_bar() as bar:
            task = bar.add_task("sync", total=None)

            def progress(done: int, total: int | None, what: str) -> None:
                bar.update(task, completed=done, total=total, description=what[-48:])

            outcome = pipeline.sync_feeds(
                store,
                mirror=root,
                sources=source or None,
                progress=progress,
                api_key=api_key,
                retries=retries,
                clock=settings.clock,
            )
    finally:
        store.close()
    for result in outcome.results:
        note = " (resumed)" if result.resumed else ""
        err_console.print(
            f"{result.source}: {result.records} records imported{note}, "
            f"{len(result.warnings)} warnings",
            markup=False,
            highlight=False,
        )
        for warning in result.warnings[:10]:
            err_console.print(
                f"  warning: {warning}", markup=False, highlight=False, soft_wrap=True
            )
    for name, message in outcome.failures:
        err_console.print(
            f"{name}: failed: {message}", markup=False, highlight=False, soft_wrap=True
        )
    if outcome.all_failed:  # main() prints "error: …" and exits 2
        names = ", ".join(name for name, _ in outcome.failures)
        raise FeedUnavailable(f"every feed failed ({names}); the stored data is unchanged")


@db_app.command("status")
def status(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Per feed: records, newest record, last sync, data age, warnings, last error."""
    store = open_store()
    try:
        rows = pipeline.feed_status(store, current_time())
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([r.as_json() for r in rows])
        return
    print_table(
        "Vulnerability feeds",
        ["source", "records", "newest", "synced", "age (d)", "warnings", "error"],
        [
            [
                r.source,
                r.records,
                r.newest_record.date().isoformat() if r.newest_record else None,
                _short(r.last_sync),
                r.data_age_days,
                r.warnings,
                r.last_error,
            ]
            for r in rows
        ],
    )
    for note in warning_notes(rows):
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    for r in rows:
        if r.incomplete:
            console.print(r.incomplete, markup=False, highlight=False, soft_wrap=True)


WARNING_CHARS = 120
"""A warning quoted under the status table is cut to this many characters."""


def warning_notes(rows: list[pipeline.FeedStatus]) -> list[str]:
    """Under the table: each feed's first warning (shortened), then where to read them all."""
    notes = []
    for r in rows:
        if not r.warnings:
            continue
        more = f" (+{r.warnings - 1} more)" if r.warnings > 1 else ""
        if r.warning_messages:
            first = " ".join(r.warning_messages[0].split())
            if len(first) > WARNING_CHARS:
                first = first[: WARNING_CHARS - 1] + "…"
            notes.append(f"{r.source}: warning: {first}{more}")
        else:
            notes.append(f"{r.source}: {r.warnings} warnings")
    if notes:
        notes.append("soupwatch db status --format json shows them all")
    return notes


def _short(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value else None


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch db`` to the root app."""
    app.add_typer(db_app, name="db")
