"""The only orchestrator: every multi-stage flow of soupwatch lives in this package.

    target (SBOM or artifact) ─► sbom / discover ─► store inventory
    feeds (mirror or HTTP)    ─► intel ─► store
    release components        ─► match ─► store findings (lifecycle timestamps)
    findings + device profile ─► risk (+ vex decisions) ─► stored Assessment
    stored Assessment         ─► report (FDA package, SOUP list, MDS2, advisories)

The edges (``cli/``, ``server/``) parse, call one function of this package, and render. Each
module here is one family of flows; this face re-exports them, and the edges import only it.
"""

from soupwatch.pipeline.decisions import (
    VEX_FORMATS,
    ExportedVex,
    RecordedDecision,
    export_vex,
    import_vex,
    list_decisions,
    record_decision,
)
from soupwatch.pipeline.flows import (
    SBOM_SUFFIXES,
    KernelTriageOutcome,
    MainJobResult,
    Step,
    assess,
    fda_package,
    load_target,
    match_document,
    run_main_job,
    scan_release,
    store_document,
    sync_feeds,
    triage_kernel,
    unsynced_feeds,
)

__all__ = [
    "SBOM_SUFFIXES",
    "VEX_FORMATS",
    "ExportedVex",
    "KernelTriageOutcome",
    "MainJobResult",
    "RecordedDecision",
    "Step",
    "assess",
    "export_vex",
    "fda_package",
    "import_vex",
    "list_decisions",
    "load_target",
    "match_document",
    "record_decision",
    "run_main_job",
    "scan_release",
    "store_document",
    "sync_feeds",
    "triage_kernel",
    "unsynced_feeds",
]
