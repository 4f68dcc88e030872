"""FDA package speed on a release of real size: thousands of findings (a Linux kernel's worth).

Input: every record of the NVD 1.1 subset in ../shared/feeds/nvd-1.1 (real CVSS vectors and
references; ~3,100), each made a finding against two components of the infusion pump profile
(~6,200 findings: the example pump's linux 5.10.52 alone has ~6,900), assessed by the real risk
stage. Prints time and peak RSS of each step and ratios to baselines measured in the same
process:

* PDF: WeasyPrint printing the same shown rows as bare, unstyled HTML tables (the unavoidable
  cost of putting those cells on paper);
* validation: the reference ``jsonschema`` 2020-12 validator on the same documents (what the
  package used before the compiled validator).

Target (quiet 2-core machine): the whole package with PDF in well under 15 s.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py [--copies 2] [--max-rows 300]
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_risk import NOW, ROOT, SHARED, load_records

from soupwatch.model import ComponentRef, Finding, MatchEvidence
from soupwatch.model.assessment import Assessment
from soupwatch.model.component import Component
from soupwatch.report.fda import CSV_TABLES, FdaOptions, build_context, write_package
from soupwatch.report.render import html_to_pdf, render_html
from soupwatch.report.table import read_csv_for_schema
from soupwatch.report.validate import reference_errors, validate_csv, validate_json
from soupwatch.risk.assess import FindingInput, build_assessment
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import load_profile

COMPONENTS = (("linux", "5.10.52"), ("openssl", "1.1.1k"), ("bluez", "5.55"), ("busybox", "1.33"))


def _measure(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time, and the process's peak RSS so far (tracemalloc would slow WeasyPrint 3x)."""
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {elapsed:7.2f} s   peak RSS {peak:7.1f} MiB")
    return elapsed, result


def _bare_html(ctx: dict[str, Any], limit: int) -> str:
    parts = ["<html><body>"]
    for table in ctx["tables"].values():
        parts.append("<table>")
        for row in table.rows[:limit]:
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values())
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    return "".join(parts) + "</body></html>"


def _assessment(copies: int) -> Assessment:
    vulns = load_records()
    profile = load_profile(ROOT / "examples" / "infusion-pump.profile.yaml")
    comps = [Component(ref=ComponentRef(f"{n}@{v}"), name=n, version=v) for n, v in COMPONENTS]
    findings = [
        FindingInput(
            Finding(
                component_ref=c.ref,
                component_name=c.name,
                component_version=c.version,
                vulnerability=v,
                match=MatchEvidence("cpe", "nvd", c.name, "cpe range", 0.95),
                fixed_versions=(f"{c.version}.1", "9.0"),
            )
        )
        for i, v in enumerate(vulns)
        for c in (comps[i % len(comps)], comps[(i + 1) % len(comps)])[:copies]
    ]
    return build_assessment(
        product="infusion-pump",
        release="2.4.1",
        components=comps,
        findings=findings,
        profile=profile,
        policy=Policy(),
        now=NOW,
        eol_products=[],
    )


def _validate_all(doc: dict[str, Any], csvs: dict[str, str], *, reference: bool) -> None:
    if reference:
        assert not reference_errors("assessment", doc)
        for key, text in csvs.items():
            assert not reference_errors(f"{key}.csv", read_csv_for_schema(text))
        return
    validate_json("assessment", doc, where="assessment.json")
    for key, text in csvs.items():
        validate_csv(key, text, where=key)


def main() -> int:
    """Run the benchmark and print the figures; 2 without the shared data."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=2, choices=(1, 2))
    parser.add_argument("--max-rows", type=int, default=300)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"shared data folder {SHARED} not found (set SOUPWATCH_SHARED)")
        return 2
    _, a = _measure("risk: build_assessment", lambda: _assessment(args.copies))
    print(f"{len(a.components)} components, {len(a.findings)} findings")
    opts = FdaOptions(datetime(2026, 11, 28, 16, 0, tzinfo=UTC), "Acme Medical", "daily")
    opts = FdaOptions(opts.generated_at, opts.manufacturer, opts.cadence, row_limit=args.max_rows)
    _, ctx = _measure("context (tables, plots)", lambda: build_context(a, None, opts, []))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_package(a, None, out, FdaOptions(opts.generated_at, pdf=False))
        doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
        csvs = {k: (out / f"{k}.csv").read_text(encoding="utf-8") for k in CSV_TABLES}
    fast, _ = _measure(
        "validation: compiled (fastjsonschema)", lambda: _validate_all(doc, csvs, reference=False)
    )
    ref, _ = _measure(
        "baseline: reference jsonschema 2020-12", lambda: _validate_all(doc, csvs, reference=True)
    )
    _, page = _measure("HTML render", lambda: render_html("fda.html.j2", ctx))
    pdf_time, pdf = _measure("PDF print", lambda: html_to_pdf(page))
    base, _ = _measure(
        "baseline: bare tables to PDF", lambda: html_to_pdf(_bare_html(ctx, args.max_rows))
    )
    with tempfile.TemporaryDirectory() as tmp:
        total, files = _measure(
            "whole package (write_package, with PDF)",
            lambda: write_package(a, None, Path(tmp), opts),
        )
    print(
        f"{len(files)} files, PDF {len(pdf) / 1e6:.2f} MB; validation reference/compiled "
        f"{ref / fast:.0f}x; PDF/baseline {pdf_time / base:.2f}x; package/baseline "
        f"{total / base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
