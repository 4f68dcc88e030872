"""``soupwatch advisory``: a CSAF 2.0 security advisory for customers about one vulnerability;
``advisory publish`` / ``export-provider`` / ``fetch``: the CSAF provider (docs/advisories.md)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from soupwatch.cli.common import console, current_time, open_store
from soupwatch.errors import ReportError


class TrackingStatus(StrEnum):
    """CSAF ``document.tracking.status``."""

    draft = "draft"
    interim = "interim"
    final = "final"


def _previous(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReportError(
            f"cannot read the previous advisory: {err.strerror}", path=str(path)
        ) from err
    except json.JSONDecodeError as err:
        raise ReportError(
            f"not JSON: {err.msg}", path=str(path), where=f"line {err.lineno}, column {err.colno}"
        ) from err
    if not isinstance(value, dict):
        raise ReportError("not a CSAF document (the top level is not an object)", path=str(path))
    return value


def advisory(
    ctx: typer.Context,
    product: str | None = typer.Option(None, "--product", help="Product (device model) name."),
    vuln: str | None = typer.Option(None, "--vuln", help="Vulnerability id (CVE-…, GHSA-…)."),
    out: Path | None = typer.Option(None, "-o", "--output", help="Output CSAF JSON file."),
    releases: list[str] | None = typer.Option(
        None, "--release", help="Releases to cover (repeat; default: every release, oldest first)."
    ),
    profile: Path | None = typer.Option(None, "--profile", help="Device profile YAML."),
    publisher: str | None = typer.Option(
        None, "--publisher", help="Publisher name (default: the product's manufacturer)."
    ),
    namespace: str | None = typer.Option(None, "--namespace", help="Publisher namespace URL."),
    tracking_id: str | None = typer.Option(None, "--tracking-id", help="Advisory id."),
    status: TrackingStatus = typer.Option(TrackingStatus.final, "--status"),
    previous: Path | None = typer.Option(
        None,
        "--previous",
        help="The previous version of this advisory: its revision history is continued.",
    ),
    summary: str = typer.Option("Initial version.", "--summary", help="Revision summary."),
) -> None:
    """Write a CSAF 2.0 security advisory (csaf_security_advisory) about one vulnerability.

    Subcommands publish advisories as a CSAF provider.
    """
    if ctx.invoked_subcommand is not None:
        return
    if product is None or vuln is None or out is None:
        raise typer.BadParameter(
            "--product, --vuln and -o are required (or a subcommand: publish, "
            "export-provider, fetch)"
        )
    from soupwatch import pipeline
    from soupwatch.report import AdvisoryMeta
    from soupwatch.risk import load_profile

    now = current_time()
    device = load_profile(profile) if profile else None
    meta = AdvisoryMeta(
        now, publisher or "", namespace or "", tracking_id, status.value, summary,
        _previous(previous),
    )  # fmt: skip
    store = open_store()
    try:
        try:
            doc = pipeline.csaf_advisory(
                store, product, vuln, meta, releases=releases or None, profile=device
            )
        except ReportError as err:
            err.path = err.path or (str(out) if err.where else None)
            raise
    finally:
        store.close()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write: {err.strerror}", path=str(out)) from err
    console.print(str(out), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch advisory`` (and its provider subcommands) to the root app."""
    from soupwatch.cli import provider_cmd

    group = typer.Typer(no_args_is_help=False)
    group.callback(invoke_without_command=True)(advisory)
    provider_cmd.register(group)
    app.add_typer(group, name="advisory")
