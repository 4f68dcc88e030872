"""Imports every table module so that one metadata holds the whole schema."""

from __future__ import annotations

from sqlalchemy import MetaData


def metadata() -> MetaData:
    """The metadata of every soupwatch table."""
    from soupwatch.store import tables

    for name in (
        "intel_tables",
        "finding_tables",
        "vex_tables",
        "risk_tables",
        "watch_tables",
        "assessment_tables",
        "triage_tables",
        "identity_tables",
        "telemetry_tables",
        "snapshot_tables",
        "fleet_tables",
        "job_tables",
        "notify_tables",
        "provider_tables",
        "incident_tables",
        "alert_tables",
    ):
        try:
            __import__(f"soupwatch.store.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"soupwatch.store.{name}":
                raise
    return tables.Base.metadata
