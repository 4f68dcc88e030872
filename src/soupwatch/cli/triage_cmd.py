"""``soupwatch triage kernel``: which kernel findings touch code the device's .config builds."""

from __future__ import annotations

from pathlib import Path

import typer

from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    open_store,
    print_json,
    print_table,
)
from soupwatch.triage import counts

triage_app = typer.Typer(help="Narrow findings with device facts.", no_args_is_help=True)


@triage_app.command("kernel")
def kernel_cmd(
    product: str = typer.Option(..., "--product", help="Product (device model)."),
    release: str = typer.Option(..., "--release", help="Release whose findings to triage."),
    config: Path = typer.Option(..., "--config", help="The device kernel's .config."),
    kernel_tree: Path | None = typer.Option(
        None, "--kernel-tree", help="Build the Kbuild map from this kernel tree (default: 6.1)."
    ),
    complete: bool | None = typer.Option(
        None,
        "--complete/--partial",
        help="The .config is complete (absent symbol = off); default: detected from its header.",
    ),
    apply: bool = typer.Option(False, "--apply", help="Record not_affected for not-built."),
    author: str | None = typer.Option(None, "--author", help="Default: $SOUPWATCH_USER or you."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """Per kernel finding: built, not built or unknown, with the evidence."""
    from soupwatch.cli.vex_cmd import current_user
    from soupwatch.pipeline import triage_kernel

    store = open_store()
    try:
        outcome = triage_kernel(
            store,
            product,
            release,
            config,
            now=current_time(),
            kernel_tree=kernel_tree,
            complete=complete,
            apply=apply,
            author=author or current_user(),
        )
    finally:
        store.close()
    results, kmap = outcome.results, outcome.kbuild_map
    totals = counts(results)
    if fmt is OutputFormat.json:
        print_json(
            {
                "product": product,
                "release": release,
                "config": str(config),
                "config_complete": outcome.config_complete,
                "kbuild_map": {"kernel": kmap.kernel, "source": kmap.source},
                "counts": totals,
                "recorded": outcome.recorded,
                "findings": [
                    {
                        "vulnerability": t.vuln_id,
                        "component": t.component_ref,
                        "verdict": t.verdict.value,
                        "evidence": t.evidence,
                        "existing_decision": t.existing,
                        "files": [
                            {"path": f.path, "verdict": f.verdict.value, "evidence": f.evidence}
                            for f in t.files
                        ],
                    }
                    for t in results
                ],
            }
        )
        return
    rows = [(t.vuln_id, t.verdict.value, t.existing or "", t.evidence) for t in results]
    print_table(
        f"kernel config triage: {product} {release} (Kbuild map linux {kmap.kernel})",
        ["vulnerability", "verdict", "decided", "evidence"],
        rows,
    )
    summary = ", ".join(f"{v} {n}" for v, n in totals.items())
    console.print(f"{len(results)} kernel findings: {summary}", markup=False, highlight=False)
    if apply:
        console.print(f"recorded {outcome.recorded} not_affected decisions", markup=False)
    else:
        console.print("nothing recorded (use --apply to record not-built findings)", markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch triage`` to the root app."""
    app.add_typer(triage_app, name="triage")
