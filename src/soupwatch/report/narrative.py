"""The prose of the FDA report: method, monitoring statement, summary counts, snapshot line.

Every sentence is computed from the Assessment; nothing is stated that the data do not show.
The full method is in docs/risk.md and docs/matching.md; this summarises what was used.
"""

from __future__ import annotations

from collections import Counter

from soupwatch.model.assessment import Assessment
from soupwatch.model.component import SupportLevel
from soupwatch.model.product import Release
from soupwatch.report.sections import monitoring
from soupwatch.report.table import iso


def snapshot_line(a: Assessment) -> str:
    """``nvd: 29 records, newest …, synced …; kev: …`` — the data the assessment rests on,
    led by ``incomplete: nvd sync interrupted at …`` for each feed whose sync was partial."""
    parts = []
    for s in sorted(a.snapshot, key=lambda s: s.source):
        newest = iso(s.newest_record) or "unknown"
        synced = iso(s.last_sync) or "never"
        parts.append(f"{s.source}: {s.records} records, newest {newest}, synced {synced}")
    partial = [s.incomplete for s in sorted(a.snapshot, key=lambda s: s.source) if s.incomplete]
    return "; ".join(partial + parts) or "no feed data recorded"


def snapshot_short(a: Assessment) -> str:
    """``Data: nvd synced 2026-11-28, kev synced 2025-08-25`` for the page footer."""
    parts = [
        f"{s.source} synced {s.last_sync.date().isoformat() if s.last_sync else 'never'}"
        for s in sorted(a.snapshot, key=lambda s: s.source)
    ]
    partial = [s.incomplete for s in sorted(a.snapshot, key=lambda s: s.source) if s.incomplete]
    return "Data: " + (", ".join(partial + parts) or "no feed data recorded")


def summary(a: Assessment) -> dict[str, int]:
    """Headline counts for the summary paragraph."""
    today = a.assessed_at.date()
    counts = a.counts
    return {
        "components": counts.components,
        "findings": counts.findings,
        "open": counts.open,
        "uncontrolled": counts.uncontrolled,
        "awaiting_assessment": counts.awaiting_assessment,
        "kev_open": counts.kev_open,
        "skipped": counts.skipped,
        "unsupported": sum(
            1
            for ac in a.components
            if ac.support.end_of_support is not None and ac.support.end_of_support < today
        ),
        "unknown_support": sum(
            1 for ac in a.components if ac.support.level is SupportLevel.UNKNOWN
        ),
    }


def method(a: Assessment, release: Release | None) -> list[str]:
    """Paragraphs describing sources, matchers, scoring and decisions actually used."""
    if release and release.source:
        fmt = release.sbom_format or "format not recorded"
        origin = f"Components come from {release.source} ({fmt})."
    else:
        origin = "The component inventory's origin is not recorded."

    by = Counter(f"{f.finding.match.by} ({f.finding.match.source})" for f in a.findings)
    matchers = ", ".join(f"{k}: {v}" for k, v in sorted(by.items())) or "no findings"
    decided = Counter(r.decided_by for f in a.findings for r in f.rubric)
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(decided.items())) or "none"
    vexed = sum(1 for f in a.findings if f.vex is not None)
    return [
        origin + f" {a.counts.components} components; {len(a.skipped)} of them could not be "
        "assessed for vulnerabilities (no identifier, or no readable version: listed under known "
        "unknowns).",
        f"Known vulnerabilities were matched against each component's identifiers (package URL, "
        f"CPE) and version ranges. Findings by matching method and feed: {matchers}. Each "
        "finding keeps its match evidence (method, feed, criterion, confidence).",
        "Each finding's published CVSS base vector is re-scored with CVSS environmental metrics "
        "answered through the MITRE rubric for medical devices, using the device profile "
        f"'{a.profile_name or 'none'}'. Rubric answers by origin: {answers}. "
        + _evidence_sentence(a)
        + " The FDA postmarket category follows: uncontrolled when exploitation is sufficiently "
        "likely and could cause serious harm, controlled otherwise, and awaiting assessment when "
        "no data can judge exploitability (a person judges it; it is never counted as either).",
        f"{vexed} of {len(a.findings)} findings carry a recorded VEX decision (status, "
        "justification, author, date). The full method is in the soupwatch documentation "
        "(docs/matching.md, docs/risk.md).",
        f"Data snapshot at assessment time ({iso(a.assessed_at)}): {snapshot_line(a)}.",
    ]


def _evidence_sentence(a: Assessment) -> str:
    """Which exploitation evidence this assessment actually used (no claim beyond the data)."""
    used = []
    if any(f.kev for f in a.findings):
        used.append("CISA KEV listings")
    if any(f.finding.vulnerability.ssvc for f in a.findings):
        used.append("CISA's published SSVC judgements (ADP: Exploitation, Automatable)")
    if any(f.epss_score is not None for f in a.findings):
        used.append("EPSS probabilities")
    used.append("exploit references and the in-context attack vector")
    missing = [] if any(f.epss_score is not None for f in a.findings) else ["EPSS (no scores)"]
    text = "Exploitation evidence used: " + ", ".join(used) + "."
    if missing:
        text += " Not used: " + ", ".join(missing) + "."
    return text


def monitoring_statement(a: Assessment, cadence: str | None) -> list[str]:
    """Paragraphs of the postmarket monitoring statement."""
    sources = ", ".join(sorted(s.source for s in a.snapshot)) or "none recorded"
    ages = [
        (monitoring.build_sources(a).rows[i].get("age_days"), s.source)
        for i, s in enumerate(sorted(a.snapshot, key=lambda s: s.source))
    ]
    known = [(age, src) for age, src in ages if isinstance(age, (int, float))]
    oldest = max(known) if known else None
    age_text = (
        f"The oldest data source at assessment time was {oldest[1]}, {oldest[0]:g} days "
        "since its last synchronisation."
        if oldest
        else "No synchronisation time is recorded for any source."
    )
    sla = monitoring.build_sla(a).rows[0]
    return [
        f"The manufacturer monitors the {len(a.components)} components of this release against "
        f"these sources: {sources}. Monitoring cadence: "
        f"{cadence or 'not stated (give it with --monitoring-cadence)'}.",
        age_text,
        f"Fix clocks so far: {sla['with_clock']} findings have a due date; {sla['met']} were "
        f"handled in time, {sla['late']} late; {sla['running']} are open within their clock and "
        f"{sla['overdue']} are overdue.",
    ]
