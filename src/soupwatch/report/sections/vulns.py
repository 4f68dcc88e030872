"""The known-vulnerability assessment: every finding with its scores, context and decision.

FDA premarket guidance, section V.A.4: the assessment of known vulnerabilities in the
third-party components, with the device-specific impact and the controls that address it.
"""

from __future__ import annotations

from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.report.sections.common import control_or_fix, sorted_findings, vex_status
from soupwatch.report.sections.context import SHARED
from soupwatch.report.table import Column, Table, iso

COLUMNS: tuple[Column, ...] = (
    Column("vulnerability", "Vulnerability", "CVE or advisory identifier.", nullable=False),
    Column("component", "Component", "Affected component name and version.", nullable=False),
    Column("base_vector", "CVSS base vector", "Vector as published (NVD or the CNA)."),
    Column("base_score", "Base score", "CVSS base score, 0.0–10.0.", "number"),
    Column(
        "context_vector",
        "In-context vector",
        "CVSS vector with environmental metrics for this device (MITRE medical-device rubric).",
    ),
    Column(
        "context_score", "In-context score", "CVSS environmental score in this device.", "number"
    ),
    Column(
        "rubric",
        "Own rubric answers",
        "Rubric answers recorded for this vulnerability (metric = value); the answers the "
        "profile gives every finding of the component are in the device-context table.",
    ),
    Column(
        "exploitation",
        "Exploitation evidence",
        "CISA KEV listing and the published SSVC judgement, with source and date.",
        nullable=False,
    ),
    Column(
        "kev",
        "KEV",
        "Listed in CISA's Known Exploited Vulnerabilities catalogue (date added).",
        nullable=True,
    ),
    Column("epss", "EPSS", "EPSS probability of exploitation in 30 days (percentile)."),
    Column("risk", "Risk", "In-context risk: critical, high, medium, low or none.", nullable=False),
    Column(
        "category",
        "Controlled?",
        "controlled or uncontrolled risk to essential clinical "
        "performance (FDA postmarket guidance).",
        nullable=False,
    ),
    Column("rationale", "Rationale", "Why the risk is controlled or uncontrolled.", nullable=False),
    Column(
        "vex_status",
        "VEX status",
        "CycloneDX analysis state with its review in brackets ('approved by X on D', "
        "'rejected by X on D', 'not yet approved'), or 'not yet triaged'.",
        nullable=False,
    ),
    Column("vex_justification", "VEX justification", "Why not affected, when so decided."),
    Column(
        "control",
        "Control or fix",
        "The response, compensating control or upgrade.",
        nullable=False,
    ),
    Column(
        "communicate_by", "Communicate by", "Date customers must be told (policy clock).", "date"
    ),
    Column("due", "Fix due", "Date the fix is due (policy clock).", "date"),
    Column(
        "match",
        "Matched by",
        "How the finding was made: method, feed and confidence.",
        nullable=False,
    ),
)


def _rubric(f: AssessedFinding) -> str | None:
    """Only this finding's own answers: the shared ones are in the device-context table."""
    parts = [
        f"{r.metric}={r.value} ({r.decided_by})" for r in f.rubric if r.decided_by not in SHARED
    ]
    return "; ".join(parts) or None


def _exploitation(f: AssessedFinding) -> str:
    """The exploitation evidence with its source and date (KEV, SSVC), or what is missing."""
    v = f.finding.vulnerability
    parts = []
    if v.kev is not None:
        parts.append(f"CISA KEV, added {v.kev.date_added.isoformat()}")
    if v.ssvc:
        parts.append(v.ssvc[0].describe())
    return "; ".join(parts) or "no KEV entry, no published SSVC judgement"


def _kev(f: AssessedFinding) -> str:
    kev = f.finding.vulnerability.kev
    if kev is not None:
        return f"yes, added {kev.date_added.isoformat()}"
    return "yes" if f.kev else "no"


def _epss(f: AssessedFinding) -> str | None:
    if f.epss_score is None:
        return None
    pct = f" ({f.epss_percentile * 100:.0f}th pct.)" if f.epss_percentile is not None else ""
    return f"{f.epss_score:.4f}{pct}"


def _match(f: AssessedFinding) -> str:
    m = f.finding.match
    return f"{m.by} via {m.source}, confidence {m.confidence:.2f}"


def row(f: AssessedFinding) -> dict[str, str | float | None]:
    """One finding as a row of this table."""
    fd = f.finding
    return {
        "vulnerability": str(fd.vulnerability.id),
        "component": f"{fd.component_name} {fd.component_version or ''}".strip(),
        "base_vector": f.base_vector,
        "base_score": f.base_score,
        "context_vector": f.environmental_vector,
        "context_score": f.environmental_score,
        "rubric": _rubric(f),
        "exploitation": _exploitation(f),
        "kev": _kev(f),
        "epss": _epss(f),
        "risk": f.risk.value,
        "category": f.category.value,
        "rationale": f.category_rationale,
        "vex_status": vex_status(f),
        "vex_justification": f.vex.justification.value if f.vex and f.vex.justification else None,
        "control": control_or_fix(f),
        "communicate_by": iso(f.communicate_by),
        "due": iso(f.fix_by),
        "match": _match(f),
    }


def build(a: Assessment) -> Table:
    """The vulnerability-assessment table, in the assessment's priority order."""
    rows = tuple(row(f) for f in sorted_findings(a))
    return Table("vulnerability-assessment", "Known-vulnerability assessment", COLUMNS, rows)
