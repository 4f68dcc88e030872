"""``soupwatch disclosure security-txt``: the RFC 9116 file (docs/disclosure.md)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import typer

from soupwatch.cli.common import console, current_time, err_console
from soupwatch.errors import ConfigError, ReportError

app = typer.Typer(help="Coordinated vulnerability disclosure: security.txt.", no_args_is_help=True)


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
