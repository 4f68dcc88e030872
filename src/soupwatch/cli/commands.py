"""Registers every command group on the root app. One line per group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach every command module to ``app``."""
    from soupwatch.cli import (
        admin_cmd,
        advisory_cmd,
        assess_cmd,
        audit_cmd,
        db_cmd,
        demo_cmd,
        disclosure_cmd,
        discover_cmd,
        fleet_cmd,
        incident_cmd,
        inventory_cmd,
        jobs_cmd,
        monitor_cmd,
        notify_cmd,
        report_cmd,
        sbom_cmd,
        scan_cmd,
        serve_cmd,
        snapshot_cmd,
        triage_cmd,
        vex_cmd,
        watch_cmd,
    )

    for module in (
        inventory_cmd,
        sbom_cmd,
        discover_cmd,
        db_cmd,
        scan_cmd,
        assess_cmd,
        vex_cmd,
        triage_cmd,
        audit_cmd,
        report_cmd,
        advisory_cmd,
        disclosure_cmd,
        incident_cmd,
        watch_cmd,
        monitor_cmd,
        snapshot_cmd,
        fleet_cmd,
        jobs_cmd,
        notify_cmd,
        serve_cmd,
        admin_cmd,
        demo_cmd,
    ):
        module.register(app)
