"""``soupwatch notify``: channels (e-mail, webhooks), rules, delivery and the delivery log.

Every change is audited with the local operator (``$SOUPWATCH_USER`` or the OS user) as
``cli:<name>``; see docs/notifications.md.
"""

from __future__ import annotations

import os
import sys

import typer

from soupwatch import notify
from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    operator,
    print_json,
    print_table,
)
from soupwatch.errors import ConfigError
from soupwatch.model.notify import (
    Channel,
    ChannelKind,
    DeliveryState,
    EmailSecurity,
    PayloadStyle,
    RuleKind,
)

notify_app = typer.Typer(
    help="Notification channels, rules, delivery and the delivery log.", no_args_is_help=True
)
channel_app = typer.Typer(help="E-mail and webhook channels.", no_args_is_help=True)
rule_app = typer.Typer(help="Which events go to which channel.", no_args_is_help=True)
notify_app.add_typer(channel_app, name="channel")
notify_app.add_typer(rule_app, name="rule")


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@channel_app.command("add")
def channel_add(
    name: str = typer.Argument(..., help="Channel name: letters, digits, _ . @ - (64 at most)."),
    webhook: str | None = typer.Option(None, "--webhook", help="Webhook URL (https://…)."),
    style: PayloadStyle = typer.Option(
        PayloadStyle.GENERIC, "--style", help="Webhook body: generic JSON, slack or teams."
    ),
    email: str | None = typer.Option(None, "--email", help="Recipients: a@b[,c@d]."),
    smtp_host: str | None = typer.Option(None, "--smtp-host", help="SMTP server."),
    smtp_port: int | None = typer.Option(None, "--smtp-port", help="SMTP port (25/587/465)."),
    security: EmailSecurity = typer.Option(
        EmailSecurity.NONE, "--smtp-security", help="none, starttls or tls (implicit)."
    ),
    smtp_user: str | None = typer.Option(None, "--smtp-user", help="SMTP login user."),
    password_env: str | None = typer.Option(
        None, "--smtp-password-env", help="Environment variable holding the SMTP password."
    ),
    sender: str | None = typer.Option(None, "--from", help="From address of the e-mails."),
) -> None:
    """Add a channel; a webhook's signing secret is printed once (store it at the receiver)."""
    if (webhook is None) == (email is None):
        raise ConfigError("give exactly one of --webhook URL and --email RECIPIENTS")
    secret = None
    if password_env:
        secret = os.environ.get(password_env)
        if not secret:
            raise ConfigError(f"environment variable {password_env} is empty or unset")
    if webhook is not None:
        spec = Channel(name, ChannelKind.WEBHOOK, webhook, style=style)
    else:
        spec = Channel(
            name,
            ChannelKind.EMAIL,
            email or "",
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            smtp_security=security,
            smtp_user=smtp_user,
            sender=sender,
            has_secret=bool(secret),
        )
    store = open_store()
    try:
        made, shown = notify.admin.add_channel(
            store, spec, secret, actor=operator(), now=current_time()
        )
    finally:
        store.close()
    if shown:
        sys.stdout.write(shown + "\n")
        err_console.print(
            f"channel {made.name}: signing secret shown once; store it at the receiver",
            markup=False,
            highlight=False,
        )
    else:
        _say(f"channel {made.name} added")


