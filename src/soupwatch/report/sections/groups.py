"""Open findings grouped by component and root cause: every uncontrolled and every
awaiting-assessment finding is printed here, in a few rows a reviewer can read.

The root cause is the category's rationale (the same evidence led to the same decision), so
2,000 kernel CVEs with no data to judge them are one row with their owner, due date and every
identifier, and each row of uncontrolled findings names the evidence that made them so.
"""

from __future__ import annotations

from soupwatch.model.assessment import AssessedFinding, Assessment, PostmarketCategory
from soupwatch.report.sections.common import sorted_findings
from soupwatch.report.table import Cell, Column, Table, iso

COLUMNS: tuple[Column, ...] = (
    Column("component", "Component", "Component name and version.", nullable=False),
    Column(
        "category",
        "FDA category",
        "uncontrolled, or awaiting assessment (no data could judge exploitability).",
        nullable=False,
    ),
    Column(
        "count",
        "Findings",
        "How many open findings share this root cause.",
        "integer",
        nullable=False,
    ),
    Column(
        "reason",
        "Root cause",
        "The evidence behind the category, shared by the group.",
        nullable=False,
    ),
    Column("communicate_by", "Communicate by", "Earliest communication date in the group.", "date"),
    Column("due", "Fix due", "Earliest fix due date in the group.", "date"),
    Column(
        "assessment_due",
        "Assess by",
        "Awaiting assessment: the date a person must have judged them by.",
        "date",
    ),
    Column("owner", "Owner", "Who judges findings awaiting assessment (the profile's owner)."),
    Column(
        "vulnerabilities",
        "Vulnerabilities",
        "Every identifier in the group, in priority order.",
        nullable=False,
    ),
)

_SHOWN = (PostmarketCategory.UNCONTROLLED, PostmarketCategory.AWAITING_ASSESSMENT)


def _reason(f: AssessedFinding) -> str:
    text = f.category_rationale
    for prefix in ("Uncontrolled: ", "Awaiting assessment: "):
        text = text.removeprefix(prefix)
    return text


def build(a: Assessment) -> Table:
    """One row per (component, category, root cause) of the open findings that need action."""
    groups: dict[tuple[str, str, str], list[AssessedFinding]] = {}
    for f in sorted_findings(a):
        if not f.is_open or f.category not in _SHOWN:
            continue
        comp = f"{f.finding.component_name} {f.finding.component_version or ''}".strip()
        groups.setdefault((comp, f.category.value, _reason(f)), []).append(f)
    rows: list[dict[str, Cell]] = []
    for (comp, category, reason), items in groups.items():
        comm = [f.communicate_by for f in items if f.communicate_by]
        due = [f.fix_by for f in items if f.fix_by]
        judge = [f.assessment_due for f in items if f.assessment_due]
        owners = sorted({f.owner or "unassigned" for f in items if f.assessment_due})
        rows.append(
            {
                "component": comp,
                "category": category,
                "count": len(items),
                "reason": reason,
                "communicate_by": iso(min(comm)) if comm else None,
                "due": iso(min(due)) if due else None,
                "assessment_due": iso(min(judge)) if judge else None,
                "owner": ", ".join(owners) or None,
                "vulnerabilities": " ".join(str(f.finding.vulnerability.id) for f in items),
            }
        )
    return Table(
        "finding-groups", "Open findings that need action, by root cause", COLUMNS, tuple(rows)
    )
