"""``soupwatch scan TARGET``: components → findings, as a summary and the worst rows, JSON or
SARIF."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from soupwatch.cli.common import (
    console,
    current_time,
    err_console,
    open_store,
    print_table,
    scan_gc,
    warn_incomplete,
    write_output,
)
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import ConfigError
from soupwatch.model import Finding, SbomDocument, Severity

if TYPE_CHECKING:
    from soupwatch.match.output import ScanSummary
    from soupwatch.match.versions import Scheme

SBOM_SUFFIXES = {".json", ".xml", ".spdx", ".yaml", ".yml", ".rdf", ".ttl", ".jsonld", ".cdx"}


class ScanFormat(StrEnum):
    """Output formats of ``scan``."""

    table = "table"
    json = "json"
    sarif = "sarif"


class FailOn(StrEnum):
    """Severity thresholds for ``--fail-on``."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class UnknownSeverityChoice(StrEnum):
    """``--unknown-severity``: whether findings without a score meet ``--fail-on``."""

    fail = "fail"
    pass_ = "pass"


def _render(fmt: ScanFormat, doc: SbomDocument, result: Any, target: Path) -> str | None:
    from soupwatch.match.output import scan_json
    from soupwatch.report.sarif import sarif_report

    if fmt is ScanFormat.json:
        return json.dumps(scan_json(doc.components, result, str(target)), indent=2) + "\n"
    if fmt is ScanFormat.sarif:
        return json.dumps(sarif_report(result, str(target)), indent=2) + "\n"
    return None


def _scheme(f: Finding) -> Scheme:
    from soupwatch.match.versions import PURL_TYPE_SCHEMES, scheme_for_product

    if f.purl and f.purl.startswith("pkg:"):
        kind = f.purl[4:].split("/", 1)[0].lower()
        if kind in PURL_TYPE_SCHEMES:
            return PURL_TYPE_SCHEMES[kind]
    return scheme_for_product(f.component_name)


def own_fix(f: Finding) -> str | None:
    """The fix on the component's own line: the smallest fixed version above its version.

    None when the component's version cannot be read, or no fix is above it.
    """
    from soupwatch.match.versions import ParsedVersion, parse_version

    scheme = _scheme(f)
    current = parse_version(f.component_version, scheme)
    if not isinstance(current, ParsedVersion):
        return None
    above = [
        (parsed, text)
        for text in f.fixed_versions
        if isinstance(parsed := parse_version(text, scheme), ParsedVersion) and parsed > current
    ]
    return min(above, key=lambda pair: pair[0])[1] if above else None


def fixed_cell(f: Finding) -> str:
    """The "fixed in" cell: the component's own fix, then "+N more" (JSON keeps every one)."""
    if len(f.fixed_versions) <= 1:
        return ", ".join(f.fixed_versions)
    first = own_fix(f) or f.fixed_versions[0]
    return f"{first} +{len(f.fixed_versions) - 1} more"


