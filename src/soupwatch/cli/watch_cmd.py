"""``soupwatch watch`` (sync feeds, re-scan the portfolio, print what changed) and
``soupwatch impact VULN`` (which products, releases and components it touches)."""

from __future__ import annotations

from pathlib import Path

import typer

from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    print_json,
    print_table,
    scan_gc,
)
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import ConfigError
from soupwatch.watch.delta import PortfolioDelta


def _say(text: str) -> None:
    err_console.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_delta(delta: PortfolioDelta) -> None:
    rows = []
    for r in delta.releases:
        for kind, items in (("new", r.new), ("KEV added", r.kev_added), ("resolved", r.resolved)):
            for c in items:
                rows.append(
                    [
                        r.product,
                        r.release,
                        kind,
                        c.vuln_id,
                        c.severity.value,
                        "yes" if c.kev_date_added else "",
                        f"{c.component_name} {c.component_version or ''}".strip(),
                        ", ".join(c.fixed_versions),
                    ]
                )
    since = delta.previous_run.isoformat() if delta.previous_run else "the first run"
    if rows:
        print_table(
            f"Changes since {since}",
            [
                "product",
                "release",
                "change",
                "vulnerability",
                "severity",
                "KEV",
                "component",
                "fixed in",
            ],
            rows,
        )
    for r in delta.failed:
        _say(f"failed: {r.product} {r.release}: {r.error}")
    console.print(
        f"{len(delta.releases)} release(s) re-scanned: {delta.new} new, "
        f"{delta.kev_added} newly in KEV, {delta.resolved} resolved (since {since})",
        markup=False,
        highlight=False,
    )


def watch(
    mirror: Path | None = typer.Option(
        None, "--mirror", help="Sync the feeds from this mirror folder (else SOUPWATCH_MIRROR)."
    ),
    no_sync: bool = typer.Option(False, "--no-sync", help="Re-scan with the data already stored."),
    product: list[str] = typer.Option(
        [], "--product", help="Only this product (repeat for several); default: all."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    fail_on_new: bool = typer.Option(
        False, "--fail-on-new", help="Exit 1 when a finding is new or newly in KEV."
    ),
    full: bool = typer.Option(
        False, "--full", help="Re-match every release (default: only what the syncs changed)."
    ),
) -> None:
    """Sync the feeds, re-match what they changed, print what changed since last run, and
    send the notifications its rules select (`soupwatch notify`)."""
    from soupwatch.cli.notify_cmd import report_delivery
    from soupwatch.jobs import watch_once
    from soupwatch.watch.output import delta_json

    if no_sync and mirror is not None:
        raise ConfigError("--mirror and --no-sync exclude each other")
    store = open_store()
    try:
        with scan_gc():
            done = watch_once(
                store,
                clock=current_time,
                sync=not no_sync,
                mirror=mirror,
                products=product,
                full=full,
            )
    finally:
        store.close()
    for name, message in done.feed_failures:
        _say(f"warning: feed {name} failed: {message}")
    delta, queued, sent = done.delta, done.queued, done.sent
    if fmt is OutputFormat.json:
        print_json(delta_json(delta))
    else:
        _print_delta(delta)
    if queued.events or sent.delivered or sent.errors:
        report_delivery(queued, sent)
    if fail_on_new and (delta.new or delta.kev_added):
        raise typer.Exit(int(ExitCode.FINDINGS))


def impact(
    vulnerability: str = typer.Argument(..., help="CVE, GHSA, OSV or other id (aliases count)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """List every product, release and component a vulnerability touches, with VEX state, and
    the deployed units and sites running each affected release."""
    from soupwatch.fleet import EVERYTHING, fleet_impact, fleet_impact_json
    from soupwatch.watch import known_to_feeds

    store = open_store()
    try:
        found = fleet_impact(store, vulnerability, EVERYTHING, now=current_time())
        known = known_to_feeds(store, vulnerability)
    finally:
        store.close()
    rows = found.findings
    if not known:
        _say(
            f"warning: {vulnerability} is not in the synced feeds (mistyped, or the feeds are "
            "not synced): an empty answer does not mean 'not affected'"
        )
    if fmt is OutputFormat.json:
        print_json(fleet_impact_json(vulnerability.strip(), found, known))
        return
    if not rows:
        console.print(f"{vulnerability}: no stored release is affected", markup=False)
        return
    print_table(
        f"{vulnerability}: {sum(r.is_open for r in rows)} open of {len(rows)} finding(s)",
        [
            "product",
            "release",
            "component",
            "version",
            "vulnerability",
            "severity",
            "KEV",
            "VEX",
            "status",
        ],
        [
            [
                r.product,
                r.release,
                r.component_name,
                r.component_version,
                r.vuln_id,
                r.severity.value,
                "yes" if r.kev else "",
                (r.vex_state.value if r.vex_state else "")
                + (" (needs review)" if r.vex_needs_review else ""),
                "open" if r.is_open else f"closed ({r.resolved_by or 'vex'})",
            ]
            for r in rows
        ],
    )
    if found.units:
        print_table(
            f"fleet: {found.units_exposed} unit(s) exposed at {len(found.sites)} site(s) "
            f"({found.units} on affected releases)",
            ["product", "release", "open", "units", "sites"],
            [
                [r.product, r.release, "yes" if r.open else "no", r.units, r.sites]
                for r in found.releases
                if r.units
            ],
        )
        print_table(
            "exposed sites",
            ["customer", "site", "units exposed"],
            [[s.customer, s.site, s.units] for s in found.sites],
        )


def register(app: typer.Typer) -> None:
    """Attach ``watch`` and ``impact`` to the root app."""
    app.command("watch")(watch)
    app.command("impact")(impact)
