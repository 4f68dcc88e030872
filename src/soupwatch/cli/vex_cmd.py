"""``soupwatch vex``: record, list, import and export VEX decisions (audited)."""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime
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
from soupwatch.errors import VexError
from soupwatch.model.shapes import decision_json as to_json
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.pipeline import (
    DecisionInput,
    export_vex,
    import_vex,
    list_decisions,
    record_decision,
    record_decisions,
)
from soupwatch.vex import ImportTarget, parse_expiry, read_lines, refuse

vex_app = typer.Typer(
    help="Record, list, import and export VEX triage decisions.", no_args_is_help=True
)


def current_user() -> str:
    """Who is acting: ``$SOUPWATCH_USER``, else the OS user."""
    return os.environ.get("SOUPWATCH_USER") or getpass.getuser()


def _now() -> datetime:
    return current_time()


def _component(spec: str | None) -> tuple[str | None, str | None, str | None]:
    if not spec:
        return None, None, None
    if spec.startswith("pkg:"):
        from soupwatch.vex import purl_identity

        try:
            name, version = purl_identity(spec)
        except ValueError as err:
            raise refuse("component", f"invalid purl: {err}") from err
        return name, version, spec
    name, _, version = spec.partition("@")
    if not name:
        raise refuse("component", "give the component as NAME[@VERSION] or a purl")
    return name, version or None, None


def _warn(message: str) -> None:
    err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


@vex_app.command("set")
def set_cmd(
    product: str = typer.Option(..., "--product", help="Product (device model)."),
    vulnerability: str = typer.Option(..., "--vulnerability", help="CVE-… or another id."),
    state: VexState = typer.Option(..., "--state", help="CycloneDX analysis state."),
    release: str | None = typer.Option(
        None, "--release", help="Release (needed for release scope)."
    ),
    component: str | None = typer.Option(None, "--component", help="NAME[@VERSION] or a purl."),
    justification: VexJustification | None = typer.Option(None, "--justification"),
    detail: str | None = typer.Option(None, "--detail", help="Why, in words."),
    response: list[VexResponse] = typer.Option([], "--response", help="Repeatable."),
    scope: VexScope = typer.Option(VexScope.PRODUCT, "--scope"),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD, in the future."),
    alias: list[str] = typer.Option([], "--alias", help="Other ids of the vulnerability."),
    author: str | None = typer.Option(None, "--author", help="Default: $SOUPWATCH_USER or you."),
    reason: str = typer.Option("", "--reason", help="Why the decision changes (audit log)."),
    expected_version: int | None = typer.Option(
        None,
        "--expected-version",
        min=0,
        help="The version of the decision you read (0: none); exit 3 if another was recorded.",
    ),
) -> None:
    """Record a triage decision; the change is appended to the audit trail."""
    now = _now()
    name, version, purl = _component(component)
    who = author or current_user()
    statement = VexStatement(
        vulnerability=vulnerability,
        state=state,
        scope=scope,
        product=product,
        release=release,
        component_name=name,
        component_version=version,
        component_purl=purl,
        justification=justification,
        responses=tuple(response),
        detail=detail,
        author=who,
        expires=parse_expiry(expires),
        aliases=tuple(alias),
    )
    store = open_store()
    try:
        recorded = record_decision(
            store,
            statement,
            actor=who,
            reason=reason or f"vex set {state.value}",
            now=now,
            expected_version=expected_version,
        )
    finally:
        store.close()
    for warning in recorded.warnings:
        _warn(f"{warning}; recorded anyway")
    saved = recorded.statement
    console.print(
        f"recorded decision {saved.id} version {saved.version}: {saved.vulnerability} "
        f"{saved.state.value} ({saved.scope.value} scope)",
        markup=False,
        highlight=False,
    )


@vex_app.command("apply")
def apply_cmd(
    file: Path = typer.Argument(..., help="JSON Lines: one decision per line (docs/vex.md)."),
    reason: str | None = typer.Option(None, "--reason", help="For lines without a reason."),
) -> None:
    """Record many decisions from a file in one transaction (all or none), each audited."""
    who = current_user()
    lines = read_lines(file, default_author=who)
    items = [
        DecisionInput(
            line.statement,
            line.reason or reason or f"vex apply {file.name}",
            line.expected_version,
            path=str(file),
            where=f"line {line.line}",
        )
        for line in lines
    ]
    store = open_store()
    try:
        recorded = record_decisions(store, items, actor=who, now=_now())
    finally:
        store.close()
    for line, done in zip(lines, recorded, strict=True):
        for warning in done.warnings:
            _warn(f"{file} (line {line.line}): {warning}; recorded anyway")
    console.print(f"recorded {len(recorded)} decisions from {file}", markup=False, highlight=False)


@vex_app.command("list")
def list_cmd(
    product: str | None = typer.Option(None, "--product"),
    release: str | None = typer.Option(None, "--release"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """List decisions (those that can reach a product/release when given)."""
    store = open_store()
    try:
        items = list_decisions(store, product=product, release=release)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([to_json(s) for s in items])
        return
    rows = [
        (
            s.id,
            s.vulnerability,
            f"{s.component_name or '*'} {s.component_version or ''}",
            s.state.value,
            s.justification.value if s.justification else "",
            f"{s.scope.value}:{s.product or ''}{'/' + s.release if s.release else ''}",
            s.expires,
            s.author,
            s.approval.text() if s.approval else "",
        )
        for s in items
    ]
    print_table(
        "VEX decisions",
        [
            "id",
            "vulnerability",
            "component",
            "state",
            "justification",
            "scope",
            "expires",
            "author",
            "approval",
        ],
        rows,
    )


@vex_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="CycloneDX, OpenVEX or CSAF VEX JSON."),
    product: str | None = typer.Option(None, "--product"),
    release: str | None = typer.Option(None, "--release"),
    reason: str | None = typer.Option(None, "--reason"),
) -> None:
    """Import a VEX document (format detected from its content) as audited decisions."""
    who = current_user()
    store = open_store()
    try:
        report = import_vex(
            store,
            file,
            ImportTarget(product, release),
            actor=who,
            reason=reason or f"imported from {file.name}",
            now=_now(),
        )
    finally:
        store.close()
    for w in report.warnings:
        _warn(f"{file}: {w}")
    if not report.stored:
        _warn(f"no VEX statements in {file}")
    console.print(
        f"imported {len(report.stored)} statements from {file} ({report.format})",
        markup=False,
        highlight=False,
    )


@vex_app.command("export")
def export_cmd(
    product: str = typer.Option(..., "--product"),
    release: str = typer.Option(..., "--release"),
    fmt: str = typer.Option(..., "--format", help="cyclonedx, openvex or csaf."),
    output: Path = typer.Option(..., "-o", "--output"),
    author: str | None = typer.Option(None, "--author"),
) -> None:
    """Export the decisions that reach a release as a VEX document."""
    store = open_store()
    try:
        exported = export_vex(
            store, product, release, fmt, author=author or current_user(), now=_now()
        )
    finally:
        store.close()
    for warning in exported.warnings:
        _warn(warning)
    doc = exported.document
    try:
        output.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise VexError(f"cannot write: {err}", path=str(output)) from err
    console.print(f"wrote {output} ({fmt})", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch vex`` (with its review commands) to the root app."""
    from soupwatch.cli import review_cmd  # noqa: F401  (adds pending, approve, reject, comment)

    app.add_typer(vex_app, name="vex")
