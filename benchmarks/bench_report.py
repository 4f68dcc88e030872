"""FDA package speed: the whole package (HTML, PDF, JSON, CSVs) for a 60-component release.

Prints time and peak memory of each step, and the ratio to a baseline measured in the same
process: WeasyPrint printing the same rows as bare, unstyled HTML tables (the unavoidable cost
of putting those cells on paper). Target: the whole package in a few seconds.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py [--feeds DIR] [--components 60]
"""

from __future__ import annotations

import argparse
import html
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.unit.report.conftest import Records, build_assessment

from soupwatch.report.fda import FdaOptions, build_context, write_package
from soupwatch.report.render import html_to_pdf, render_html


def _measure(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time, and the process's peak RSS so far (tracemalloc would slow WeasyPrint 3x)."""
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<34} {elapsed:7.2f} s   peak RSS {peak:7.1f} MiB")
    return elapsed, result


def _bare_html(ctx: dict[str, Any]) -> str:
    parts = ["<html><body>"]
    for table in ctx["tables"].values():
        parts.append("<table>")
        for row in table.rows:
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values())
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    return "".join(parts) + "</body></html>"


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=Path, default=Path("../shared/feeds"))
    parser.add_argument("--components", type=int, default=60)
    args = parser.parse_args()
    records = Records.load(args.feeds)
    a, release = build_assessment(records, max(args.components - 6, 0))
    print(f"{len(a.components)} components, {len(a.findings)} findings")
    opts = FdaOptions(datetime(2026, 11, 28, 16, 0, tzinfo=UTC), "Acme Medical", "daily")
    _, ctx = _measure("context (tables, plots)", lambda: build_context(a, release, opts, []))
    _, page = _measure("HTML render", lambda: render_html("fda.html.j2", ctx))
    pdf_time, _ = _measure("PDF print", lambda: html_to_pdf(page))
    base, _ = _measure("baseline: bare tables to PDF", lambda: html_to_pdf(_bare_html(ctx)))
    with tempfile.TemporaryDirectory() as tmp:
        total, files = _measure(
            "whole package (write_package)", lambda: write_package(a, release, Path(tmp), opts)
        )
        print(
            f"{len(files)} files; PDF/baseline {pdf_time / base:.2f}x; "
            f"package/baseline {total / base:.2f}x"
        )


if __name__ == "__main__":
    main()
