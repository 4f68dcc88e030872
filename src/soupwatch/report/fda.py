"""The FDA premarket cybersecurity package: HTML, PDF, assessment.json, CSVs and the SBOMs.

``write_package`` is the one entry point: it builds every section table from an
:class:`~soupwatch.model.assessment.Assessment`, renders one self-contained HTML report and
its PDF, and writes the machine-readable files, each validated against its shipped schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch import __version__
from soupwatch.errors import ReportError
from soupwatch.model.assessment import Assessment
from soupwatch.model.product import Release
from soupwatch.model.triage import KernelTriageSummary
from soupwatch.report import narrative
from soupwatch.report.legend import legend
from soupwatch.report.render import html_to_pdf, render_html
from soupwatch.report.sections import (
    addendum,
    anomalies,
    context,
    coverage,
    groups,
    metrics,
    monitoring,
    quality,
    vulns,
)
from soupwatch.report.table import Table, iso
from soupwatch.report.validate import validate_csv, validate_json

SbomWriter = Callable[[Release, str], str | bytes]
"""``soupwatch.sbom.write(release, "cyclonedx-json" | "spdx-json")``."""

SBOM_FILES = {"cyclonedx-json": "sbom.cdx.json", "spdx-json": "sbom.spdx.json"}
CSV_TABLES = (
    "sbom-addendum",
    "finding-groups",
    "device-context",
    "vulnerability-assessment",
    "unresolved-anomalies",
    "metrics",
    "metrics-detail",
    "sbom-quality",
)
TITLE = "Premarket cybersecurity package"
VULNERABILITY_IDS_SHOWN = 40
"""The SBOM addendum's per-component CVE list in the HTML/PDF stops after this many IDs."""


@dataclass(frozen=True, slots=True)
class FdaOptions:
    """What the report needs beyond the assessment: the injected clock and the wording inputs."""

    generated_at: datetime
    manufacturer: str | None = None
    cadence: str | None = None
    pdf: bool = True
    row_limit: int | None = 100
    """Per-finding tables in the HTML/PDF show at most this many rows (CSV/JSON keep all)."""
    kernel_triage: KernelTriageSummary | None = None
    """How the release's kernel findings were judged (cited under the data's coverage)."""


def build_tables(a: Assessment, release: Release | None) -> dict[str, Table]:
    """Every section table, keyed by table key."""
    tables = [
        addendum.build(a),
        groups.build(a),
        context.build(a),
        vulns.build(a),
        anomalies.build(a),
        metrics.build_summary(a),
        metrics.build_detail(a),
        monitoring.build_sources(a),
        monitoring.build_sla(a),
        quality.build(a, release),
        quality.build_document(release, a),
    ]
    return {t.key: t for t in tables}


def _column_legend(tables: dict[str, Table]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for key in (
        "sbom-addendum",
        "finding-groups",
        "device-context",
        "vulnerability-assessment",
        "unresolved-anomalies",
        "metrics",
    ):
        for c in tables[key].columns:
            seen.setdefault(c.header, c.meaning)
    return list(seen.items())


def build_context(
    a: Assessment, release: Release | None, options: FdaOptions, sbom_files: list[str]
) -> dict[str, Any]:
    """The template context of the HTML report (its plots need the ``[pdf]`` extra)."""
    from soupwatch.report import plots  # matplotlib: imported only when a report is built

    tables = build_tables(a, release)
    return {
        "title": TITLE,
        "product": a.product,
        "release": a.release,
        "manufacturer": options.manufacturer,
        "profile": a.profile_name,
        "assessed_at": iso(a.assessed_at),
        "generated_at": iso(options.generated_at),
        "version": __version__,
        "snapshot_line": narrative.snapshot_line(a),
        "coverage": coverage.coverage(a) + coverage.kernel_lines(options.kernel_triage),
        "snapshot_short": narrative.snapshot_short(a),
        "summary": narrative.summary(a),
        "method": narrative.method(a, release),
        "monitoring": narrative.monitoring_statement(a, options.cadence),
        "known_unknowns": quality.known_unknowns(a),
        "tables": tables,
        "row_limit": options.row_limit,
        "vulnerability_ids_shown": VULNERABILITY_IDS_SHOWN,
        "plots": plots.all_plots(a),
        "legend": legend(),
        "column_legend": _column_legend(tables),
        "sbom_files": sbom_files,
    }


def assessment_document(a: Assessment, context: dict[str, Any]) -> dict[str, Any]:
    """assessment.json: the same tables as the report, plus metadata and the snapshot."""
    tables: dict[str, Table] = context["tables"]
    return {
        "document": "soupwatch-fda-assessment",
        "version": 1,
        "product": a.product,
        "release": a.release,
        "profile": a.profile_name,
        "assessed_at": context["assessed_at"],
        "generated_at": context["generated_at"],
        "generator": f"soupwatch {__version__}",
        "snapshot": [
            {
                "source": s.source,
                "records": s.records,
                "newest_record": iso(s.newest_record),
                "last_sync": iso(s.last_sync),
            }
            for s in sorted(a.snapshot, key=lambda s: s.source)
        ],
        "coverage": [{"level": c.level, "text": c.text} for c in context["coverage"]],
        "summary": context["summary"],
        "known_unknowns": context["known_unknowns"],
        "sbom_files": context["sbom_files"],
        "tables": {k: tables[k].json_rows() for k in sorted(tables)},
    }


def _write_sboms(release: Release | None, out: Path, writer: SbomWriter | None) -> list[str]:
    if release is None or writer is None:
        return []
    written = []
    for fmt, name in SBOM_FILES.items():
        data = writer(release, fmt)
        (out / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        written.append(name)
    return written


def write_package(
    a: Assessment,
    release: Release | None,
    out: Path,
    options: FdaOptions,
    sbom_writer: SbomWriter | None = None,
) -> list[Path]:
    """Write the whole package into ``out``; returns the files written, sorted."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(
            f"cannot create the output folder: {err.strerror}", path=str(out)
        ) from err
    sbom_files = _write_sboms(release, out, sbom_writer)
    context = build_context(a, release, options, sbom_files)
    doc = assessment_document(a, context)
    validate_json("assessment", doc, where=str(out / "assessment.json"))
    files = {"assessment.json": json.dumps(doc, indent=2, ensure_ascii=False) + "\n"}
    for key in CSV_TABLES:
        text = context["tables"][key].csv_text()
        validate_csv(key, text, where=str(out / f"{key}.csv"))
        files[f"{key}.csv"] = text
    html = render_html("fda.html.j2", context)
    files["report.html"] = html
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    if options.pdf:
        (out / "report.pdf").write_bytes(html_to_pdf(html))
    return sorted(p for p in out.iterdir() if p.is_file())