@channel_app.command("list")
def channel_list(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """List the channels (never their secrets)."""
    store = open_store()
    try:
        found = [notify.admin.channel_json(c) for c in notify.admin.list_channels(store)]
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json(found)
        return
    print_table(
        "Notification channels",
        ["name", "kind", "target", "style / SMTP", "created by"],
        [
            [
                c["name"],
                c["kind"],
                c["target"],
                c.get("style") or f"{c['smtp_host']}:{c['smtp_port'] or ''} {c['smtp_security']}",
                c["created_by"],
            ]
            for c in found
        ],
    )


@channel_app.command("remove")
def channel_remove(name: str = typer.Argument(..., help="The channel's name.")) -> None:
    """Remove a channel that no rule uses."""
    store = open_store()
    try:
        notify.admin.remove_channel(store, name, actor=operator(), now=current_time())
    finally:
        store.close()
    _say(f"channel {name} removed")


@rule_app.command("add")
def rule_add(
    kind: RuleKind = typer.Argument(..., help="What to notify about."),
    channel: str = typer.Option(..., "--channel", help="The channel to send to."),
    product: str | None = typer.Option(None, "--product", help="Only this product (else all)."),
    within_days: int | None = typer.Option(
        None, "--within-days", help="clock_due / end_of_support: how many days ahead."
    ),
) -> None:
    """Add a rule: KIND events of a product (or of every product) go to a channel."""
    store = open_store()
    try:
        made = notify.admin.add_rule(
            store, kind, product, channel, within_days, actor=operator(), now=current_time()
        )
    finally:
        store.close()
    _say(f"rule {made.id} added: {made.kind.value} on {made.product or 'every product'}")


@rule_app.command("list")
def rule_list(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """List the rules."""
    store = open_store()
    try:
        found = [notify.admin.rule_json(r) for r in notify.admin.list_rules(store)]
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json(found)
        return
    print_table(
        "Notification rules",
        ["id", "kind", "product", "channel", "within days", "created by"],
        [
            [
                r["id"],
                r["kind"],
                r["product"] or "(all)",
                r["channel"],
                r["within_days"],
                r["created_by"],
            ]
            for r in found
        ],
    )


@rule_app.command("remove")
def rule_remove(rule_id: int = typer.Argument(..., help="The rule's id.")) -> None:
    """Remove a rule (its deliveries stay in the log)."""
    store = open_store()
    try:
        notify.admin.remove_rule(store, rule_id, actor=operator(), now=current_time())
    finally:
        store.close()
    _say(f"rule {rule_id} removed")


@notify_app.command("run")
def run() -> None:
    """Queue the clock and end-of-support events that are due, then deliver what is pending
    (what a scheduled job runs; `soupwatch watch` also queues the new-finding events)."""
    store = open_store()
    try:
        now = current_time()
        queued = notify.notify_events(store, (), now=now)
        sent = notify.deliver_pending(store, now)
    finally:
        store.close()
    report_delivery(queued, sent)


def report_delivery(queued: notify.QueueOutcome, sent: notify.DeliveryOutcome) -> None:
    """On stderr (stdout may be JSON): one line per failed attempt, then a summary line."""
    for delivery_id, channel, message in sent.errors:
        err_console.print(
            f"warning: delivery {delivery_id} to {channel} failed: {message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    err_console.print(
        f"notifications: {queued.queued} queued, {sent.delivered} delivered, "
        f"{sent.retrying} to retry, {sent.gave_up} given up",
        markup=False,
        highlight=False,
    )


@notify_app.command("log")
def log(
    limit: int = typer.Option(50, "--limit", help="How many, newest first (1-1000)."),
    state: DeliveryState | None = typer.Option(None, "--state", help="Only this state."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """The delivery log: every queued notification, its attempts and its last error."""
    store = open_store()
    try:
        found = notify.admin.delivery_log(store, limit=limit, state=state)
    finally:
        store.close()
    if fmt is OutputFormat.json:
        print_json([notify.admin.delivery_json(d) for d in found])
        return
    print_table(
        "Delivery log",
        ["id", "state", "channel", "event", "attempts", "when", "last error"],
        [
            [
                d.id,
                d.state.value,
                d.channel,
                d.event.title,
                d.attempts,
                (d.delivered_at or d.next_attempt or d.created_at).isoformat(timespec="minutes"),
                d.last_error,
            ]
            for d in found
        ],
    )


def register(app: typer.Typer) -> None:
    """Attach ``notify`` to the root app."""
    app.add_typer(notify_app, name="notify")
