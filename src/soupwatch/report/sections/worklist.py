"""The assessment work queue in words: findings awaiting assessment, per component.

Each line: the component, how many findings no data could judge, the earliest date a person
must have judged them by, and who (the profile's owner, or "unassigned").
"""

from __future__ import annotations

from soupwatch.model.assessment import Assessment


def awaiting_lines(a: Assessment) -> list[str]:
    """One line per component with open findings awaiting assessment, most findings first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for f in a.findings:
        if not f.is_awaiting_assessment:
            continue
        comp = f"{f.finding.component_name} {f.finding.component_version or ''}".strip()
        due = f.assessment_due.isoformat() if f.assessment_due else "no date"
        groups.setdefault(comp, []).append((due, f.owner or "unassigned"))
    lines = []
    for comp, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        owners = ", ".join(sorted({o for _, o in items}))
        lines.append(
            f"{comp}: {len(items)} awaiting assessment (no data to judge exploitability), "
            f"judge by {min(d for d, _ in items)}, owner: {owners}"
        )
    return lines


def notes(a: Assessment) -> list[str]:
    """What a reader must know under the headline: the data's gaps, then the work queue."""
    from soupwatch.report.sections.coverage import warnings

    return [f"warning: {w}" for w in warnings(a)] + [
        f"to assess: {line}" for line in awaiting_lines(a)
    ]
