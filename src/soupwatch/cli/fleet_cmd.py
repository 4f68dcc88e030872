"""``soupwatch fleet``: deployed units (import, list, show, drift), update campaigns, the
customer ↔ team mapping, and postmarket metrics (table, JSON, CSV, HTML, PDF)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from soupwatch import fleet
from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    print_json,
    print_table,
    write_output,
)
from soupwatch.cli.vex_cmd import current_user
from soupwatch.config import load_settings
from soupwatch.errors import ConfigError
from soupwatch.model.fleet import UnitStatus

fleet_app = typer.Typer(
    help="Deployed units, update campaigns, patch status and postmarket metrics.",
    no_args_is_help=True,
)


def _say(text: str) -> None:
    err_console.print(text, markup=False, highlight=False, soft_wrap=True)


@fleet_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="CSV or JSON export of units (docs/fleet.md)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Import units from an MDM or service-system export: all rows or none (a bad row is one
    error line naming the file, line and column, exit 2)."""
    settings = load_settings()
    store = open_store()
    try:
        result = fleet.import_file(
            store, file, settings.limits, actor=current_user(), now=current_time()
        )
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json(fleet.import_json(result))
        return
    console.print(
        f"{result.units} unit(s) from {file}: {result.added} added, {result.updated} updated, "
        f"{result.moves} move(s) recorded",
        markup=False,
        highlight=False,
    )


