"""The FDA premarket package rendered from an assessment built on real feed records."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from soupwatch.errors import ReportError
from soupwatch.model.assessment import Assessment
from soupwatch.report.fda import CSV_TABLES, FdaOptions, build_context, write_package
from soupwatch.report.render import render_html
from soupwatch.report.sections import metrics
from soupwatch.report.validate import SCHEMAS, generate, validate_csv, validate_json

GENERATED = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
SECTIONS = (
    "1. Summary",
    "2. Data snapshot and method",
    "3. SBOM addendum",
    "4. Known-vulnerability assessment",
    "5. Unresolved anomalies",
    "6. Vulnerability-management metrics",
    "7. Postmarket monitoring statement",
    "8. SBOM quality check",
    "9. Legend",
)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_package_html_pdf_json_csv(make_assessment, tmp_path: Path) -> None:
    a, release = make_assessment(10)
    files = write_package(a, release, tmp_path, FdaOptions(GENERATED, "Acme Medical", "daily"))
    names = {f.name for f in files}
    assert {"report.html", "report.pdf", "assessment.json"} <= names
    assert {f"{k}.csv" for k in CSV_TABLES} <= names

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages)
    for title in SECTIONS:
        assert title in html
        assert title in pdf_text, title
    assert "InfusionPump X 4.2.0" in pdf_text  # running header
    assert re.search(r"Page 1 of \d+", pdf_text)
    assert "CVE-2014-0160" in pdf_text

    doc = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))
    validate_json("assessment", doc, where="assessment.json")
    for key in CSV_TABLES:
        validate_csv(key, (tmp_path / f"{key}.csv").read_text(encoding="utf-8"), where=key)
    assert doc["generated_at"] == "2026-11-28T16:00:00Z"
    assert [s["source"] for s in doc["snapshot"]] == ["kev", "nvd"]


def test_html_is_self_contained_and_deterministic(assessment: Assessment) -> None:
    ctx = build_context(assessment, None, FdaOptions(GENERATED), [])
    html = render_html("fda.html.j2", ctx)
    assert html == render_html(
        "fda.html.j2", build_context(assessment, None, FdaOptions(GENERATED), [])
    )
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "url(http" not in html
    assert html.count("<svg") == 3


def test_addendum_carries_support_claims_and_their_source(
    assessment: Assessment, tmp_path: Path
) -> None:
    write_package(assessment, None, tmp_path, FdaOptions(GENERATED, pdf=False))
    rows = {r["Component"]: r for r in _rows(tmp_path / "sbom-addendum.csv")}
    ssl = rows["openssl"]
    assert ssl["End-of-support date"] == "2016-12-31"  # endoflife.date, cycle 1.0.1
    assert ssl["Level of support"] == "no-longer-maintained"
    assert "endoflife.date/openssl" in ssl["Support claim source / justification"]
    assert ssl["Asset / location"] == "/usr/lib/libssl.so.1.0.0"
    assert ssl["Known vulnerabilities"] == "CVE-2014-0160"
    unknown = rows["bluez"]
    assert unknown["Level of support"] == "unknown"
    assert unknown["Support claim source / justification"].startswith("not in endoflife.date")
    assert unknown["Open"] == "0"  # closed by its not_affected VEX statement


def test_vulnerability_rows_show_kev_vex_and_scores(assessment: Assessment, tmp_path: Path) -> None:
    write_package(assessment, None, tmp_path, FdaOptions(GENERATED, pdf=False))
    rows = {r["Vulnerability"]: r for r in _rows(tmp_path / "vulnerability-assessment.csv")}
    hb = rows["CVE-2014-0160"]
    assert hb["KEV"] == "yes, added 2022-05-04"  # CISA KEV catalogue
    assert hb["CVSS base vector"] == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    assert hb["VEX status"] == "not yet triaged"
    assert hb["Controlled?"] == "uncontrolled"
    assert rows["CVE-2022-39176"]["VEX justification"] == "code_not_reachable"
    assert rows["CVE-2023-52160"]["Base score"] == ""  # NVD has no v3 score for it: shown empty
    order = [r["Vulnerability"] for r in _rows(tmp_path / "vulnerability-assessment.csv")]
    assert order[0] == "CVE-2014-0160"  # worst (critical) first
    anomalies = {r["Anomaly (vulnerability)"] for r in _rows(tmp_path / "unresolved-anomalies.csv")}
    assert anomalies == {str(f.finding.vulnerability.id) for f in assessment.findings if f.is_open}


def test_metrics_follow_lifecycle_timestamps(assessment: Assessment) -> None:
    table = metrics.build_summary(assessment)
    applicable = [
        f
        for f in assessment.findings
        if f.vex is None or f.vex.state.value not in ("not_affected", "false_positive")
    ]
    patched = [f for f in applicable if f.resolved_at is not None]
    pct = table.rows[0]
    assert pct["basis"] == len(applicable) == 5
    assert pct["value"] == round(100 * len(patched) / len(applicable), 1)
    release_row = table.rows[2]
    [p] = patched
    assert p.resolved_at is not None and p.fix_available is not None
    assert release_row["value"] == round((p.resolved_at - p.fix_available).days, 1)


def test_shipped_schemas_are_current() -> None:
    for name, schema in generate().items():
        shipped = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        assert shipped == schema, f"{name} is stale: run python -m soupwatch.report.validate"


def test_invalid_output_is_refused_with_its_place(assessment: Assessment, tmp_path: Path) -> None:
    ctx = build_context(assessment, None, FdaOptions(GENERATED), [])
    doc = {"document": "soupwatch-fda-assessment", "version": 1, "product": "P"}
    with pytest.raises(ReportError, match=r"assessment\.json.*required"):
        validate_json("assessment", doc, where="assessment.json")
    text = ctx["tables"]["metrics"].csv_text().replace("percent", "")
    with pytest.raises(ReportError, match=r"metrics.csv \(\$\['rows'\]\[0\]"):
        validate_csv("metrics", text, where="metrics.csv")


def test_output_folder_that_is_a_file_is_a_clear_error(
    assessment: Assessment, tmp_path: Path
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError, match="cannot create the output folder"):
        write_package(assessment, None, blocker, FdaOptions(GENERATED, pdf=False))
