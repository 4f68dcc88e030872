"""The scan result as stable JSON (documented in docs/matching.md), its summary, the order of
the rows a person reads, and the fail-on rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from soupwatch.match.matcher import MatchResult
from soupwatch.model import Component, Finding, Severity
from soupwatch.model.shapes import vulnerability_json
from soupwatch.model.vulnerability import best_cvss

SCAN_JSON_VERSION = "1"


def scan_json(
    components: tuple[Component, ...] | list[Component], result: MatchResult, target: str
) -> dict[str, Any]:
    """The ``soupwatch scan --format json`` document."""
    by_ref: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_ref.setdefault(f.component_ref, []).append(f)
    comps = []
    for c in sorted(components, key=lambda c: (c.name.lower(), c.version or "", c.ref)):
        comps.append(
            {
                "ref": c.ref,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
                "cpe": c.cpe,
                "vulnerabilities": [vulnerability_json(f) for f in by_ref.get(c.ref, [])],
            }
        )
    severities = Counter(f.vulnerability.severity.value for f in result.findings)
    return {
        "schema": f"soupwatch-scan/{SCAN_JSON_VERSION}",
        "target": target,
        "components": comps,
        "skipped": [
            {
                "ref": s.component.ref,
                "name": s.component.name,
                "version": s.component.version,
                "reason": s.reason,
            }
            for s in result.skipped
        ],
        "warnings": [
            {
                "ref": w.component.ref,
                "name": w.component.name,
                "version": w.component.version,
                "identifiers": list(w.identifiers),
                "reason": w.reason,
            }
            for w in result.warnings
        ],
        "overruled": [
            {
                "ref": f.component_ref,
                "name": f.component_name,
                "version": f.component_version,
                "id": f.vulnerability.id,
                "explanation": f.match.explanation,
            }
            for f in result.overruled
        ],
        "summary": {
            "components": len(components),
            "vulnerable_components": len(by_ref),
            "findings": len(result.findings),
            "by_severity": {s.value: severities.get(s.value, 0) for s in Severity},
            "kev": sum(1 for f in result.findings if f.vulnerability.kev),
            "skipped": len(result.skipped),
            "overruled": len(result.overruled),
            "warnings": len(result.warnings),
        },
    }


class UnknownSeverity(StrEnum):
    """What ``--fail-on`` does with a finding whose severity is unknown (no CVSS score)."""

    fail = "fail"
    """Count it as meeting the threshold: nothing says it is less severe (the default)."""
    passes = "pass"
    """Leave it out of the threshold (it is still reported and counted)."""


def fails(
    findings: list[Finding],
    fail_on: Severity | None,
    fail_on_kev: bool,
    unknown: UnknownSeverity = UnknownSeverity.fail,
) -> list[Finding]:
    """The findings that meet a ``--fail-on`` threshold or ``--fail-on-kev``.

    A finding of unknown severity meets any ``fail_on`` threshold unless ``unknown`` is
    ``pass``: a missing score is not evidence that a vulnerability is minor.
    """
    out = []
    for f in findings:
        sev = f.vulnerability.severity
        if sev is Severity.UNKNOWN:
            meets = fail_on is not None and unknown is UnknownSeverity.fail
        else:
            meets = fail_on is not None and sev.rank >= fail_on.rank
        if meets or (fail_on_kev and f.vulnerability.kev is not None):
            out.append(f)
    return out


_ROW_ORDER = {
    s: i
    for i, s in enumerate(
        (
            Severity.CRITICAL,
            Severity.HIGH,
            Severity.UNKNOWN,
            Severity.MEDIUM,
            Severity.LOW,
            Severity.NONE,
        )
    )
}
"""Severity order of the rows; unknown (no score) is unassessed, not minor, so it is not last."""


def scan_priority(f: Finding) -> tuple[bool, int, float, str, str, str]:
    """Sort key of raw scan rows, worst first: in CISA KEV, then severity, then CVSS score.

    Ties break on vulnerability id, then component. (Assessed findings have their own order,
    by exploitation evidence and in-context risk, in ``soupwatch.risk``.)
    """
    v = f.vulnerability
    best = best_cvss(v.cvss)
    return (
        v.kev is None,
        _ROW_ORDER[v.severity],
        -(best.score if best else 0.0),
        v.id,
        f.component_name,
        f.component_ref,
    )


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """The numbers a person reads first, and how the fail-on rule went."""

    components: int
    vulnerable_components: int
    findings: int
    by_severity: dict[str, int]
    kev: int
    skipped: int
    skip_reasons: dict[str, int]
    overruled: int
    warnings: int
    failing: int
    unknown_failing: int


def scan_summary(
    components: int,
    result: MatchResult,
    fail_on: Severity | None,
    fail_on_kev: bool,
    unknown: UnknownSeverity,
) -> ScanSummary:
    """Counts by severity (unknown included), KEV, skipped by reason, and the fail-on result."""
    severities = Counter(f.vulnerability.severity.value for f in result.findings)
    failing = fails(result.findings, fail_on, fail_on_kev, unknown)
    return ScanSummary(
        components=components,
        vulnerable_components=len({f.component_ref for f in result.findings}),
        findings=len(result.findings),
        by_severity={s.value: severities.get(s.value, 0) for s in Severity},
        kev=sum(1 for f in result.findings if f.vulnerability.kev),
        skipped=len(result.skipped),
        skip_reasons=dict(sorted(Counter(s.reason for s in result.skipped).items())),
        overruled=len(result.overruled),
        warnings=len(result.warnings),
        failing=len(failing),
        unknown_failing=sum(1 for f in failing if f.vulnerability.severity is Severity.UNKNOWN),
    )
