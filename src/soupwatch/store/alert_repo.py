"""Write and read unusual-activity rule sets and alerts (``alert_tables``), and the facts the
rules need from telemetry, the fleet and the findings.

Raising an alert takes the ``alerts`` write lock (``store/locks.py``): two ingesters
evaluating the same unit at once then find each other's open alert instead of both inserting
one (the unique ``open_key`` would refuse the second).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from soupwatch.model.alerts import (
    Alert,
    AlertCandidate,
    AlertKind,
    AlertStatus,
    RuleSet,
    Severity,
)
from soupwatch.store.alert_tables import AlertRow, AlertRuleSetRow
from soupwatch.store.finding_tables import FindingRow
from soupwatch.store.fleet_tables import UnitRow
from soupwatch.store.locks import write_lock
from soupwatch.store.tables import ProductRow, ReleaseRow
from soupwatch.store.telemetry_tables import DeviceEventRow

MAX_TIMES = 100_000
"""Event times read per (unit, kind) for a rate rule's windows."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    """Bind parameter: SQLite's DateTime stores UTC text and ignores the zone."""
    return value.astimezone(UTC)


def newest_info(session: Session) -> RuleSet | None:
    """The rule set in force without its text (None: none was ever loaded)."""
    row = session.execute(
        select(
            AlertRuleSetRow.version,
            AlertRuleSetRow.digest,
            AlertRuleSetRow.loaded_by,
            AlertRuleSetRow.loaded_at,
        )
        .order_by(AlertRuleSetRow.version.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else RuleSet(row[0], (), row[1], row[2], _aware(row[3]))


def newest_version(session: Session) -> tuple[int, str] | None:
    """(version, digest) of the rule set in force, or None when none was ever loaded."""
    row = session.execute(
        select(AlertRuleSetRow.version, AlertRuleSetRow.digest)
        .order_by(AlertRuleSetRow.version.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def rule_set_rows(session: Session, version: int | None = None) -> list[AlertRuleSetRow]:
    """Every stored version, newest first (or the one ``version``)."""
    query = select(AlertRuleSetRow).order_by(AlertRuleSetRow.version.desc())
    if version is not None:
        query = query.where(AlertRuleSetRow.version == version)
    return list(session.scalars(query))


def add_rule_set(session: Session, text: str, digest: str, actor: str, now: datetime) -> int:
    """Store a new version (the next number) and return it."""
    write_lock(session, "alert_rules")
    newest = newest_version(session)
    version = 1 if newest is None else newest[0] + 1
    session.add(
        AlertRuleSetRow(version=version, text=text, digest=digest, loaded_by=actor, loaded_at=now)
    )
    session.flush()
    return version


def rule_set_info(row: AlertRuleSetRow) -> RuleSet:
    """A stored version without its rules parsed (listings)."""
    return RuleSet(row.version, (), row.digest, row.loaded_by, _aware(row.loaded_at), row.text)


def event_times(
    session: Session, units: Collection[str], spans: Mapping[str, tuple[datetime, datetime]]
) -> dict[str, dict[str, list[datetime]]]:
    """Per event kind and unit, the sorted times of the units' stored events of that kind
    within its span [since, until] (one query for every kind)."""
    if not spans or not units:
        return {}
    query = (
        select(DeviceEventRow.kind, DeviceEventRow.unit, DeviceEventRow.at)
        .where(
            DeviceEventRow.unit.in_(sorted(units)),
            or_(
                *(
                    and_(
                        DeviceEventRow.kind == kind,
                        DeviceEventRow.at >= _utc(since),
                        DeviceEventRow.at <= _utc(until),
                    )
                    for kind, (since, until) in sorted(spans.items())
                )
            ),
        )
        .order_by(DeviceEventRow.at)
        .limit(MAX_TIMES)
    )
    out: dict[str, dict[str, list[datetime]]] = {kind: {} for kind in spans}
    for kind, unit, at in session.execute(query):
        out[kind].setdefault(unit, []).append(_aware(at))
    return out


def last_event_times(session: Session, units: Collection[str]) -> dict[str, datetime]:
    """Per unit, the time of its newest stored event (units with none are left out)."""
    query = (
        select(DeviceEventRow.unit, func.max(DeviceEventRow.at))
        .where(DeviceEventRow.unit.in_(list(units)))
        .group_by(DeviceEventRow.unit)
    )
    return {u: _aware(at) for u, at in session.execute(query) if at is not None}


@dataclass(frozen=True, slots=True)
class FindingFact:
    """An open finding of a release, as exploit rules match it."""

    id: int
    vulnerability: str
    component: str
    version: str | None


def open_findings(
    session: Session, product: str, release: str, vulns: Collection[str]
) -> list[FindingFact]:
    """The open findings of a release whose vulnerability is one of ``vulns``."""
    if not vulns:
        return []
    query = (
        select(
            FindingRow.id,
            FindingRow.vuln_id,
            FindingRow.component_name,
            FindingRow.component_version,
        )
        .join(ReleaseRow, ReleaseRow.id == FindingRow.release_id)
        .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
        .where(
            ProductRow.name == product,
            ReleaseRow.version == release,
            FindingRow.vuln_id.in_(list(vulns)),
            FindingRow.resolved_at.is_(None),
        )
        .order_by(FindingRow.id)
    )
    return [FindingFact(i, v, n, ver) for i, v, n, ver in session.execute(query)]


def known_units(session: Session) -> list[str]:
    """Every unit serial of the fleet."""
    return list(session.scalars(select(UnitRow.serial).order_by(UnitRow.serial)))


def _alert(row: AlertRow) -> Alert:
    return Alert(
        id=row.id,
        rule=row.rule,
        kind=AlertKind(row.kind),
        severity=Severity(row.severity),
        rule_set=row.rule_set,
        unit=row.unit,
        product=row.product,
        release=row.release,
        subject=row.subject,
        title=row.title,
        explanation=row.explanation,
        status=AlertStatus(row.status),
        occurrences=row.occurrences,
        first_seen=_aware(row.first_seen),
        last_seen=_aware(row.last_seen),
        raised_at=_aware(row.raised_at),
        events=tuple(row.events or ()),
        component=row.component,
        component_version=row.component_version,
        vulnerability=row.vulnerability,
        finding_id=row.finding_id,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=None if row.acknowledged_at is None else _aware(row.acknowledged_at),
        closed_by=row.closed_by,
        closed_at=None if row.closed_at is None else _aware(row.closed_at),
        close_reason=row.close_reason,
    )


def raise_alerts(
    session: Session,
    found: Iterable[tuple[AlertCandidate, str | None, str | None]],
    rule_set: int,
    now: datetime,
) -> list[Alert]:
    """Store each (candidate, product, release): a new open alert, or one more occurrence of
    the alert already open for its (rule, unit, subject). Returns the alerts opened now."""
    found = list(found)
    if not found:
        return []
    write_lock(session, "alerts")
    keys = {c.open_key for c, _, _ in found}
    rows = {
        r.open_key: r for r in session.scalars(select(AlertRow).where(AlertRow.open_key.in_(keys)))
    }
    fresh: dict[str, dict[str, object]] = {}
    changed: dict[str, dict[str, Any]] = {}
    for c, product, release in found:
        row = rows.get(c.open_key)
        if c.open_key in fresh:
            continue  # the same (rule, unit, subject) twice in one batch: the first counts
        if row is not None:
            now_ = changed.get(c.open_key) or {
                "id": row.id,
                "occurrences": row.occurrences,
                "last_seen": _aware(row.last_seen),
                "events": row.events or [],
                "explanation": row.explanation,
            }
            if now_["events"] and c.events and set(c.events) <= set(now_["events"]):
                continue  # the same evidence again (a redelivered batch)
            now_["occurrences"] += 1
            now_["last_seen"] = max(now_["last_seen"], c.at)
            now_["events"] = [*now_["events"], *c.events][-5:]
            now_["explanation"] = c.explanation
            changed[c.open_key] = now_
            continue
        new: dict[str, object] = {
            "open_key": c.open_key,
            "rule": c.rule.name,
            "kind": c.rule.kind.value,
            "severity": c.rule.severity.value,
            "rule_set": rule_set,
            "unit": c.unit,
            "product": product,
            "release": release,
            "subject": c.subject,
            "title": c.title,
            "explanation": c.explanation,
            "status": AlertStatus.OPEN.value,
            "occurrences": 1,
            "events": list(c.events),
            "component": c.component,
            "component_version": c.component_version,
            "vulnerability": c.vulnerability,
            "finding_id": c.finding_id,
            "first_seen": c.at,
            "last_seen": c.at,
            "raised_at": now,
        }
        fresh[c.open_key] = new
    if changed:  # one executemany by primary key (one round trip), not an UPDATE per row
        session.execute(update(AlertRow), list(changed.values()))
    if not fresh:
        return []
    # one multi-row INSERT … RETURNING (the ORM's unit of work sends a statement per alert)
    ids = session.scalars(
        insert(AlertRow).returning(AlertRow.id, sort_by_parameter_order=True),
        list(fresh.values()),
    ).all()
    return [_alert(AlertRow(id=i, **v)) for i, v in zip(ids, fresh.values(), strict=True)]


def get_alert(session: Session, alert_id: int) -> Alert | None:
    """One alert, or None."""
    row = session.get(AlertRow, alert_id)
    return None if row is None else _alert(row)


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a listing keeps (None: no narrowing)."""

    status: Sequence[AlertStatus] | None = None
    unit: str | None = None
    product: str | None = None
    products: frozenset[str] | None = None
    """The products the caller sees."""
    customers: frozenset[str] | None = None
    """The customers whose units the caller sees (fleet scope)."""


