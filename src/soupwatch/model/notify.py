"""Notification vocabulary: rules, channels, events and deliveries (docs/notifications.md).

A **rule** says which events a product (or every product) sends to which **channel**; an
**event** is derived from stored data (a watch delta, a stored assessment, an end-of-support
date) and carries a stable ``key``, so the same event is queued once per channel and never
notified twice; a **delivery** is one event on its way to one channel (the outbox row), with
its attempts and its last error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class RuleKind(StrEnum):
    """What a rule notifies about."""

    KEV_FINDING = "kev_finding"
    """A finding that is new, or newly in CISA KEV, whose vulnerability is known-exploited."""
    UNCONTROLLED_FINDING = "uncontrolled_finding"
    """A new (or newly known-exploited) finding that the stored assessment calls uncontrolled."""
    CLOCK_DUE = "clock_due"
    """An open finding's clock (FDA 30/60-day, KEV due date, assessment due) within N days."""
    END_OF_SUPPORT = "end_of_support"
    """A component whose support ends within N days."""
    UNUSUAL_ACTIVITY = "unusual_activity"
    """A new alert of the unusual-activity rules (``monitor``: a burst, an unexpected peer,
    drift, an exploitation attempt, a silent unit)."""

    @property
    def needs_days(self) -> bool:
        """True for the kinds that look N days ahead."""
        return self in (RuleKind.CLOCK_DUE, RuleKind.END_OF_SUPPORT)


class ChannelKind(StrEnum):
    """How a channel sends."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class PayloadStyle(StrEnum):
    """The body a webhook posts: soupwatch's JSON, a Slack message or a Teams MessageCard."""

    GENERIC = "generic"
    SLACK = "slack"
    TEAMS = "teams"


class EmailSecurity(StrEnum):
    """How an e-mail channel protects its SMTP connection."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"
    """Implicit TLS from the first byte (SMTPS, usually port 465)."""


@dataclass(frozen=True, slots=True)
class Channel:
    """Where notifications go. Its secret (HMAC key or SMTP password) is never part of it."""

    name: str
    kind: ChannelKind
    target: str
    """The webhook URL, or the e-mail recipients separated by commas."""
    style: PayloadStyle = PayloadStyle.GENERIC
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: EmailSecurity = EmailSecurity.NONE
    smtp_user: str | None = None
    sender: str | None = None
    has_secret: bool = False
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        """The e-mail recipients (empty for a webhook)."""
        if self.kind is not ChannelKind.EMAIL:
            return ()
        return tuple(r.strip() for r in self.target.split(",") if r.strip())


@dataclass(frozen=True, slots=True)
class Rule:
    """Events of ``kind`` on ``product`` (None: every product) go to ``channel``."""

    id: int
    kind: RuleKind
    product: str | None
    channel: str
    within_days: int | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One thing worth telling someone, derived from stored data; ``key`` is stable."""

    key: str
    kind: RuleKind
    product: str
    release: str
    title: str
    summary: str
    facts: tuple[tuple[str, str], ...] = ()
    due: date | None = None

    @property
    def digest(self) -> str:
        """SHA-256 of the key: the dedupe column (keys can be longer than an index allows)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        """The event as JSON (stored with its delivery, sent in the generic payload)."""
        return {
            "key": self.key,
            "kind": self.kind.value,
            "product": self.product,
            "release": self.release,
            "title": self.title,
            "summary": self.summary,
            "facts": [[k, v] for k, v in self.facts],
            "due": self.due.isoformat() if self.due else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """The event :meth:`as_dict` wrote."""
        return cls(
            key=str(data["key"]),
            kind=RuleKind(data["kind"]),
            product=str(data["product"]),
            release=str(data["release"]),
            title=str(data["title"]),
            summary=str(data["summary"]),
            facts=tuple((str(k), str(v)) for k, v in data.get("facts", ())),
            due=date.fromisoformat(data["due"]) if data.get("due") else None,
        )


class DeliveryState(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    """Not sent yet, or failed and waiting for its next attempt."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Gave up after the maximum number of attempts."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event on its way to one channel: a line of the delivery log."""

    id: int
    channel: str
    rule_id: int | None
    event: Event
    created_at: datetime
    attempts: int
    next_attempt: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    state: DeliveryState = field(default=DeliveryState.PENDING)
