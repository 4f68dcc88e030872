"""``soupwatch triage kernel``: which kernel findings touch code the device's .config builds."""

from __future__ import annotations

from pathlib import Path

import typer

from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    print_json,
    print_table,
)

triage_app = typer.Typer(help="Narrow findings with device facts.", no_args_is_help=True)


@triage_app.command("kernel")
def kernel_cmd(
    product: str = typer.Option(..., "--product", help="Product (device model)."),
    release: str = typer.Option(..., "--release", help="Release whose findings to triage."),
    config: Path = typer.Option(..., "--config", help="The device kernel's .config."),
    source: Path | None = typer.Option(
        None,
        "--source",
        "--kernel-tree",
        help="The device's kernel tree (directory or .tar.xz/.tar.gz) to build the Kbuild map "
        "from (default: the bundled map of the device kernel's series, or the closest).",
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
            source=source,
            complete=complete,
            apply=apply,
            author=author or current_user(),
        )
    finally:
        store.close()
    results, summary = outcome.results, outcome.summary
    if fmt is OutputFormat.json:
        print_json(
            {
                "product": product,
                "release": release,
                "config": str(config),
                "config_complete": outcome.config_complete,
                "kbuild_map": {
                    "kernel": summary.map_kernel,
                    "series": summary.map_series,
                    "source": summary.map_source,
                    "origin": summary.map_origin.value,
                },
                "device_kernel": {
                    "version": summary.device_kernel,
                    "from": summary.device_kernel_from,
                },
                "series_mismatch": summary.series_mismatch,
                "warning": summary.warning,
                "counts": dict(summary.counts),
                "unknown_not_in_map": summary.not_in_map,
                "recorded": outcome.recorded,
                "withdrawn": summary.withdrawn,
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
        if summary.warning:
            err_console.print(
                f"warning: {summary.warning}", markup=False, highlight=False, soft_wrap=True
            )
        return
    rows = [(t.vuln_id, t.verdict.value, t.existing or "", t.evidence) for t in results]
    print_table(
        f"kernel config triage: {product} {release} (Kbuild map linux {summary.map_series})",
        ["vulnerability", "verdict", "decided", "evidence"],
        rows,
    )

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    device = summary.device_kernel or "unknown (no kernel component in the SBOM, no config header)"
    say(f"judged with the {summary.judged_by}; device kernel {device}")
    if summary.warning:
        say(f"WARNING: {summary.warning}")
    totals = ", ".join(f"{v} {n}" for v, n in summary.counts.items())
    say(f"{len(results)} kernel findings: {totals} ({summary.not_in_map} unknown: not in the map)")
    if apply:
        say(f"recorded {outcome.recorded} not_affected decisions")
        if summary.withdrawn:
            say(
                f"put {summary.withdrawn} earlier kernel-triage not_affected decisions back in "
                "triage: this run does not find their code not built"
            )
    else:
        say("nothing recorded (use --apply to record not-built findings)")


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch triage`` to the root app."""
    app.add_typer(triage_app, name="triage")
