"""Postmarket: the fleet of deployed units. Units imported from an MDM or service-system export
and reported by check-ins (with drift against the release's SBOM), update campaigns, each
unit's patch status per vulnerability, postmarket metrics, and impact at fleet level. Built on
the store and the watch stage, at watch's level; see docs/fleet.md.

Functions the job queue can call (each one transaction, idempotent where the data allows):
:func:`import_units`, :func:`check_in`, :func:`run_campaign`, :func:`fleet_metrics`,
:func:`fleet_impact`.
"""

from soupwatch.fleet.impact import FleetImpact, ReleaseUnits, SiteUnits, fleet_impact
from soupwatch.fleet.metrics import MetricsRow, fleet_metrics
from soupwatch.fleet.status import UnitPatch, unit_patch_status
from soupwatch.fleet.units import (
    EVERYTHING,
    CheckIn,
    ImportResult,
    Scope,
    check_in,
    find_unit,
    import_records,
    import_units,
    list_units,
    map_customer,
    reported_components,
    run_campaign,
    scope_of,
    unit_drift,
    unit_moves,
)

__all__ = [
    "EVERYTHING",
    "CheckIn",
    "FleetImpact",
    "ImportResult",
    "MetricsRow",
    "ReleaseUnits",
    "Scope",
    "SiteUnits",
    "UnitPatch",
    "check_in",
    "find_unit",
    "fleet_impact",
    "fleet_metrics",
    "import_records",
    "import_units",
    "list_units",
    "map_customer",
    "reported_components",
    "run_campaign",
    "scope_of",
    "unit_drift",
    "unit_moves",
    "unit_patch_status",
]