@fleet_app.command("list")
def list_cmd(
    product: str | None = typer.Option(None, "--product"),
    release: str | None = typer.Option(None, "--release"),
    site: str | None = typer.Option(None, "--site"),
    customer: str | None = typer.Option(None, "--customer"),
    status: UnitStatus | None = typer.Option(None, "--status"),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """List units, by serial."""
    store = open_store()
    try:
        units = fleet.list_units(
            store,
            fleet.UnitFilter(product, release, site, customer, status),
            fleet.EVERYTHING,
            limit=limit,
        )
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([fleet.unit_json(u) for u in units])
        return
    print_table(
        f"{len(units)} unit(s)",
        ["serial", "product", "release", "customer", "site", "zone", "status", "last check-in"],
        [
            [
                u.serial,
                u.product,
                u.release,
                u.customer,
                u.site,
                u.network_zone,
                u.status.value,
                u.last_check_in.isoformat(timespec="minutes") if u.last_check_in else "",
            ]
            for u in units
        ],
    )


@fleet_app.command("show")
def show_cmd(
    serial: str = typer.Argument(...),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """One unit: its moves between releases, its patch status per vulnerability, its drift."""
    store = open_store()
    try:
        unit = fleet.find_unit(store, serial, fleet.EVERYTHING)
        moves = fleet.unit_moves(store, serial)
        patches = fleet.unit_patch_status(store, serial, fleet.EVERYTHING, now=current_time())
        drift = fleet.unit_drift(store, fleet.EVERYTHING, serial)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json(fleet.unit_detail_json(unit, moves, patches, drift))
        return
    u = unit
    console.print(
        f"{u.serial}: {u.product} {u.release} at {u.customer} / {u.site} ({u.status.value})",
        markup=False,
        highlight=False,
    )
    print_table(
        "moves",
        ["from", "to", "on", "how"],
        [
            [m.from_release or "(install)", m.to_release, m.moved_on or "unknown", m.how]
            for m in moves
        ],
    )
    print_table(
        "patch status",
        ["vulnerability", "status", "fixed by"],
        [[p.vuln_id, p.status.value, p.fixed_by or ""] for p in patches],
    )
    if drift:
        print_table(
            "drift", ["component", "evidence"], [[d.component, d.explanation] for d in drift]
        )


@fleet_app.command("drift")
def drift_cmd(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Every unit whose reported components differ from its release's SBOM, with the evidence."""
    store = open_store()
    try:
        drift = fleet.unit_drift(store, fleet.EVERYTHING)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([fleet.drift_json(d) for d in drift])
        return
    print_table(
        f"{len(drift)} drift finding(s)",
        ["serial", "product", "release", "component", "evidence"],
        [[d.serial, d.product, d.release, d.component, d.explanation] for d in drift],
    )


@fleet_app.command("campaign")
def campaign_cmd(
    name: str = typer.Argument(..., help="The campaign's name (kept with each move)."),
    serials: list[str] = typer.Argument(..., help="Serial numbers of the units moved."),
    product: str = typer.Option(..., "--product"),
    to: str = typer.Option(..., "--to", help="The release the units now run."),
    on: str | None = typer.Option(
        None, "--on", help="YYYY-MM-DD the units were updated (default: unknown, never guessed)."
    ),
) -> None:
    """Record an update campaign: the units moved to a release, on a day."""
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise ConfigError(f"--on {(on or '')[:20]!r} is not a date (YYYY-MM-DD)") from None
    store = open_store()
    try:
        moves = fleet.run_campaign(
            store, name, product, to, serials, day, actor=current_user(), now=current_time()
        )
    finally:
        store.close()
    console.print(
        f"campaign {name}: {len(moves)} unit(s) moved to {product} {to}"
        f" ({len(serials) - len(moves)} already there)",
        markup=False,
        highlight=False,
    )


@fleet_app.command("map-customer")
def map_customer_cmd(
    team: str = typer.Argument(...),
    customer: str = typer.Argument(...),
    remove: bool = typer.Option(False, "--remove", help="Take the mapping back."),
) -> None:
    """Let the team's hospital-customer members see the customer's units (or stop it)."""
    store = open_store()
    try:
        changed = fleet.map_customer(
            store, team, customer, not remove, actor=current_user(), now=current_time()
        )
    finally:
        store.close()
    verb = "unmapped from" if remove else "mapped to"
    state = "" if changed else " (no change)"
    console.print(f"{customer} {verb} team {team}{state}", markup=False, highlight=False)


class MetricsFormat(StrEnum):
    """How ``fleet metrics`` prints or writes."""

    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    pdf = "pdf"


@fleet_app.command("metrics")
def metrics_cmd(
    product: list[str] = typer.Option([], "--product", help="Repeatable; default: every product."),
    site: str | None = typer.Option(None, "--site"),
    quarter: str | None = typer.Option(None, "--quarter", help="e.g. 2026-Q1"),
    fmt: MetricsFormat = typer.Option(MetricsFormat.table, "--format"),
    out: Path | None = typer.Option(None, "-o", "--output", help="File (needed for pdf)."),
) -> None:
    """Postmarket metrics per product, site and quarter; each figure says how it was computed
    and how many dates were unknown."""
    now = current_time()
    store = open_store()
    try:
        rows = fleet.fleet_metrics(
            store, fleet.EVERYTHING, products=product, site=site, quarter=quarter, now=now
        )
    finally:
        store.close()
    if fmt is MetricsFormat.pdf:
        if out is None:
            raise ConfigError("--format pdf needs -o FILE")
        try:
            out.write_bytes(fleet.metrics_pdf(rows, now))
        except OSError as err:
            raise ConfigError(f"cannot write: {err.strerror or err}", path=str(out)) from err
        _say(f"wrote postmarket metrics to {out}")
        return
    if fmt is MetricsFormat.table:
        _print_metrics(rows)
        return
    if fmt is MetricsFormat.json:
        import json

        text = json.dumps(fleet.metrics_json(rows, now), indent=2) + "\n"
    elif fmt is MetricsFormat.csv:
        text = fleet.metrics_csv(rows)
    else:
        text = fleet.metrics_html(rows, now)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_output(out, text, "postmarket metrics")


def _print_metrics(rows: list[fleet.MetricsRow]) -> None:
    lines = fleet.metrics_table(rows).rows
    print_table(
        "postmarket metrics (value: share patched, or median days; unknown dates are counted "
        "and listed, never guessed)",
        ["product", "site", "quarter", "figure", "n", "value", "unknown", "pending"],
        [
            [
                line["product"],
                line["site"],
                line["quarter"],
                line["figure"],
                line["n"],
                "" if line["value"] is None else line["value"],
                line["unknown"] or "",
                line["pending"] or "",
            ]
            for line in lines
        ],
    )
    console.print(
        "how each figure is computed, and which dates are unknown: --format json or csv "
        "(docs/fleet.md)",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch fleet`` to the root app."""
    app.add_typer(fleet_app, name="fleet")
