"""``soupwatch snapshot``: record today's open / uncontrolled / overdue counts of every release
(the dashboard's trend history; run it daily, e.g. after ``soupwatch watch``)."""

from __future__ import annotations

import typer

from soupwatch import pipeline
from soupwatch.cli.common import console, current_time, open_store, print_table


def snapshot_cmd() -> None:
    """Record every release's open, uncontrolled and overdue counts for today (the dashboard's
    trends; a second run today replaces the first)."""
    store = open_store()
    try:
        rows = pipeline.record_snapshot(store, now=current_time())
    finally:
        store.close()
    print_table(
        None,
        ["product", "release", "open", "uncontrolled", "overdue"],
        [[r.product, r.release, r.open, r.uncontrolled, r.overdue] for r in rows],
    )
    day = rows[0].day.isoformat() if rows else current_time().date().isoformat()
    console.print(
        f"snapshot of {day}: {len(rows)} release(s) recorded", markup=False, highlight=False
    )


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch snapshot`` to the root app."""
    app.command("snapshot")(snapshot_cmd)
