"""Channels, rules and the outbox of notifications (store/notify_tables.py), as model types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soupwatch.errors import AlreadyExists, InUse, NotFoundError
from soupwatch.model.notify import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryState,
    EmailSecurity,
    Event,
    PayloadStyle,
    Rule,
    RuleKind,
)
from soupwatch.store.notify_tables import NotifyChannelRow, NotifyOutboxRow, NotifyRuleRow


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _channel(row: NotifyChannelRow) -> Channel:
    cfg = row.config or {}
    port = cfg.get("smtp_port")
    return Channel(
        name=row.name,
        kind=ChannelKind(row.kind),
        target=row.target,
        style=PayloadStyle(row.style),
        smtp_host=cfg.get("smtp_host"),
        smtp_port=int(port) if port is not None else None,
        smtp_security=EmailSecurity(cfg.get("smtp_security", EmailSecurity.NONE.value)),
        smtp_user=cfg.get("smtp_user"),
        sender=cfg.get("sender"),
        has_secret=bool(row.secret),
        created_by=row.created_by,
        created_at=_utc(row.created_at),
    )


def add_channel(session: Session, channel: Channel, secret: str | None, now: datetime) -> Channel:
    """Store a channel; AlreadyExists when the name is taken."""
    taken = select(NotifyChannelRow.id).where(NotifyChannelRow.name == channel.name)
    if session.scalar(taken) is not None:
        raise AlreadyExists(f"a notification channel named {channel.name!r} already exists")
    config: dict[str, Any] = {
        "smtp_host": channel.smtp_host,
        "smtp_port": channel.smtp_port,
        "smtp_security": channel.smtp_security.value,
        "smtp_user": channel.smtp_user,
        "sender": channel.sender,
    }
    row = NotifyChannelRow(
        name=channel.name,
        kind=channel.kind.value,
        target=channel.target,
        style=channel.style.value,
        config={k: v for k, v in config.items() if v is not None},
        secret=secret,
        created_by=channel.created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _channel(row)


def channels(session: Session) -> list[Channel]:
    """Every channel, by name (without secrets)."""
    rows = session.scalars(select(NotifyChannelRow).order_by(NotifyChannelRow.name))
    return [_channel(r) for r in rows]


def channel_secrets(
    session: Session, names: Iterable[str]
) -> dict[str, tuple[Channel, str | None]]:
    """The named channels that exist, each with its secret (for sending only)."""
    wanted = sorted(set(names))
    rows = session.scalars(select(NotifyChannelRow).where(NotifyChannelRow.name.in_(wanted)))
    return {r.name: (_channel(r), r.secret) for r in rows}


def remove_channel(session: Session, name: str) -> Channel:
    """Delete a channel; NotFoundError, or InUse while a rule sends to it."""
    row = session.scalar(select(NotifyChannelRow).where(NotifyChannelRow.name == name))
    if row is None:
        raise NotFoundError(f"no notification channel named {name!r}")
    used = session.scalar(select(func.count()).where(NotifyRuleRow.channel == name)) or 0
    if used:
        raise InUse(f"channel {name!r} is used by {used} rule(s); remove them first")
    gone = _channel(row)
    session.delete(row)
    session.flush()
    return gone


def _rule(row: NotifyRuleRow) -> Rule:
    return Rule(
        id=row.id,
        kind=RuleKind(row.kind),
        product=row.product,
        channel=row.channel,
        within_days=row.within_days,
        created_by=row.created_by,
        created_at=_utc(row.created_at) or row.created_at,
    )


def add_rule(
    session: Session,
    kind: RuleKind,
    product: str | None,
    channel: str,
    within_days: int | None,
    actor: str,
    now: datetime,
) -> Rule:
    """Store a rule; NotFoundError when its channel does not exist."""
    if session.scalar(select(NotifyChannelRow.id).where(NotifyChannelRow.name == channel)) is None:
        raise NotFoundError(f"no notification channel named {channel!r}", where="channel")
    row = NotifyRuleRow(
        kind=kind.value,
        product=product,
        channel=channel,
        within_days=within_days,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _rule(row)


def rules(session: Session) -> list[Rule]:
    """Every rule, oldest first."""
    return [_rule(r) for r in session.scalars(select(NotifyRuleRow).order_by(NotifyRuleRow.id))]


def rule(session: Session, rule_id: int) -> Rule:
    """One rule; NotFoundError when there is none with that id."""
    row = session.get(NotifyRuleRow, rule_id)
    if row is None:
        raise NotFoundError(f"no notification rule {rule_id}")
    return _rule(row)


def remove_rule(session: Session, rule_id: int) -> Rule:
    """Delete a rule (its deliveries stay in the log); NotFoundError when there is none."""
    row = session.get(NotifyRuleRow, rule_id)
    if row is None:
        raise NotFoundError(f"no notification rule {rule_id}")
    gone = _rule(row)
    session.delete(row)
    session.flush()
    return gone


def enqueue(session: Session, rule_id: int, channel: str, event: Event, now: datetime) -> bool:
    """Queue ``event`` for ``channel``; False when it was queued before (the dedupe)."""
    found = select(NotifyOutboxRow.id).where(
        NotifyOutboxRow.channel == channel, NotifyOutboxRow.dedupe == event.digest
    )
    if session.scalar(found) is not None:
        return False
    row = NotifyOutboxRow(
        channel=channel,
        dedupe=event.digest,
        rule_id=rule_id,
        kind=event.kind.value,
        product=event.product,
        event=event.as_dict(),
        created_at=now,
        attempts=0,
        next_attempt=now,
    )
    try:
        with session.begin_nested():  # another run queued it meanwhile: that one counts
            session.add(row)
    except IntegrityError:
        return False
    return True


def due(session: Session, now: datetime, limit: int) -> list[Delivery]:
    """Undelivered rows whose next attempt has come, oldest first."""
    rows = session.scalars(
        select(NotifyOutboxRow)
        .where(NotifyOutboxRow.delivered_at.is_(None), NotifyOutboxRow.next_attempt <= now)
        .order_by(NotifyOutboxRow.next_attempt, NotifyOutboxRow.id)
        .limit(limit)
    )
    return [_delivery(r) for r in rows]


def claim(session: Session, delivery_id: int, now: datetime, until: datetime) -> bool:
    """Move the next attempt of a row that is due at ``now`` to ``until`` (a lease, so that two
    deliverers never send the same row at once); False when another one took it."""
    result = session.execute(
        update(NotifyOutboxRow)
        .where(
            NotifyOutboxRow.id == delivery_id,
            NotifyOutboxRow.delivered_at.is_(None),
            NotifyOutboxRow.next_attempt <= now,
        )
        .values(next_attempt=until)
    )
    return bool(getattr(result, "rowcount", 0))


def record_attempt(
    session: Session,
    delivery_id: int,
    *,
    now: datetime,
    error: str | None,
    next_attempt: datetime | None,
) -> None:
    """Count one attempt: delivered (``error`` None), or failed with its next attempt (None:
    given up)."""
    row = session.get(NotifyOutboxRow, delivery_id)
    if row is None:
        return
    row.attempts = row.attempts + 1
    if error is None:
        row.delivered_at = now
        row.next_attempt = None
        row.last_error = None
    else:
        row.last_error = error
        row.next_attempt = next_attempt
    session.flush()


def _state(row: NotifyOutboxRow) -> DeliveryState:
    if row.delivered_at is not None:
        return DeliveryState.DELIVERED
    return DeliveryState.PENDING if row.next_attempt is not None else DeliveryState.FAILED


def _delivery(row: NotifyOutboxRow) -> Delivery:
    return Delivery(
        id=row.id,
        channel=row.channel,
        rule_id=row.rule_id,
        event=Event.from_dict(row.event),
        created_at=_utc(row.created_at) or row.created_at,
        attempts=row.attempts,
        next_attempt=_utc(row.next_attempt),
        last_error=row.last_error,
        delivered_at=_utc(row.delivered_at),
        state=_state(row),
    )


def log(
    session: Session,
    *,
    limit: int,
    products: frozenset[str] | None = None,
    state: DeliveryState | None = None,
) -> list[Delivery]:
    """The newest deliveries first; only of ``products`` when given."""
    query = select(NotifyOutboxRow)
    if products is not None:
        query = query.where(NotifyOutboxRow.product.in_(sorted(products)))
    if state is DeliveryState.DELIVERED:
        query = query.where(NotifyOutboxRow.delivered_at.is_not(None))
    elif state is DeliveryState.FAILED:
        query = query.where(
            NotifyOutboxRow.delivered_at.is_(None), NotifyOutboxRow.next_attempt.is_(None)
        )
    elif state is DeliveryState.PENDING:
        query = query.where(
            NotifyOutboxRow.delivered_at.is_(None), NotifyOutboxRow.next_attempt.is_not(None)
        )
    rows = session.scalars(query.order_by(NotifyOutboxRow.id.desc()).limit(limit))
    return [_delivery(r) for r in rows]
