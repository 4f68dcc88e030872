"""What the data could and could not say: every deliverable opens with it.

Each source's record count, age and gaps, a warning for an empty or stale source, and how many
findings rest on which kind of evidence. Computed from the assessment's data snapshot and its
findings; nothing is claimed that they do not show.
"""

from __future__ import annotations

from dataclasses import dataclass

from soupwatch.model.assessment import Assessment
from soupwatch.model.triage import KernelTriageSummary

STALE_DAYS = 7
"""A source last synchronised more than this many days before the assessment is stale."""
GAP_DAYS = 90
"""A source whose newest record is older than this at assessment time has a gap: whatever it
published since is missing (an old mirror, a stalled feed)."""
NO_GAP_CHECK = frozenset({"nvd-legacy", "eol"})
"""Sources whose newest record is old by nature: NVD retired the 1.1 feeds in 2023, and an
endoflife.date product changes only at a release."""
THIN_NVD_RECORDS = 1000
"""Fewer NVD records than this: most findings rest on CNA and OSV records (said out loud)."""

_USED_FOR = {
    "nvd": "CPE matching and NVD CVSS vectors",
    "nvd-legacy": "CPE matching of older CVEs",
    "cve5": "the CNAs' own affected ranges and CVSS vectors",
    "vulnrichment": "CISA ADP SSVC judgements (exploitation, automatable) and CVSS vectors",
    "osv": "package-URL matching and fixed versions",
    "kev": "known exploitation in the wild",
    "epss": "exploitation probability",
    "eol": "end-of-support dates and fixed-release dates",
}


@dataclass(frozen=True, slots=True)
class CoverageLine:
    """One statement: ``warning`` lines are shown as warnings in every view."""

    level: str
    text: str
    source: str | None = None
    """Set on a line about one source's state (the headline summarises those in one line)."""


def coverage(a: Assessment) -> list[CoverageLine]:
    """Per source, then per kind of evidence: what the assessment could rest on."""
    out: list[CoverageLine] = []
    empty: set[str] = set()
    for s in sorted(a.snapshot, key=lambda s: s.source):
        use = _USED_FOR.get(s.source, "vulnerability data")
        if s.incomplete and s.records:  # an empty source is said to be empty below
            out.append(
                CoverageLine("warning", f"{s.incomplete}: its data may be partial", s.source)
            )
        if s.last_sync is None or s.records == 0:
            empty.add(s.source)
            out.append(
                CoverageLine(
                    "warning",
                    f"{s.source}: no data ({s.records} records, "
                    f"{'never synced' if s.last_sync is None else 'synced'}) — {use} not used",
                    s.source,
                )
            )
            continue
        age = (a.assessed_at - s.last_sync).days
        newest = s.newest_record.date().isoformat() if s.newest_record else "unknown"
        text = (
            f"{s.source}: {s.records} records (newest {newest}), synced "
            f"{s.last_sync.date().isoformat()} — used for {use}"
        )
        gap = (
            (a.assessed_at - s.newest_record).days
            if s.newest_record and s.source not in NO_GAP_CHECK
            else None
        )
        if age > STALE_DAYS:
            out.append(CoverageLine("warning", f"{text}; stale: {age} days old", s.source))
        elif gap is not None and gap > GAP_DAYS:
            out.append(
                CoverageLine(
                    "warning",
                    f"{text}; its newest record is {gap} days older than the assessment: "
                    f"anything published after {newest} is missing",
                    s.source,
                )
            )
        else:
            out.append(CoverageLine("ok", text, s.source))
        if s.source == "nvd" and s.records < THIN_NVD_RECORDS:
            out.append(
                CoverageLine(
                    "warning",
                    f"only {s.records} NVD records: most findings rest on CNA and OSV records",
                )
            )
    found = a.findings
    if found:
        n = len(found)
        no_vector = sum(1 for f in found if f.base_vector is None and f.cvss4_vector is None)
        ssvc = sum(1 for f in found if f.finding.vulnerability.ssvc)
        epss = sum(1 for f in found if f.epss_score is not None)
        kev = sum(1 for f in found if f.kev)
        out.append(
            CoverageLine(
                "warning" if no_vector else "ok",
                f"{no_vector} of {n} findings have no CVSS vector from any source",
            )
        )
        out.append(CoverageLine("ok", f"{ssvc} of {n} findings have a published SSVC judgement"))
        out.append(
            CoverageLine(
                "ok" if epss or "epss" in empty else "warning",
                f"{epss} of {n} findings have an EPSS score"
                + ("" if epss else ": EPSS played no part in this assessment"),
            )
        )
        out.append(CoverageLine("ok", f"{kev} of {n} findings are in the CISA KEV catalogue"))
    if a.unplaced:
        exposure = a.unplaced_exposure or "unknown (the vulnerability's attack vector is kept)"
        out.append(
            CoverageLine(
                "warning",
                f"{len(a.unplaced)} component(s) on no interface of the device profile, taken "
                f"as exposure {exposure}: {', '.join(a.unplaced)}",
            )
        )
    return out


def warnings(a: Assessment) -> list[str]:
    """The warnings, short enough to print under a headline (the report keeps every detail):
    empty sources and sources with a gap are one line each, then the findings' gaps."""
    today = a.assessed_at
    empty = [s.source for s in a.snapshot if s.last_sync is None or s.records == 0]
    gaps = [
        f"{s.source} (newest {s.newest_record.date().isoformat()})"
        for s in sorted(a.snapshot, key=lambda s: s.source)
        if s.source not in empty
        and s.source not in NO_GAP_CHECK
        and s.newest_record is not None
        and (today - s.newest_record).days > GAP_DAYS
    ]
    stale = [
        s.source
        for s in a.snapshot
        if s.last_sync is not None and s.records and (today - s.last_sync).days > STALE_DAYS
    ]
    out = []
    if empty:
        out.append(f"no data from {', '.join(sorted(empty))}: not used in this assessment")
    if stale:
        out.append(f"stale (synced over {STALE_DAYS} days ago): {', '.join(sorted(stale))}")
    if gaps:
        out.append(
            f"newest record over {GAP_DAYS} days old: {', '.join(gaps)} — anything published "
            "since is missing"
        )
    out += [
        f"{s.incomplete}: its data may be partial"
        for s in a.snapshot
        if s.incomplete and s.source not in empty
    ]
    out += [
        line.text
        for line in coverage(a)
        if line.level == "warning" and line.source is None  # per-source lines: summarised above
    ]
    return out


def kernel_lines(summary: KernelTriageSummary | None) -> list[CoverageLine]:
    """How the kernel findings were judged (the Kbuild map and the device's configuration), with
    the map's warning when it does not fit the device's kernel; nothing without a triage."""
    if summary is None:
        return []
    out = [CoverageLine("ok", summary.outcome)]
    if summary.warning:
        out.append(CoverageLine("warning", summary.warning))
    return out
