"""``soupwatch disclosure``: security.txt (RFC 9116), and the triage of vulnerability reports
(``list``, ``triage``) as the API does it (docs/disclosure.md)."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from datetime import datetime
from enum import StrEnum
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
from soupwatch.errors import ConfigError, ReportError

app = typer.Typer(
    help="Coordinated vulnerability disclosure: security.txt, report triage.",
    no_args_is_help=True,
)


class StatusChoice(StrEnum):
    """Where a report stands."""

    triaging = "triaging"
    accepted = "accepted"
    rejected = "rejected"
    fixed = "fixed"


@app.command("list")
def list_cmd(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Disclosure reports, newest first."""
    from soupwatch import disclosure

    store = open_store()
    try:
        found = disclosure.list_reports(store, None)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([asdict(r) for r in found])
        return
    rows = [
        [
            r.number,
            r.status.value,
            r.received_at.date(),
            r.product or "",
            r.vulnerability or "",
            r.title,
        ]
        for r in found
    ]
    print_table(None, ["#", "status", "received", "product", "vulnerability", "title"], rows)


@app.command("triage")
def triage_cmd(
    number: int = typer.Argument(..., help="The report's number (disclosure list)."),
    author: str = typer.Option(..., "--author", help="Who triages (audited)."),
    status: StatusChoice | None = typer.Option(None, "--status"),
    product: str | None = typer.Option(None, "--product", help="Link to this product."),
    vuln: str | None = typer.Option(None, "--vuln", help="Link to this finding of the product."),
    public_note: str | None = typer.Option(None, "--public-note", help="What the reporter sees."),
    note: str | None = typer.Option(None, "--note", help="Internal note."),
) -> None:
    """Change a report's status, links or notes (audited ``disclosure.triage``)."""
    from soupwatch import disclosure

    given = {
        "status": None if status is None else status.value,
        "product": product,
        "vulnerability": vuln,
        "public_note": public_note,
        "internal_note": note,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise ConfigError("nothing to change: give --status, --product, --vuln or a note")
    store = open_store()
    try:
        done = disclosure.triage(
            store, number, changes, visible=None, actor=author, now=current_time()
        )
    finally:
        store.close()
    line = f"#{done.number} {done.status.value} {done.product or ''} {done.vulnerability or ''}"
    console.print(line.rstrip(), markup=False, highlight=False)


@app.command("security-txt")
def security_txt_cmd(
    contacts: list[str] = typer.Option(
        None, "--contact", help="Contact URI (mailto:, https://, tel:; repeat). Default: env."
    ),
    expires: str | None = typer.Option(None, "--expires", help="ISO 8601 date-time (required)."),
    policy: str | None = typer.Option(None, "--policy", help="Disclosure policy URL."),
    encryption: str | None = typer.Option(None, "--encryption", help="OpenPGP key URL."),
    acknowledgments: str | None = typer.Option(None, "--acknowledgments", help="Thanks page URL."),
    canonical: list[str] = typer.Option(None, "--canonical", help="Where the file is served."),
    languages: str | None = typer.Option(None, "--languages", help="Preferred languages."),
    out: Path | None = typer.Option(None, "-o", "--output", help="Write here (default: stdout)."),
) -> None:
    """Write security.txt from the options (or SOUPWATCH_SECURITY_TXT_*); warns when it expires
    within 30 days."""
    from soupwatch.disclosure import SecurityTxtSettings, security_txt, security_txt_settings

    found = security_txt_settings(dict(os.environ))
    if contacts:
        if not expires:
            raise ConfigError("--expires is required (RFC 9116: Expires)", where="--expires")
        try:
            when = datetime.fromisoformat(expires)
        except ValueError as err:
            raise ConfigError(f"not an ISO 8601 date-time: {expires!r}", where="--expires") from err
        if when.tzinfo is None:
            raise ConfigError("--expires needs a time zone (…Z or +01:00)", where="--expires")
        found = SecurityTxtSettings(contacts=tuple(contacts), expires=when)
    if found is None:
        raise ConfigError(
            "give --contact and --expires (or SOUPWATCH_SECURITY_TXT_*)", where="--contact"
        )
    found = replace(
        found,
        policy=policy or found.policy,
        encryption=encryption or found.encryption,
        acknowledgments=acknowledgments or found.acknowledgments,
        canonical=tuple(canonical or ()) or found.canonical,
        preferred_languages=languages or found.preferred_languages,
    )
    made = security_txt(found, current_time())
    for w in made.warnings:
        err_console.print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)
    if out is None:
        console.file.write(made.text)
        return
    try:
        out.write_text(made.text, encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write: {err.strerror}", path=str(out)) from err


def register(root: typer.Typer) -> None:
    """Attach ``soupwatch disclosure`` to the root app."""
    root.add_typer(app, name="disclosure")
