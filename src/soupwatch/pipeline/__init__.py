"""The only orchestrator: every multi-stage flow of soupwatch lives in this package.

    target (SBOM or artifact) ─► sbom / discover ─► store inventory
    feeds (mirror or HTTP)    ─► intel ─► store
    release components        ─► match ─► store findings (lifecycle timestamps)
    findings + device profile ─► risk (+ vex decisions) ─► stored Assessment
    stored Assessment         ─► report (FDA package, SOUP list, MDS2, advisories)

The edges (``cli/``, ``server/``) parse, call one function of this package, and render. Each
module here is one family of flows; this face re-exports them, and the edges import only it.
"""

from soupwatch.intel.status import FeedStatus
from soupwatch.pipeline import accounts, incidents, products
from soupwatch.pipeline.accounts import LoginLimits, PasswordCost
from soupwatch.pipeline.alerts import (
    AlertFilter,
    ack_alert,
    alert_by_id,
    close_alert,
    list_alerts,
    rule_sets,
)
from soupwatch.pipeline.approvals import (
    approve_decision,
    comment_decision,
    decision_comments,
    decision_history,
    get_decision,
    pending_approvals,
    reject_decision,
)
from soupwatch.pipeline.assessments import (
    DeviceContext,
    FindingsPage,
    ReleaseSummary,
    assessment,
    assessment_header,
    data_generation,
    device_context,
    findings_page,
    portfolio,
    record_context,
    release_summaries,
    release_summary,
)
from soupwatch.pipeline.audit import AuditExport, export_audit, feed_snapshot, verify_audit
from soupwatch.pipeline.decisions import (
    VEX_FORMATS,
    DecisionInput,
    ExportedVex,
    RecordedDecision,
    export_vex,
    import_vex,
    list_decisions,
    record_decision,
    record_decisions,
)
from soupwatch.pipeline.deliver import (
    Assessed,
    assessed_release,
    csaf_advisory,
    fda_package,
    mds2_answers,
    soup_list,
)
from soupwatch.pipeline.flows import (
    SBOM_SUFFIXES,
    KernelTriageOutcome,
    MainJobResult,
    Step,
    assess,
    feed_status,
    incomplete_feeds,
    kernel_triage_summary,
    load_target,
    match_document,
    run_main_job,
    scan_release,
    store_document,
    sync_feeds,
    triage_kernel,
    unsynced_feeds,
)
from soupwatch.pipeline.inventory import (
    MAX_HITS,
    ComponentSearch,
    Ingested,
    export_sbom,
    get_release,
    import_sbom,
    ingest_sbom,
    list_products,
    list_releases,
    release_list,
    search_components,
)
from soupwatch.pipeline.records import (
    record_learnt_date,
    record_rubric_answer,
    record_support_override,
)
from soupwatch.pipeline.requests import read_request_json
from soupwatch.pipeline.snapshots import TREND_DAYS, record_snapshot, snapshot_history
from soupwatch.pipeline.support import SupportEnd, support_ends
from soupwatch.pipeline.telemetry import (
    Recorded,
    event_counts,
    record_events,
    unit_events,
)

__all__ = [
    "MAX_HITS",
    "SBOM_SUFFIXES",
    "TREND_DAYS",
    "VEX_FORMATS",
    "AlertFilter",
    "Assessed",
    "AuditExport",
    "ComponentSearch",
    "DecisionInput",
    "DeviceContext",
    "ExportedVex",
    "FeedStatus",
    "FindingsPage",
    "Ingested",
    "KernelTriageOutcome",
    "LoginLimits",
    "MainJobResult",
    "PasswordCost",
    "Recorded",
    "RecordedDecision",
    "ReleaseSummary",
    "Step",
    "SupportEnd",
    "accounts",
    "ack_alert",
    "alert_by_id",
    "approve_decision",
    "assess",
    "assessed_release",
    "assessment",
    "assessment_header",
    "close_alert",
    "comment_decision",
    "csaf_advisory",
    "data_generation",
    "decision_comments",
    "decision_history",
    "device_context",
    "event_counts",
    "export_audit",
    "export_sbom",
    "export_vex",
    "fda_package",
    "feed_snapshot",
    "feed_status",
    "findings_page",
    "get_decision",
    "get_release",
    "import_sbom",
    "import_vex",
    "incidents",
    "incomplete_feeds",
    "ingest_sbom",
    "kernel_triage_summary",
    "list_alerts",
    "list_decisions",
    "list_products",
    "list_releases",
    "load_target",
    "match_document",
    "mds2_answers",
    "pending_approvals",
    "portfolio",
    "products",
    "read_request_json",
    "record_context",
    "record_decision",
    "record_decisions",
    "record_events",
    "record_learnt_date",
    "record_rubric_answer",
    "record_snapshot",
    "record_support_override",
    "reject_decision",
    "release_list",
    "release_summaries",
    "release_summary",
    "rule_sets",
    "run_main_job",
    "scan_release",
    "search_components",
    "snapshot_history",
    "soup_list",
    "store_document",
    "support_ends",
    "sync_feeds",
    "triage_kernel",
    "unit_events",
    "unsynced_feeds",
    "verify_audit",
]
