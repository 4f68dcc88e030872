"""Unresolved anomalies: the findings still open, with their rationale and labeling impact.

FDA premarket guidance, section V.A.5 (security assessment of unresolved anomalies).
"""

from __future__ import annotations

from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.report.sections.common import control_or_fix, sorted_findings, vex_status
from soupwatch.report.table import Column, Table, iso

COLUMNS: tuple[Column, ...] = (
    Column(
        "vulnerability", "Anomaly (vulnerability)", "CVE or advisory identifier.", nullable=False
    ),
    Column("component", "Component", "Component name and version.", nullable=False),
    Column("risk", "Risk", "In-context risk.", nullable=False),
    Column("category", "Controlled?", "controlled or uncontrolled.", nullable=False),
    Column(
        "vex_status",
        "VEX status",
        "exploitable or in_triage with its review in brackets "
        "('approved by X on D', 'not yet approved'), or 'not yet triaged'.",
        nullable=False,
    ),
    Column(
        "rationale",
        "Rationale",
        "Why the residual risk is acceptable or what is pending.",
        nullable=False,
    ),
    Column(
        "control",
        "Control or planned fix",
        "Compensating control, response or upgrade.",
        nullable=False,
    ),
    Column(
        "labeling_impact",
        "Labeling impact",
        "What the labeling tells users, or 'none identified'.",
        nullable=False,
    ),
    Column("due", "Fix due", "Date the fix is due.", "date"),
)


def _rationale(f: AssessedFinding) -> str:
    parts = [f.category_rationale]
    if f.vex is not None and f.vex.detail and f.vex.detail not in parts:
        parts.append(f"VEX: {f.vex.detail}")
    if f.vex_needs_review:
        parts.append("decision due for review")
    return "; ".join(p for p in parts if p)


def build(a: Assessment) -> Table:
    """Open findings, worst first."""
    rows = []
    for f in sorted_findings(a):
        if not f.is_open:
            continue
        fd = f.finding
        rows.append(
            {
                "vulnerability": str(fd.vulnerability.id),
                "component": f"{fd.component_name} {fd.component_version or ''}".strip(),
                "risk": f.risk.value,
                "category": f.category.value,
                "vex_status": vex_status(f),
                "rationale": _rationale(f),
                "control": control_or_fix(f),
                "labeling_impact": f.labeling_impact or "none identified",
                "due": iso(f.fix_by),
            }
        )
    return Table("unresolved-anomalies", "Unresolved anomalies", COLUMNS, tuple(rows))
