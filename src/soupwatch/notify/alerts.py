"""Unusual-activity alerts as notification events (kind ``unusual_activity``).

``monitor/alerting.py`` calls :func:`enqueue_alerts` in the transaction that opens the
alerts, so an alert and its notifications are stored together; each alert is one event
(key ``unusual_activity|alert:<id>``), queued once per channel of every rule that covers
its product.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from soupwatch.model.alerts import Alert
from soupwatch.model.notify import Event, RuleKind
from soupwatch.store import notify_repo

if TYPE_CHECKING:
    from soupwatch.store.db import Session


def alert_event(alert: Alert) -> Event:
    """The notification event of a new alert."""
    facts = [
        ("unit", alert.unit),
        ("rule", f"{alert.rule} ({alert.kind.value})"),
        ("severity", alert.severity.value),
    ]
    if alert.component:
        facts.append(("component", f"{alert.component} {alert.component_version or ''}".strip()))
    if alert.vulnerability:
        facts.append(("vulnerability", alert.vulnerability))
    return Event(
        key=f"unusual_activity|alert:{alert.id}",
        kind=RuleKind.UNUSUAL_ACTIVITY,
        product=alert.product or "",
        release=alert.release or "",
        title=f"Alert {alert.id} ({alert.severity.value}): {alert.title}",
        summary=alert.explanation,
        facts=tuple(facts),
    )


def enqueue_alerts(session: Session, alerts: Sequence[Alert], now: datetime) -> int:
    """Queue each alert for the channels of the ``unusual_activity`` rules covering its
    product; returns the deliveries queued."""
    if not alerts:
        return 0
    rules = [r for r in notify_repo.rules(session) if r.kind is RuleKind.UNUSUAL_ACTIVITY]
    queued = 0
    for alert in alerts:
        event = alert_event(alert)
        for rule in rules:
            if rule.product is None or rule.product == alert.product:
                queued += notify_repo.enqueue(session, rule.id, rule.channel, event, now)
    return queued
