"""SARIF 2.1.0 output of a scan, for code-scanning dashboards.

One rule per vulnerability id, one result per (component, vulnerability). The level follows
the headline CVSS severity (critical/high → error, medium → warning, else note); the
``security-severity`` property carries the score as GitHub code scanning reads it. The
component is a logical location (``name@version``) inside the scanned file.
"""

from __future__ import annotations

from typing import Any

from soupwatch import __version__
from soupwatch.match.matcher import MatchResult
from soupwatch.model import Finding, Severity, best_cvss

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.NONE: "note",
    Severity.UNKNOWN: "warning",
}


def _rule(f: Finding) -> dict[str, Any]:
    v = f.vulnerability
    best = best_cvss(v.cvss)
    props: dict[str, Any] = {"tags": ["security", "vulnerability", *sorted(v.cwes)]}
    if best is not None:
        props["security-severity"] = f"{best.score:.1f}"
    rule: dict[str, Any] = {
        "id": v.id,
        "name": v.id.replace("-", ""),
        "shortDescription": {"text": v.summary.splitlines()[0][:200] if v.summary else v.id},
        "helpUri": next(iter(sorted(v.references)), f"https://osv.dev/vulnerability/{v.id}"),
        "properties": props,
    }
    if v.summary:
        rule["fullDescription"] = {"text": v.summary}
    return rule


def _result(f: Finding, rule_index: int, target: str) -> dict[str, Any]:
    v = f.vulnerability
    where = f"{f.component_name}@{f.component_version}" if f.component_version else f.component_name
    fixed = f", fixed in {', '.join(f.fixed_versions)}" if f.fixed_versions else ""
    kev = " Listed in CISA KEV." if v.kev else ""
    return {
        "ruleId": v.id,
        "ruleIndex": rule_index,
        "level": _LEVEL[v.severity],
        "message": {
            "text": f"{where} is affected by {v.id} ({v.severity.value}{fixed}).{kev} "
            f"Matched by {f.match.by} from {f.match.source}: {f.match.criteria}"
        },
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": target}},
                "logicalLocations": [
                    {"name": where, "fullyQualifiedName": f.purl or where, "kind": "module"}
                ],
            }
        ],
        "partialFingerprints": {"component/vulnerability": f"{f.component_ref}/{v.id}"},
        "properties": {
            "aliases": list(v.aliases),
            "confidence": f.match.confidence,
            "fixedVersions": list(f.fixed_versions),
            "kev": v.kev is not None,
        },
    }


def sarif_report(result: MatchResult, target: str) -> dict[str, Any]:
    """The SARIF 2.1.0 log of one scan."""
    rules: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        rules.setdefault(f.vulnerability.id, _rule(f))
    ordered = sorted(rules)
    index = {rid: i for i, rid in enumerate(ordered)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "soupwatch",
                        "version": __version__,
                        "informationUri": "https://github.com/soupwatch/soupwatch",
                        "rules": [rules[r] for r in ordered],
                    }
                },
                "artifacts": [{"location": {"uri": target}}],
                "results": [_result(f, index[f.vulnerability.id], target) for f in result.findings],
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "warning",
                                "message": {"text": f"{s.component.display}: {s.reason}"},
                            }
                            for s in result.skipped
                        ],
                    }
                ],
            }
        ],
    }