def list_alerts(session: Session, f: AlertFilter, limit: int = 100, offset: int = 0) -> list[Alert]:
    """Alerts, newest first."""
    query = select(AlertRow)
    if f.status:
        query = query.where(AlertRow.status.in_([s.value for s in f.status]))
    if f.unit is not None:
        query = query.where(AlertRow.unit == f.unit)
    if f.product is not None:
        query = query.where(AlertRow.product == f.product)
    if f.products is not None:
        query = query.where(AlertRow.product.in_(sorted(f.products)))
    if f.customers is not None:
        mine = select(UnitRow.serial).where(UnitRow.customer.in_(sorted(f.customers)))
        query = query.where(AlertRow.unit.in_(mine))
    query = query.order_by(AlertRow.id.desc()).limit(limit).offset(offset)
    return [_alert(r) for r in session.scalars(query)]


def set_status(
    session: Session,
    alert_id: int,
    status: AlertStatus,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> tuple[Alert, Alert] | None:
    """Acknowledge or close an alert: (before, after); None when there is no such alert.
    Closing clears its dedupe key, so the next occurrence opens a new alert."""
    row = session.get(AlertRow, alert_id, with_for_update=True)
    if row is None:
        return None
    before = _alert(row)
    if status is AlertStatus.ACKNOWLEDGED and row.status == AlertStatus.OPEN.value:
        row.status, row.acknowledged_by, row.acknowledged_at = status.value, actor, now
    elif status is AlertStatus.CLOSED and row.status != AlertStatus.CLOSED.value:
        row.status, row.closed_by, row.closed_at = status.value, actor, now
        row.close_reason, row.open_key = reason, None
    session.flush()
    return before, _alert(row)


def count_alerts(session: Session) -> int:
    """How many alerts are stored."""
    return int(session.scalar(select(func.count()).select_from(AlertRow)) or 0)
