"""The unusual-activity flow: load the rules (versioned, audited), evaluate them on every
recorded batch and on a schedule (silent units), store the alerts once, and notify.

``soupwatch.monitor`` registers :func:`evaluate_recorded` with
``pipeline.telemetry.after_record``, so every path that records events (MQTT, syslog, the HTTP
batch route) evaluates them right after the commit. The facts the rules need are read here
from the store; the rules themselves are ``monitor/rules.py`` (pure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from soupwatch.config import InputLimits, input_limits
from soupwatch.model.alerts import (
    Alert,
    AlertCandidate,
    AlertKind,
    AlertRule,
    RuleSet,
    rules_digest,
)
from soupwatch.model.fleet import UnitStatus
from soupwatch.model.telemetry import DeviceEvent
from soupwatch.monitor import rules as evaluator
from soupwatch.notify import enqueue_alerts
from soupwatch.store import alert_repo, fleet_repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_SILENT_UNITS = 1_000_000


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading a rule file did."""

    rule_set: RuleSet
    new: bool
    """False: the text is the version in force already (nothing stored, nothing audited)."""


_PARSED: dict[str, tuple[AlertRule, ...]] = {}
"""Parsed rules per text digest (a stored version never changes)."""


def load_rules(
    store: Store,
    text: str,
    *,
    actor: str,
    now: datetime,
    limits: InputLimits | None = None,
    source: str = "rules",
) -> Loaded:
    """Validate a YAML rule file and store it as the next version (audited ``alert_rules.load``
    with the actor, the previous version and the rule names); the same text again is no new
    version."""
    rules = evaluator.read_rules(text, limits or input_limits(), source)
    digest = rules_digest(text)
    with store.session() as session:
        newest = alert_repo.newest_version(session)
        if newest is not None and newest[1] == digest:
            row = alert_repo.rule_set_rows(session, newest[0])[0]
            return Loaded(_with_rules(alert_repo.rule_set_info(row), rules), False)
        version = alert_repo.add_rule_set(session, text, digest, actor, now)
        audit.append(
            session,
            actor,
            "alert_rules.load",
            f"alert_rules:{version}",
            None if newest is None else {"version": newest[0], "digest": newest[1]},
            {
                "version": version,
                "digest": digest,
                "rules": [f"{r.name} ({r.kind})" for r in rules],
            },
            f"unusual-activity rules from {source}",
            now,
        )
    _PARSED[digest] = rules
    return Loaded(RuleSet(version, rules, digest, actor, now, text), True)


def _with_rules(info: RuleSet, rules: tuple[AlertRule, ...]) -> RuleSet:
    return RuleSet(info.version, rules, info.digest, info.loaded_by, info.loaded_at, info.text)


def rules_in_force(store: Store) -> RuleSet | None:
    """The newest stored rule set with its rules (None: no rules were ever loaded)."""
    with store.session() as session:
        newest = alert_repo.newest_version(session)
        if newest is None:
            return None
        row = alert_repo.rule_set_rows(session, newest[0])[0]
        info = alert_repo.rule_set_info(row)
    rules = _PARSED.get(info.digest)
    if rules is None:
        rules = _PARSED[info.digest] = evaluator.read_rules(info.text, input_limits())
    return _with_rules(info, rules)


def _facts(
    session: Session, serial: str, events: Sequence[DeviceEvent], rules: Sequence[AlertRule]
) -> evaluator.UnitFacts:
    unit = fleet_repo.get_unit(session, serial)
    kinds = {e.kind for e in events}
    live = [r for r in rules if r.reads in kinds and r.applies(unit.product if unit else None)]
    sbom = None
    findings: list[evaluator.Finding] = []
    if unit is not None and any(r.kind is AlertKind.DRIFT for r in live):
        sbom = fleet_repo.release_component_versions(session, unit.product, unit.release)
    vulns = {r.vulnerability for r in live if r.kind is AlertKind.EXPLOIT and r.vulnerability}
    if unit is not None and vulns:
        findings = [
            evaluator.Finding(f.id, f.vulnerability, f.component, f.version)
            for f in alert_repo.open_findings(session, unit.product, unit.release, vulns)
        ]
    times: dict[str, list[datetime]] = {}
    for rule in (r for r in live if r.kind is AlertKind.RATE):
        assert rule.window is not None
        mine = [e.at for e in events if e.kind == rule.reads]
        since, until = min(mine) - rule.window, max(mine)
        got = alert_repo.event_times(session, serial, rule.reads or "", since, until)
        have = times.get(rule.reads or "")
        if have is None or (have and have[0] > since):
            times[rule.reads or ""] = got
    return evaluator.UnitFacts(unit, sbom, tuple(findings), {}, times)


def _store(
    store: Store,
    found: Sequence[tuple[AlertCandidate, str | None, str | None]],
    version: int,
    now: datetime,
) -> list[Alert]:
    if not found:
        return []
    with store.session() as session:
        opened = alert_repo.raise_alerts(session, found, version, now)
        enqueue_alerts(session, opened, now)
    return opened


def evaluate_recorded(
    store: Store, events: Sequence[DeviceEvent], received: datetime
) -> list[Alert]:
    """Evaluate the rules in force on a committed batch; the alerts opened now."""
    ruleset = rules_in_force(store)
    if ruleset is None:
        return []
    kinds = {r.reads for r in ruleset.rules if r.kind is not AlertKind.SILENT}
    per_unit: dict[str, list[DeviceEvent]] = defaultdict(list)
    for e in events:
        if e.kind in kinds:
            per_unit[e.unit].append(e)
    if not per_unit:
        return []
    found: list[tuple[AlertCandidate, str | None, str | None]] = []
    with store.session() as session:
        for serial in sorted(per_unit):
            mine = sorted(per_unit[serial], key=lambda e: (e.at, e.key))
            facts = _facts(session, serial, mine, ruleset.rules)
            product = facts.unit.product if facts.unit else None
            release = facts.unit.release if facts.unit else None
            found.extend(
                (c, product, release)
                for c in evaluator.evaluate(ruleset.rules, serial, mine, facts)
            )
    return _store(store, found, ruleset.version, received)


def check_silent(store: Store, now: datetime) -> list[Alert]:
    """Raise the silent-unit alerts due at ``now`` (in-service units only); the alerts opened."""
    ruleset = rules_in_force(store)
    if ruleset is None or not any(r.kind is AlertKind.SILENT for r in ruleset.rules):
        return []
    with store.session() as session:
        units = [
            u
            for u in fleet_repo.list_units(session, fleet_repo.UnitFilter(), MAX_SILENT_UNITS)
            if u.status is UnitStatus.IN_SERVICE
        ]
        last = alert_repo.last_event_times(session, [u.serial for u in units])
    pairs = [(u, last.get(u.serial)) for u in units]
    by_serial = {u.serial: u for u in units}
    found = [
        (c, by_serial[c.unit].product, by_serial[c.unit].release)
        for c in evaluator.silent(ruleset.rules, pairs, ruleset.loaded_at, now)
    ]
    return _store(store, found, ruleset.version, now)
