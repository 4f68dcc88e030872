"""``soupwatch vex pending|approve|reject|comment|comments``: the four-eyes review of decisions.

The acting user is ``$SOUPWATCH_USER`` (else the OS user); approving and rejecting need a
soupwatch user whose role may sign off (``soupwatch admin create-user --role
regulatory_reviewer``) who did not author the decision. Rules: ``pipeline/approvals.py``.
"""

from __future__ import annotations

import typer

from soupwatch.cli.common import OutputFormat, console, open_store, print_json, print_table
from soupwatch.cli.vex_cmd import _now, current_user, vex_app
from soupwatch.model.shapes import comment_json, decision_json
from soupwatch.model.vex import VexStatement
from soupwatch.pipeline import (
    approve_decision,
    comment_decision,
    decision_comments,
    pending_approvals,
    reject_decision,
)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _verdict(s: VexStatement) -> str:
    state = s.approval.text() if s.approval else "not yet approved"
    return f"decision {s.id} version {s.version} ({s.vulnerability}): {state}"


@vex_app.command("pending")
def pending_cmd(
    product: str | None = typer.Option(None, "--product", help="Only this product's."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """List the decisions awaiting approval (no verdict on their current version)."""
    store = open_store()
    try:
        waiting = pending_approvals(
            store, products=frozenset({product}) if product is not None else None
        )
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([decision_json(s) for s in waiting])
        return
    rows = [
        (
            s.id,
            s.version,
            s.vulnerability,
            f"{s.component_name or '*'} {s.component_version or ''}",
            s.state.value,
            f"{s.scope.value}:{s.product or ''}{'/' + s.release if s.release else ''}",
            s.author,
        )
        for s in waiting
    ]
    print_table(
        "VEX decisions awaiting approval",
        ["id", "version", "vulnerability", "component", "state", "scope", "author"],
        rows,
    )


@vex_app.command("approve")
def approve_cmd(
    decision: int = typer.Argument(..., help="The decision's id (vex list, vex pending)."),
    version: int = typer.Option(..., "--version", min=1, help="The version you read."),
    reason: str = typer.Option("approved", "--reason", help="Why (audit trail)."),
) -> None:
    """Approve one version of a decision (four eyes: not its author); exit 3 if it changed."""
    store = open_store()
    try:
        done = approve_decision(
            store, decision, version=version, actor=current_user(), now=_now(), reason=reason
        )
    finally:
        store.close()
    _say(_verdict(done))


@vex_app.command("reject")
def reject_cmd(
    decision: int = typer.Argument(..., help="The decision's id (vex list, vex pending)."),
    version: int = typer.Option(..., "--version", min=1, help="The version you read."),
    reason: str = typer.Option(..., "--reason", help="Why (audit trail)."),
) -> None:
    """Reject one version of a decision, saying why (four eyes); exit 3 if it changed."""
    store = open_store()
    try:
        done = reject_decision(
            store, decision, version=version, actor=current_user(), reason=reason, now=_now()
        )
    finally:
        store.close()
    _say(_verdict(done))


@vex_app.command("comment")
def comment_cmd(
    decision: int = typer.Argument(..., help="The decision's id."),
    text: str = typer.Argument(..., help="The comment."),
) -> None:
    """Comment on a decision (its current version); audited."""
    store = open_store()
    try:
        made = comment_decision(store, decision, text, actor=current_user(), now=_now())
    finally:
        store.close()
    _say(f"comment {made.id} on decision {decision} version {made.decision_version}")


@vex_app.command("comments")
def comments_cmd(
    decision: int = typer.Argument(..., help="The decision's id."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
) -> None:
    """List the comments on a decision, oldest first."""
    store = open_store()
    try:
        found = decision_comments(store, decision)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([comment_json(c) for c in found])
        return
    rows = [(c.id, c.decision_version, c.at.isoformat(), c.author, c.text) for c in found]
    print_table(f"Comments on decision {decision}", ["id", "version", "at", "author", "text"], rows)
