"""``soupwatch scan TARGET``: components → findings, printed as a table, JSON or SARIF."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from soupwatch.cli.common import console, err_console, open_store, print_table
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import ConfigError, SbomFormatError, StoreError
from soupwatch.model import Product, Release, SbomDocument, Severity

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


def load_target(path: Path) -> SbomDocument:
    """An SBOM file is read; anything else (folder, archive, image, binary) is discovered."""
    from soupwatch.sbom import read

    if path.is_file():
        try:
            return read(path)
        except SbomFormatError:
            if path.suffix.lower() in SBOM_SUFFIXES:
                raise
    try:
        from soupwatch.discover import discover_path
    except ImportError as err:
        raise ConfigError(f"{path} is not an SBOM and discovery is not available: {err}") from err
    return discover_path(path)


def _store_release(
    session: Any, product: str, release: str, doc: SbomDocument, target: Path
) -> str:
    from soupwatch.store import inventory

    try:
        inventory.release_id(session, product, release)
        return f"findings stored for existing release {product} {release}"
    except StoreError:
        inventory.save_release(
            session,
            Product(product),
            Release(
                product,
                release,
                components=doc.components,
                source=str(target),
                sbom_format=f"{doc.format} {doc.spec_version}",
                metadata_component=doc.metadata_component,
            ),
        )
        return f"imported {target.name} as {product} {release} and stored its findings"


def _render(fmt: ScanFormat, doc: SbomDocument, result: Any, target: Path) -> str | None:
    from soupwatch.match.output import scan_json
    from soupwatch.report.sarif import sarif_report

    if fmt is ScanFormat.json:
        return json.dumps(scan_json(doc.components, result, str(target)), indent=2) + "\n"
    if fmt is ScanFormat.sarif:
        return json.dumps(sarif_report(result, str(target)), indent=2) + "\n"
    return None


def _table(result: Any) -> None:
    rows = [
        [
            f.component_name,
            f.component_version,
            f.vulnerability.id,
            f.vulnerability.severity.value,
            "yes" if f.vulnerability.kev else "",
            ", ".join(f.fixed_versions),
            f"{f.match.by} ({f.match.confidence:.2f})",
        ]
        for f in result.findings
    ]
    print_table(
        "Findings",
        ["component", "version", "vulnerability", "severity", "KEV", "fixed in", "matched by"],
        rows,
    )
    for s in result.skipped:
        err_console.print(
            f"skipped: {s.component.display}: {s.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
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
        help="Release to store findings for. If "
        "it does not exist yet, TARGET is imported as that release "
        "first; if it exists, its components are kept.",
    ),
    fmt: ScanFormat = typer.Option(ScanFormat.table, "--format", help="table, json or sarif."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE, not stdout."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Exit 1 when a finding is at least this severe."
    ),
    fail_on_kev: bool = typer.Option(
        False, "--fail-on-kev", help="Exit 1 when a finding is in CISA KEV."
    ),
) -> None:
    """Match a target's components against the vulnerability data in the store."""
    from soupwatch.intel.query import StoreIntelQuery
    from soupwatch.match.matcher import MatchContext, match_components
    from soupwatch.match.output import fails
    from soupwatch.store.finding_tables import save_findings

    if (product is None) != (release is None):
        raise ConfigError("--product and --release go together")
    if not target.exists():
        raise ConfigError("no such file or folder", path=str(target))
    doc = load_target(target)
    store = open_store()
    try:
        with store.session() as session:
            result = match_components(
                doc.components,
                StoreIntelQuery(session),
                context=MatchContext.for_components(doc.components),
            )
            note = None
            if product and release:
                note = _store_release(session, product, release, doc, target)
                save_findings(session, product, release, result.findings, datetime.now(UTC))
    finally:
        store.close()
    text = _render(fmt, doc, result, target)
    if output is not None:
        output.write_text(text if text is not None else "", encoding="utf-8")
    elif text is not None:
        sys.stdout.write(text)
    else:
        _table(result)
    if note:
        err_console.print(note, markup=False, highlight=False)
    failing = fails(result.findings, Severity(fail_on.value) if fail_on else None, fail_on_kev)
    if failing:
        err_console.print(f"{len(failing)} finding(s) meet the --fail-on threshold", markup=False)
        raise typer.Exit(int(ExitCode.FINDINGS))
    if fmt is ScanFormat.table and not result.findings:
        console.print("no findings", markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``scan`` to the root app."""
    app.command("scan")(scan)