def _summary(name: str, summary: ScanSummary, fail_on: FailOn | None, unknown: str) -> None:
    """The numbers first: components, findings by severity, KEV, skipped, fail-on."""
    sev = summary.by_severity
    lines = [
        f"{name}: {summary.components} components, {summary.vulnerable_components} with findings",
        f"findings: {summary.findings} (critical {sev['critical']}, high {sev['high']}, "
        f"medium {sev['medium']}, low {sev['low']}, none {sev['none']}, "
        f"unknown severity {sev['unknown']})",
        f"in CISA KEV: {summary.kev}",
        f"skipped: {summary.skipped} component(s) that could not be judged, "
        f"{len(summary.skip_reasons)} reason(s)",
    ]
    lines += [f"  {count} x {reason}" for reason, count in summary.skip_reasons.items()]
    if summary.overruled:
        lines.append(
            f"overruled: {summary.overruled} (a preferred source says not affected; "
            "--format json lists each with both sources)"
        )
    if summary.warnings:
        lines.append(
            f"warnings: {summary.warnings} component(s) state a CPE no record names "
            "(nothing was found through it; --format json lists each with the reason)"
        )
    if fail_on is not None:
        lines.append(
            f"--fail-on {fail_on.value}: {summary.failing} finding(s) meet it; findings of "
            f"unknown severity {'count' if unknown == 'fail' else 'do not count'} "
            f"(--unknown-severity {unknown}): {sev['unknown']} of unknown severity, "
            f"{summary.unknown_failing} of them counted"
        )
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _table(result: Any, limit: int) -> None:
    from soupwatch.match.output import scan_priority

    ordered = sorted(result.findings, key=scan_priority)
    shown = ordered if limit == 0 else ordered[:limit]
    rows = [
        [
            f.component_name,
            f.component_version,
            f.vulnerability.id,
            f.vulnerability.severity.value,
            "yes" if f.vulnerability.kev else "",
            fixed_cell(f),
            f"{f.match.by} ({f.match.confidence:.2f})",
        ]
        for f in shown
    ]
    head = f"worst {len(shown)} of {len(ordered)}" if len(shown) < len(ordered) else "all"
    console.print(
        f"{head} findings, KEV first, then severity, then CVSS score"
        + (" (--limit 0 prints all):" if len(shown) < len(ordered) else ":"),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    print_table(
        None,
        ["component", "version", "vulnerability", "severity", "KEV", "fixed in", "matched by"],
        rows,
    )


def _skipped(result: Any, limit: int) -> None:
    """One line per skipped component (on stderr), at most ``limit`` (0: all)."""
    shown = result.skipped if limit == 0 else result.skipped[:limit]
    for s in shown:
        err_console.print(
            f"skipped: {s.component.display}: {s.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if len(shown) < len(result.skipped):
        err_console.print(
            f"skipped: {len(result.skipped) - len(shown)} more (--format json lists each)",
            markup=False,
        )


def scan(
    target: Path = typer.Argument(
        ..., help="SBOM file, or a folder / archive / image / binary to discover components in."
    ),
    product: str | None = typer.Option(
        None, "--product", help="Store findings for this product (with --release)."
    ),
    release: str | None = typer.Option(
        None,
        "--release",
        help="Store TARGET as this release (replacing an earlier import; findings keep "
        "their first-seen dates) and store its findings.",
    ),
    fmt: ScanFormat = typer.Option(ScanFormat.table, "--format", help="table, json or sarif."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE, not stdout."),
    fail_on: FailOn | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 1 when a finding is at least this severe (no score: see --unknown-severity).",
    ),
    fail_on_kev: bool = typer.Option(
        False, "--fail-on-kev", help="Exit 1 when a finding is in CISA KEV."
    ),
    unknown_severity: UnknownSeverityChoice = typer.Option(
        UnknownSeverityChoice.fail,
        "--unknown-severity",
        help="Whether findings with no CVSS score meet --fail-on: fail (they count; a missing "
        "score is not a low one) or pass. The summary says which way it went.",
    ),
    limit: int = typer.Option(
        20,
        "--limit",
        min=0,
        metavar="N",
        help="Table: print the N worst findings after the summary; 0 prints all. JSON and "
        "SARIF always hold every finding.",
    ),
) -> None:
    """Match a target's components against the vulnerability data in the store."""
    from soupwatch import pipeline
    from soupwatch.match.output import UnknownSeverity, scan_summary

    if (product is None) != (release is None):
        raise ConfigError("--product and --release go together")
    if not target.exists():
        raise ConfigError("no such file or folder", path=str(target))
    if output is not None and fmt is ScanFormat.table:
        raise ConfigError(
            "--output writes --format json or sarif; the table prints to the terminal"
        )
    doc = pipeline.load_target(target)
    store = open_store()
    note = None
    try:
        pipeline.require_records(store)  # before anything is imported: no data is no verdict
        with scan_gc():
            if product and release:
                now = current_time()
                pipeline.store_document(store, doc, product, release, source=str(target), now=now)
                result = pipeline.scan_release(store, product, release, now=now)
                note = f"imported {target.name} as {product} {release} and stored its findings"
            else:
                result = pipeline.match_document(store, doc)
        incomplete = pipeline.incomplete_feeds(store)
    finally:
        store.close()
    text = _render(fmt, doc, result, target)
    unknown = UnknownSeverity(unknown_severity.value)
    threshold = Severity(fail_on.value) if fail_on else None
    summary = scan_summary(len(doc.components), result, threshold, fail_on_kev, unknown)
    if output is not None:
        write_output(output, text or "", f"{fmt.value} scan results")
    elif text is not None:
        sys.stdout.write(text)
    else:
        _summary(target.name, summary, fail_on, unknown.value)
        if result.findings:
            _table(result, limit)
        _skipped(result, limit)
    if note:
        err_console.print(note, markup=False, highlight=False)
    warn_incomplete(incomplete)
    if summary.failing:
        err_console.print(
            f"{summary.failing} finding(s) meet the --fail-on threshold"
            + (
                f" ({summary.unknown_failing} of unknown severity, --unknown-severity fail)"
                if summary.unknown_failing
                else ""
            ),
            markup=False,
        )
        raise typer.Exit(int(ExitCode.FINDINGS))
    if fmt is ScanFormat.table and not result.findings:
        console.print("no findings", markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``scan`` to the root app."""
    app.command("scan")(scan)
