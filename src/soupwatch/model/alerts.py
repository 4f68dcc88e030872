"""Unusual-activity rules and the alerts they raise: the one definition of both.

See docs/monitoring.md, "Unusual-activity rules".

A **rule set** is a YAML file of rules, stored as a numbered version (each load that changes
it is a new version, audited with its actor); the newest version is the one in force. A
**rule** is one of :class:`AlertKind`; ``monitor/rules.py`` reads the YAML into these types
and evaluates them (pure), ``monitor/alerting.py`` runs them when events are recorded and on
a schedule (``silent``).

An **alert** links the unit, the rule, and where it applies the component and the finding
(vulnerability) it is about, with the evidence (the events and an explanation). There is at
most one open alert per (rule, unit, subject): a repeat adds to its count and evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

ALERT_SHAPE = "soupwatch-alert/1"
"""The ``schema`` of :func:`alert_json` (stable: incidents and the API read it)."""


class AlertKind(StrEnum):
    """What a rule watches for."""

    RATE = "rate"
    """At least ``threshold`` events of ``event`` from one unit within ``window``."""
    PEER = "peer"
    """A connection to a peer not on the interface's allow-list (rule file or device profile)."""
    DRIFT = "drift"
    """A unit reports a component version its release's SBOM does not list (fleet's drift)."""
    EXPLOIT = "exploit"
    """An event kind that signals an exploitation attempt of ``vulnerability`` in
    ``component``; raised when the unit's release has that finding."""
    SILENT = "silent"
    """No event from a unit for ``after``."""


class Severity(StrEnum):
    """How urgent an alert is (the rule says)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class AlertStatus(StrEnum):
    """An alert's life: open → acknowledged → closed (closing frees its dedupe key)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


DEFAULT_EVENT: Mapping[AlertKind, str] = {
    AlertKind.PEER: "connection",
    AlertKind.DRIFT: "software",
}
"""The event kind a rule reads when it names none (``model.telemetry.KnownKind``)."""


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule of a rule set (the fields its kind does not use stay at their defaults)."""

    name: str
    kind: AlertKind
    severity: Severity = Severity.MEDIUM
    product: str | None = None
    """Only units of this product (None: every unit)."""
    event: str | None = None
    """The event kind it reads (rate, exploit; peer and drift default per ``DEFAULT_EVENT``)."""
    threshold: int = 0
    window: timedelta | None = None
    allow: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Peer rules: per interface, the peers allowed (``*``: an allow-list for every interface)."""
    use_profile: bool = True
    """Peer rules: also allow the peers the product's device profile lists per interface."""
    vulnerability: str | None = None
    component: str | None = None
    after: timedelta | None = None

    @property
    def reads(self) -> str | None:
        """The event kind the rule evaluates (None: silent, which reads none)."""
        return self.event or DEFAULT_EVENT.get(self.kind)

    def applies(self, product: str | None) -> bool:
        """Whether the rule covers a unit of ``product`` (None: a unit the fleet does not know)."""
        return self.product is None or self.product == product


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A stored version of the rules."""

    version: int
    rules: tuple[AlertRule, ...]
    digest: str
    """SHA-256 of the YAML text (loading the same text again is no new version)."""
    loaded_by: str
    loaded_at: datetime
    text: str = ""


def rules_digest(text: str) -> str:
    """The digest a rule set's text is stored under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """What the evaluator found for one rule, one unit and one subject (before dedupe)."""

    rule: AlertRule
    unit: str
    subject: str
    """What it is about, within the rule and unit: the event kind, ``interface|peer``,
    a component, ``vulnerability|component`` or ``silent``."""
    title: str
    explanation: str
    at: datetime
    """When it happened (the last event's time; for silent, the evaluation time)."""
    events: tuple[str, ...] = ()
    """Keys of the events that are its evidence (at most a few)."""
    component: str | None = None
    component_version: str | None = None
    vulnerability: str | None = None
    finding_id: int | None = None

    @property
    def open_key(self) -> str:
        """The dedupe key: one open alert per (rule, unit, subject)."""
        raw = f"{self.rule.name}\x00{self.unit}\x00{self.subject}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert."""

    id: int
    rule: str
    kind: AlertKind
    severity: Severity
    rule_set: int
    unit: str
    product: str | None
    release: str | None
    subject: str
    title: str
    explanation: str
    status: AlertStatus
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    raised_at: datetime
    events: tuple[str, ...] = ()
    component: str | None = None
    component_version: str | None = None
    vulnerability: str | None = None
    finding_id: int | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def alert_json(alert: Alert) -> dict[str, Any]:
    """The alert's stable JSON shape (``soupwatch-alert/1``): API, CLI, incidents."""
    return {
        "schema": ALERT_SHAPE,
        "id": alert.id,
        "status": alert.status.value,
        "severity": alert.severity.value,
        "title": alert.title,
        "explanation": alert.explanation,
        "rule": {"name": alert.rule, "kind": alert.kind.value, "rule_set": alert.rule_set},
        "unit": {"serial": alert.unit, "product": alert.product, "release": alert.release},
        "subject": alert.subject,
        "component": None
        if alert.component is None
        else {"name": alert.component, "version": alert.component_version},
        "finding": None
        if alert.vulnerability is None
        else {"id": alert.finding_id, "vulnerability": alert.vulnerability},
        "occurrences": alert.occurrences,
        "first_seen": _iso(alert.first_seen),
        "last_seen": _iso(alert.last_seen),
        "raised_at": _iso(alert.raised_at),
        "events": list(alert.events),
        "acknowledged": None
        if alert.acknowledged_at is None
        else {"by": alert.acknowledged_by, "at": _iso(alert.acknowledged_at)},
        "closed": None
        if alert.closed_at is None
        else {"by": alert.closed_by, "at": _iso(alert.closed_at), "reason": alert.close_reason},
    }
