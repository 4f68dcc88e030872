"""Stored unusual-activity alerts: read them, acknowledge and close them (audited).

The rules that raise alerts run in ``monitor/alerting.py`` when events are recorded (and on a
schedule for silent units); this module is what the edges and the incidents flow use to read
an alert and change its state. The JSON shape is ``model.alerts.alert_json``
(``soupwatch-alert/1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from soupwatch.errors import NotFoundError
from soupwatch.model.alerts import Alert, AlertStatus, RuleSet, alert_json
from soupwatch.store import alert_repo
from soupwatch.store.alert_repo import AlertFilter as AlertFilter
from soupwatch.store.db import Store
from soupwatch.vex import audit


def alert_not_found(alert_id: int) -> NotFoundError:
    """The one answer for an alert that does not exist or that the caller may not see."""
    return NotFoundError(f"no alert {alert_id}")


def alert_by_id(store: Store, alert_id: int) -> Alert:
    """One alert (NotFoundError when there is none with that id)."""
    with store.session() as session:
        found = alert_repo.get_alert(session, alert_id)
    if found is None:
        raise alert_not_found(alert_id)
    return found


def list_alerts(
    store: Store, f: AlertFilter = AlertFilter(), *, limit: int = 100, offset: int = 0
) -> list[Alert]:
    """Alerts the filter keeps, newest first."""
    with store.session() as session:
        return alert_repo.list_alerts(session, f, limit, offset)


def _change(
    store: Store,
    alert_id: int,
    status: AlertStatus,
    *,
    actor: str,
    now: datetime,
    reason: str | None,
    visible: Sequence[str] | None,
) -> Alert:
    with store.session() as session:
        current = alert_repo.get_alert(session, alert_id)
        if current is None or (visible is not None and current.product not in visible):
            raise alert_not_found(alert_id)
        changed = alert_repo.set_status(session, alert_id, status, actor, now, reason)
        assert changed is not None
        before, after = changed
        if before.status is not after.status:
            audit.append(
                session,
                actor,
                "alert.acknowledge" if status is AlertStatus.ACKNOWLEDGED else "alert.close",
                f"alert:{alert_id}",
                {"status": before.status.value},
                {"status": after.status.value, "unit": after.unit, "rule": after.rule},
                reason
                or ("alert acknowledged" if status is AlertStatus.ACKNOWLEDGED else "alert closed"),
                now,
            )
    return after


def ack_alert(
    store: Store,
    alert_id: int,
    *,
    actor: str,
    now: datetime,
    visible: Sequence[str] | None = None,
) -> Alert:
    """Acknowledge an open alert (audited ``alert.acknowledge``; an acknowledged or closed
    alert is returned unchanged). ``visible``: the products the caller sees (None: all)."""
    return _change(
        store,
        alert_id,
        AlertStatus.ACKNOWLEDGED,
        actor=actor,
        now=now,
        reason=None,
        visible=visible,
    )


def close_alert(
    store: Store,
    alert_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    visible: Sequence[str] | None = None,
) -> Alert:
    """Close an alert (audited ``alert.close``): the next occurrence of its rule, unit and
    subject opens a new alert. A closed alert is returned unchanged."""
    return _change(
        store, alert_id, AlertStatus.CLOSED, actor=actor, now=now, reason=reason, visible=visible
    )


def rule_sets(store: Store) -> list[RuleSet]:
    """Every stored version of the unusual-activity rules, newest first (text included)."""
    with store.session() as session:
        return [alert_repo.rule_set_info(r) for r in alert_repo.rule_set_rows(session)]


def alerts_json(alerts: Sequence[Alert]) -> list[dict[str, object]]:
    """The alerts in their stable JSON shape."""
    return [alert_json(a) for a in alerts]
