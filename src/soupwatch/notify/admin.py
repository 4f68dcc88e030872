"""Channels and rules of notifications: create, list, remove (each change audited), and the
delivery log. Callers that see only some products (team grants) pass them as ``products``: they
see and change the rules of those products only; a rule for every product, and every channel,
needs a caller who sees every product (the edges check the role).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from soupwatch.errors import ConfigError, Forbidden, NotFoundError
from soupwatch.model.notify import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryState,
    EmailSecurity,
    Rule,
    RuleKind,
)
from soupwatch.notify import signing
from soupwatch.pipeline.accounts import check_name
from soupwatch.store import inventory, notify_repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

MAX_DAYS = 3650
REASON = "notification administration"


def _check_target(spec: Channel) -> None:
    if spec.kind is ChannelKind.WEBHOOK:
        url = urlsplit(spec.target)
        if url.scheme not in ("https", "http") or not url.hostname:
            raise ConfigError(
                f"webhook URL {spec.target!r}: expected https://host/path", where="url"
            )
        return
    if not spec.recipients or any("@" not in r or " " in r for r in spec.recipients):
        raise ConfigError(f"e-mail recipients {spec.target!r}: expected a@b[,c@d]", where="to")
    if not spec.smtp_host:
        raise ConfigError("an e-mail channel needs an SMTP host", where="smtp_host")
    if spec.smtp_port is not None and not 0 < spec.smtp_port < 65536:
        raise ConfigError(f"SMTP port {spec.smtp_port} is not 1-65535", where="smtp_port")
    if spec.smtp_user is None and spec.smtp_security is EmailSecurity.NONE and spec.has_secret:
        raise ConfigError("an SMTP password needs an SMTP user", where="smtp_user")


def channel_json(c: Channel) -> dict[str, Any]:
    """A channel as listed and audited: never its secret, and a webhook as its host only (a
    Slack or Teams URL is itself a credential)."""
    target = c.target
    if c.kind is ChannelKind.WEBHOOK:
        url = urlsplit(c.target)
        target = f"{url.scheme}://{url.netloc.rpartition('@')[2]}/…"
    out: dict[str, Any] = {
        "name": c.name,
        "kind": c.kind.value,
        "target": target,
        "has_secret": c.has_secret,
        "created_by": c.created_by,
        "created_at": c.created_at.isoformat() if c.created_at else None,
    }
    if c.kind is ChannelKind.WEBHOOK:
        out["style"] = c.style.value
    else:
        out.update(
            smtp_host=c.smtp_host,
            smtp_port=c.smtp_port,
            smtp_security=c.smtp_security.value,
            smtp_user=c.smtp_user,
            sender=c.sender,
        )
    return out


def add_channel(
    store: Store, spec: Channel, secret: str | None, *, actor: str, now: datetime
) -> tuple[Channel, str | None]:
    """Store a channel, audited ``notify.channel.add``; a webhook gets a new signing secret
    unless one is given. Returns the channel and the secret to show once (webhooks only)."""
    check_name("channel", spec.name)
    if spec.kind is ChannelKind.WEBHOOK and not secret:
        secret = signing.new_secret()
    spec = replace(spec, has_secret=bool(secret), created_by=actor, created_at=now)
    _check_target(spec)
    with store.session() as session:
        made = notify_repo.add_channel(session, spec, secret, now)
        audit.append(
            session,
            actor,
            "notify.channel.add",
            f"notify-channel:{made.name}",
            None,
            channel_json(made),
            REASON,
            now,
        )
    return made, secret if made.kind is ChannelKind.WEBHOOK else None


def list_channels(store: Store) -> list[Channel]:
    """Every channel, by name (secrets are never read back)."""
    with store.session() as session:
        return notify_repo.channels(session)


def remove_channel(store: Store, name: str, *, actor: str, now: datetime) -> Channel:
    """Delete a channel no rule uses, audited ``notify.channel.remove``."""
    with store.session() as session:
        gone = notify_repo.remove_channel(session, name)
        audit.append(
            session,
            actor,
            "notify.channel.remove",
            f"notify-channel:{name}",
            channel_json(gone),
            None,
            REASON,
            now,
        )
    return gone


def rule_json(r: Rule) -> dict[str, Any]:
    """A rule as listed and audited."""
    return {
        "id": r.id,
        "kind": r.kind.value,
        "product": r.product,
        "channel": r.channel,
        "within_days": r.within_days,
        "created_by": r.created_by,
        "created_at": r.created_at.isoformat(),
    }


def _check_rule(kind: RuleKind, within_days: int | None) -> None:
    if kind.needs_days and within_days is None:
        raise ConfigError(
            f"a {kind.value} rule needs within_days (how many days ahead)", where="within_days"
        )
    if not kind.needs_days and within_days is not None:
        raise ConfigError(f"a {kind.value} rule takes no within_days", where="within_days")
    if within_days is not None and not 0 <= within_days <= MAX_DAYS:
        raise ConfigError(f"within_days {within_days} is not 0-{MAX_DAYS}", where="within_days")


def _check_scope(product: str | None, products: frozenset[str] | None) -> None:
    if products is None:
        return
    if product is None:
        raise Forbidden("a rule for every product needs a caller who sees every product")
    if product not in products:
        raise NotFoundError(f"no product named {product!r}; see `soupwatch products list`")


def add_rule(
    store: Store,
    kind: RuleKind,
    product: str | None,
    channel: str,
    within_days: int | None = None,
    *,
    actor: str,
    now: datetime,
    products: frozenset[str] | None = None,
) -> Rule:
    """Store a rule, audited ``notify.rule.add``; ``product`` None: every product."""
    _check_rule(kind, within_days)
    _check_scope(product, products)
    with store.session() as session:
        if product is not None:
            inventory.get_product(session, product)
        made = notify_repo.add_rule(session, kind, product, channel, within_days, actor, now)
        audit.append(
            session,
            actor,
            "notify.rule.add",
            f"notify-rule:{made.id}",
            None,
            rule_json(made),
            REASON,
            now,
        )
    return made


def list_rules(store: Store, products: frozenset[str] | None = None) -> list[Rule]:
    """The rules of ``products`` and those for every product (every rule when None)."""
    with store.session() as session:
        found = notify_repo.rules(session)
    return [r for r in found if products is None or r.product is None or r.product in products]


def remove_rule(
    store: Store,
    rule_id: int,
    *,
    actor: str,
    now: datetime,
    products: frozenset[str] | None = None,
) -> Rule:
    """Delete a rule, audited ``notify.rule.remove`` (its deliveries stay in the log)."""
    with store.session() as session:
        found = notify_repo.rule(session, rule_id)
        if products is not None and found.product is not None and found.product not in products:
            raise NotFoundError(f"no notification rule {rule_id}")
        _check_scope(found.product, products)
        gone = notify_repo.remove_rule(session, rule_id)
        audit.append(
            session,
            actor,
            "notify.rule.remove",
            f"notify-rule:{rule_id}",
            rule_json(gone),
            None,
            REASON,
            now,
        )
    return gone


def delivery_json(d: Delivery) -> dict[str, Any]:
    """A line of the delivery log."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": d.id,
        "state": d.state.value,
        "channel": d.channel,
        "rule": d.rule_id,
        "event": d.event.as_dict(),
        "created_at": iso(d.created_at),
        "attempts": d.attempts,
        "next_attempt": iso(d.next_attempt),
        "last_error": d.last_error,
        "delivered_at": iso(d.delivered_at),
    }


def delivery_log(
    store: Store,
    *,
    limit: int = 100,
    products: frozenset[str] | None = None,
    state: DeliveryState | None = None,
) -> list[Delivery]:
    """The newest deliveries first (of ``products`` only, when given)."""
    if not 0 < limit <= 1000:
        raise ConfigError(f"limit {limit} is not 1-1000", where="limit")
    with store.session() as session:
        return notify_repo.log(session, limit=limit, products=products, state=state)
