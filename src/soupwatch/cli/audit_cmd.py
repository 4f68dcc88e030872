"""``soupwatch audit``: verify and export the hash-chained audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from soupwatch import pipeline
from soupwatch.cli.common import console, err_console, open_store
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import AuditError
from soupwatch.vex import audit

audit_app = typer.Typer(
    help="Verify and export the tamper-evident audit trail.", no_args_is_help=True
)


@audit_app.command("verify")
def verify_cmd() -> None:
    """Re-compute the hash chain; exit 1 naming the first broken entry."""
    store = open_store()
    try:
        result = pipeline.verify_audit(store)
    finally:
        store.close()
    if not result.ok:
        err_console.print(
            f"audit trail broken at entry {result.broken_seq}: {result.problem} ({result.detail})",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(int(ExitCode.FINDINGS))
    console.print(
        f"audit trail intact: {result.count} entries, head {result.head_hash}",
        markup=False,
        highlight=False,
    )


@audit_app.command("export")
def export_cmd(
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    jsonl: bool = typer.Option(False, "--jsonl", help="JSON lines instead of one JSON object."),
) -> None:
    """Write the whole chain for an auditor (docs/vex.md has the re-verification recipe)."""
    store = open_store()
    try:
        exported = pipeline.export_audit(store)
    finally:
        store.close()
    chain, result = exported.entries, exported.result
    if jsonl:
        text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in chain)
    else:
        text = (
            json.dumps(
                {
                    "algorithm": "sha256",
                    "genesis": audit.GENESIS_HASH,
                    "head": result.head_hash,
                    "count": len(chain),
                    "entries": chain,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise AuditError(f"cannot write: {err}", path=str(output)) from err
    note = "" if result.ok else f" (chain broken at entry {result.broken_seq})"
    console.print(f"wrote {len(chain)} entries to {output}{note}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch audit`` to the root app."""
    app.add_typer(audit_app, name="audit")
