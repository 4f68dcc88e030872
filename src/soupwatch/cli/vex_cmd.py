"""``soupwatch vex``: record, list, import and export VEX decisions (audited)."""

from __future__ import annotations

import getpass
import json
import os
from datetime import date, datetime
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
from soupwatch.errors import ConfigError, StoreError, VexError
from soupwatch.model import Component
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.vex.decisions import list_decisions, set_decision
from soupwatch.vex.document import ImportTarget
from soupwatch.vex.exchange import WRITERS, export_release, import_file
from soupwatch.vex.statements import to_json
from soupwatch.watch import known_to_feeds

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
        from soupwatch.vex.document import purl_identity

        try:
            name, version = purl_identity(spec)
        except ValueError as err:
            raise VexError(f"invalid purl: {err}", where="--component") from err
        return name, version, spec
    name, _, version = spec.partition("@")
    if not name:
        raise VexError("give the component as NAME[@VERSION] or a purl", where="--component")
    return name, version or None, None


def _expiry(value: str | None, now: datetime) -> date | None:
    if not value:
        return None
    try:
        expires = date.fromisoformat(value)
    except ValueError as err:
        raise VexError(f"not a date (YYYY-MM-DD): {value!r}", where="--expires") from err
    if expires <= now.date():
        raise VexError(f"the expiry date {value} is not in the future", where="--expires")
    return expires


def _warn(message: str) -> None:
    err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


def _component_warning(s: VexStatement, components: list[Component], where: str) -> str | None:
    """Why ``s``'s component is not among ``components`` (None when it is)."""
    name = (s.component_name or "").lower()
    same = [c for c in components if c.name.lower() == name]
    label = f"{s.component_name}@{s.component_version}" if s.component_version else name
    if not same:
        return f"no component {s.component_name!r} in {where}"
    if s.component_version and all(c.version != s.component_version for c in same):
        shipped = ", ".join(sorted({c.version or "?" for c in same}))
        return f"{where} ships {s.component_name} {shipped}, not {label}"
    return None


def target_warnings(store: Store, s: VexStatement) -> list[str]:
    """What ``vex set`` records for that the store does not know (recorded anyway: a team may
    triage ahead of an import or a feed sync)."""
    out: list[str] = []
    try:
        known = known_to_feeds(store, s.vulnerability)
    except ConfigError:
        known = False
    if not known:
        out.append(
            f"{s.vulnerability} is unknown to the synced feeds (mistyped, or not synced yet: "
            "soupwatch db update)"
        )
    product = s.product or ""
    with store.session() as session:
        try:
            versions = inventory.list_releases(session, product)
        except StoreError:
            return [*out, f"no product named {product!r} in the store (soupwatch products list)"]
        if s.release and s.release not in versions:
            return [*out, f"product {product!r} has no release {s.release!r}"]
        if not s.component_name:
            return out
        wanted = [s.release] if s.release else versions
        components = [
            c for v in wanted for c in inventory.get_release(session, product, v).components
        ]
    where = f"{product} {s.release}" if s.release else f"any release of {product}"
    problem = _component_warning(s, components, where)
    return [*out, problem] if problem else out


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
) -> None:
    """Record a triage decision; the change is appended to the audit trail."""
    now = _now()
    if state is VexState.NOT_AFFECTED and justification is None:
        raise VexError("not_affected needs --justification", where="--justification")
    if scope is VexScope.RELEASE and not release:
        raise VexError("--scope release needs --release", where="--release")
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
        expires=_expiry(expires, now),
        aliases=tuple(alias),
    )
    store = open_store()
    try:
        for warning in target_warnings(store, statement):
            _warn(f"{warning}; recorded anyway")
        with store.session() as session:
            saved = set_decision(
                session, statement, actor=who, reason=reason or f"vex set {state.value}", now=now
            )
    finally:
        store.close()
    console.print(
        f"recorded decision {saved.id}: {saved.vulnerability} {saved.state.value} "
        f"({saved.scope.value} scope)",
        markup=False,
        highlight=False,
    )


@vex_app.command("list")
def list_cmd(
    product: str | None = typer.Option(None, "--product"),
    release: str | None = typer.Option(None, "--release"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """List decisions (those that can reach a product/release when given)."""
    store = open_store()
    try:
        with store.session() as session:
            if product is not None:
                inventory.get_product(session, product)  # "no product named …", exit 2
            items = list_decisions(session, product=product, release=release)
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
        with store.session() as session:
            report = import_file(
                session,
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
    if fmt not in WRITERS:
        raise VexError(
            f"unknown format {fmt!r}; choose from {', '.join(sorted(WRITERS))}", where="--format"
        )
    store = open_store()
    try:
        with store.session() as session:
            if release not in inventory.list_releases(session, product):  # no product: exit 2
                _warn(f"product {product!r} has no release {release!r}; exporting what reaches it")
            doc = export_release(
                session, product, release, fmt, author=author or current_user(), now=_now()
            )
    finally:
        store.close()
    try:
        output.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise VexError(f"cannot write: {err}", path=str(output)) from err
    console.print(f"wrote {output} ({fmt})", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch vex`` to the root app."""
    app.add_typer(vex_app, name="vex")
