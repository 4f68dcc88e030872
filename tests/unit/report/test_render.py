"""HTML/PDF rendering helpers: long CVE lists clipped in print, fixed column widths sized."""

from __future__ import annotations

from datetime import UTC, datetime

from soupwatch.model.assessment import Assessment
from soupwatch.report.fda import VULNERABILITY_IDS_SHOWN, FdaOptions, build_context
from soupwatch.report.render import LINE_CHARS, clip_list, column_widths, render_html
from soupwatch.report.sections import vulns

GENERATED = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def test_a_kernel_sized_cve_list_is_clipped_with_a_count_and_a_pointer() -> None:
    ids = ", ".join(f"CVE-2024-{n:05d}" for n in range(26000, 32900))
    text = clip_list(ids, 40, "sbom-addendum.csv")
    assert text.startswith("CVE-2024-26000, CVE-2024-26001, ")
    assert text.count("CVE-") == 40
    assert text.endswith("… (+6,860 more: all in sbom-addendum.csv)")
    assert clip_list("CVE-2014-0160", 40, "x.csv") == "CVE-2014-0160"
    assert clip_list(None, 40, "x.csv") == "—"


def test_fixed_column_widths_keep_identifiers_whole(assessment: Assessment) -> None:
    table = vulns.build(assessment)
    half = ("vulnerability", "component", "category", "rationale", "vex_status", "control", "due")
    cols = [c for c in table.columns if c.key in half]  # as the report's second half prints
    widths = column_widths(cols, table.rows)
    assert len(widths) == len(cols)
    values = [float(w.rstrip("%")) for w in widths]
    assert abs(sum(values) - 100) < 0.1
    by_key = dict(zip((c.key for c in cols), values, strict=True))
    # "CVE-2014-0160" (13 characters) plus padding must fit its share of the line
    assert by_key["vulnerability"] >= 100 * 15 / LINE_CHARS * 0.5
    assert by_key["rationale"] > by_key["vulnerability"]


def test_per_finding_tables_print_with_fixed_layout(assessment: Assessment) -> None:
    html = render_html("fda.html.j2", build_context(assessment, None, FdaOptions(GENERATED), []))
    assert 'class="fixed"' in html and "<colgroup>" in html
    assert f"at most {VULNERABILITY_IDS_SHOWN} identifiers" in html
    # small tables keep the automatic layout
    assert '<table id="metrics">' in html
