"""The device-context rubric answers, once per component (not repeated on every finding row).

The MITRE medical-device rubric answers most questions once for the device (the profile) or
falls back to a default; only answers recorded for one vulnerability differ per finding. This
table states the shared answers per component; the finding rows keep only their own answers.
"""

from __future__ import annotations

from soupwatch.model.assessment import Assessment, RubricAnswer
from soupwatch.report.table import Column, Table

COLUMNS: tuple[Column, ...] = (
    Column("component", "Component", "Component name and version.", nullable=False),
    Column("exposure", "Exposure", "Most exposed interface the profile places it on."),
    Column(
        "answers",
        "Rubric answers (profile and defaults)",
        "Environmental metrics the device profile sets for this component (or their default), "
        "as metric=value (origin).",
    ),
    Column(
        "findings",
        "Findings",
        "Findings of this component scored with these answers.",
        "integer",
        nullable=False,
    ),
)

SHARED = ("profile", "default")
"""Answer origins that are the same for every finding of a component."""


def _answer(r: RubricAnswer) -> str:
    return f"{r.metric}={r.value} ({r.decided_by})"


def build(a: Assessment) -> Table:
    """One row per component with scored findings: its shared rubric answers, once."""
    shared: dict[str, dict[str, str]] = {}
    exposure: dict[str, str | None] = {}
    count: dict[str, int] = {}
    for f in a.findings:
        comp = f"{f.finding.component_name} {f.finding.component_version or ''}".strip()
        count[comp] = count.get(comp, 0) + 1
        exposure.setdefault(comp, f.exposure)
        seen = shared.setdefault(comp, {})
        for r in f.rubric:
            if r.decided_by in SHARED:
                seen.setdefault(r.metric, _answer(r))
    rows = tuple(
        {
            "component": comp,
            "exposure": exposure.get(comp) or "not placed on an interface",
            "answers": "; ".join(v for _, v in sorted(shared[comp].items())) or None,
            "findings": count[comp],
        }
        for comp in sorted(count)
    )
    return Table("device-context", "Device context: rubric answers per component", COLUMNS, rows)
