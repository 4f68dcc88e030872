"""The scan result as stable JSON (documented in docs/matching.md) and the fail-on rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

from soupwatch.match.matcher import MatchResult
from soupwatch.model import Component, Finding, Severity
from soupwatch.model.shapes import vulnerability_json

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
        },
    }


def fails(findings: list[Finding], fail_on: Severity | None, fail_on_kev: bool) -> list[Finding]:
    """The findings that meet a ``--fail-on`` threshold or ``--fail-on-kev``."""
    out = []
    for f in findings:
        sev = f.vulnerability.severity
        if (fail_on is not None and sev is not Severity.UNKNOWN and sev.rank >= fail_on.rank) or (
            fail_on_kev and f.vulnerability.kev is not None
        ):
            out.append(f)
    return out
