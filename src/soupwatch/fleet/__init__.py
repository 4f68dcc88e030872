"""Postmarket: the fleet of deployed units. Units imported from an MDM or service-system export
and reported by check-ins (with drift against the release's SBOM), update campaigns, each
unit's patch status per vulnerability, postmarket metrics, and impact at fleet level. Built on
the store and the watch stage, at watch's level; see docs/fleet.md.

Functions the job queue can call (each one transaction, idempotent where the data allows):
:func:`import_units`, :func:`check_in`, :func:`run_campaign`, :func:`fleet_metrics`,
:func:`fleet_impact`.
"""

from soupwatch.fleet.impact import FleetImpact, ReleaseUnits, SiteUnits, fleet_impact
from soupwatch.fleet.metrics import Durations, MetricsRow, fleet_metrics
from soupwatch.fleet.output import (
    check_in_json,
    drift_json,
    fleet_impact_json,
    import_json,
    metrics_csv,
    metrics_html,
    metrics_json,
    metrics_pdf,
    metrics_table,
    unit_detail_json,
    unit_json,
)
from soupwatch.fleet.status import UnitPatch, unit_patch_status
from soupwatch.fleet.units import (
    EVERYTHING,
    CheckIn,
    ImportResult,
    Scope,
    check_in,
    drift_of,
    find_unit,
    import_file,
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
from soupwatch.store.fleet_repo import UnitFilter

__all__ = [
    "EVERYTHING",
    "CheckIn",
    "Durations",
    "FleetImpact",
    "ImportResult",
    "MetricsRow",
    "ReleaseUnits",
    "Scope",
    "SiteUnits",
    "UnitFilter",
    "UnitPatch",
    "check_in",
    "check_in_json",
    "drift_json",
    "drift_of",
    "find_unit",
    "fleet_impact",
    "fleet_impact_json",
    "fleet_metrics",
    "import_file",
    "import_json",
    "import_records",
    "import_units",
    "list_units",
    "map_customer",
    "metrics_csv",
    "metrics_html",
    "metrics_json",
    "metrics_pdf",
    "metrics_table",
    "reported_components",
    "run_campaign",
    "scope_of",
    "unit_detail_json",
    "unit_drift",
    "unit_json",
    "unit_moves",
    "unit_patch_status",
]
