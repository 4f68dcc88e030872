"""The unusual-activity flow: load the rules (versioned, audited), evaluate them on every
recorded batch and on a schedule (silent units), store the alerts once, and notify.

``monitor.ingest`` calls :func:`evaluate_recorded` right after each batch's commit, so every
path that takes events in (MQTT, syslog, the HTTP batch route) evaluates them. The facts the
rules need are read here from the store; the rules themselves are ``monitor/rules.py`` (pure).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
from soupwatch.pipeline import device_context
from soupwatch.store import alert_repo, fleet_repo
from soupwatch.store.db import Store
from soupwatch.store.generation import data_generation
from soupwatch.vex import audit

if TYPE_CHECKING:
    from soupwatch.store.db import Session

MAX_SILENT_UNITS = 1_000_000
T = TypeVar("T")


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


def _rules_of(session: Session) -> RuleSet | None:
    info = alert_repo.newest_info(session)
    if info is None:
        return None
    rules = _PARSED.get(info.digest)
    if rules is None:
        text = alert_repo.rule_set_rows(session, info.version)[0].text
        rules = _PARSED[info.digest] = evaluator.read_rules(text, input_limits())
    return _with_rules(info, rules)


def rules_in_force(store: Store) -> RuleSet | None:
    """The newest stored rule set with its rules (None: no rules were ever loaded)."""
    with store.session() as session:
        return _rules_of(session)


FACTS_KEPT = 4096
"""Facts (a release's SBOM versions and open findings, a product's profile peers) kept per
store; past it, they are dropped."""
_CACHE: weakref.WeakKeyDictionary[Store, dict[object, Any]] = weakref.WeakKeyDictionary()


def _cached(store: Store, generation: object, key: object, load: Callable[[], T]) -> T:
    """``load()``, reused while the data generation (``store.generation``, read once per batch)
    holds: a re-imported SBOM, a re-scan (new or resolved findings) or a newly recorded profile
    moves it, so the next batch reads them again."""
    mine = _CACHE.setdefault(store, {})
    full = (generation, key)
    if full in mine:
        return cast(T, mine[full])
    value = load()
    if len(mine) >= FACTS_KEPT:
        mine.clear()
    mine[full] = value
    return value


def profile_peers(store: Store, product: str) -> dict[str, frozenset[str]]:
    """Per interface (its name, and its type), the peers the product's device profile allows."""
    out: dict[str, set[str]] = {}
    for iface in device_context(store, product).profile.interfaces:
        if not iface.peers:
            continue
        for key in {iface.type, iface.name or iface.type}:
            out.setdefault(key, set()).update(p.lower() for p in iface.peers)
    return {k: frozenset(v) for k, v in out.items()}


def _facts(
    store: Store,
    session: Session,
    gen: object,
    per_unit: Mapping[str, Sequence[DeviceEvent]],
    rules: Sequence[AlertRule],
) -> dict[str, evaluator.UnitFacts]:
    """Every unit's facts for one batch, in a handful of queries whatever its size."""
    units = fleet_repo.units_by_serial(session, per_unit)
    kinds = {e.kind for events in per_unit.values() for e in events}
    live = [r for r in rules if r.reads in kinds]
    peers: dict[str, dict[str, frozenset[str]]] = {}
    if any(r.kind is AlertKind.PEER and r.use_profile for r in live):
        peers = {
            p: _cached(store, gen, ("peers", p), partial(profile_peers, store, p))
            for p in sorted({u.product for u in units.values()})
        }
    releases = {(u.product, u.release) for u in units.values()}
    sboms: dict[tuple[str, str], dict[str, set[str]]] = {}
    if any(r.kind is AlertKind.DRIFT for r in live):
        sboms = {
            pr: _cached(
                store,
                gen,
                ("sbom", pr),
                partial(fleet_repo.release_component_versions, session, *pr),
            )
            for pr in sorted(releases)
        }
    vulns = {r.vulnerability for r in live if r.kind is AlertKind.EXPLOIT and r.vulnerability}
    findings: dict[tuple[str, str], tuple[evaluator.Finding, ...]] = {}
    for pr in sorted(releases) if vulns else ():
        findings[pr] = _cached(
            store, gen, ("findings", pr, frozenset(vulns)), partial(_findings, session, pr, vulns)
        )
    windows: dict[str, timedelta] = {}
    for rule in (r for r in live if r.kind is AlertKind.RATE):
        assert rule.window is not None and rule.reads is not None
        windows[rule.reads] = max(windows.get(rule.reads, rule.window), rule.window)
    spans = {}
    for kind, window in windows.items():
        ats = [e.at for events in per_unit.values() for e in events if e.kind == kind]
        spans[kind] = (min(ats) - window, max(ats))
    serials = {s for s, events in per_unit.items() if any(e.kind in spans for e in events)}
    times = alert_repo.event_times(session, serials, spans)
    out = {}
    for serial in per_unit:
        unit = units.get(serial)
        key = (unit.product, unit.release) if unit else None
        out[serial] = evaluator.UnitFacts(
            unit,
            sboms.get(key) if key else None,
            findings.get(key, ()) if key else (),
            peers.get(unit.product, {}) if unit else {},
            {kind: got.get(serial, []) for kind, got in times.items()},
        )
    return out


def _findings(
    session: Session, release: tuple[str, str], vulns: set[str]
) -> tuple[evaluator.Finding, ...]:
    found = alert_repo.open_findings(session, release[0], release[1], vulns)
    return tuple(evaluator.Finding(f.id, f.vulnerability, f.component, f.version) for f in found)


def _raise(
    session: Session,
    found: Sequence[tuple[AlertCandidate, str | None, str | None]],
    version: int,
    now: datetime,
) -> list[Alert]:
    if not found:
        return []
    opened = alert_repo.raise_alerts(session, found, version, now)
    enqueue_alerts(session, opened, now)
    return opened


def evaluate_recorded(
    store: Store, events: Sequence[DeviceEvent], received: datetime
) -> list[Alert]:
    """Evaluate the rules in force on a committed batch, and store what they find in one
    transaction; the alerts opened now."""
    with store.session() as session:
        gen = data_generation(session, shown=False)  # a rule file load is audited: it moves
        ruleset = _cached(store, gen, "rules", partial(_rules_of, session))
        if ruleset is None:
            return []
        kinds = {r.reads for r in ruleset.rules if r.kind is not AlertKind.SILENT}
        per_unit: dict[str, list[DeviceEvent]] = defaultdict(list)
        for e in events:
            if e.kind in kinds:
                per_unit[e.unit].append(e)
        if not per_unit:
            return []
        for mine in per_unit.values():
            mine.sort(key=lambda e: (e.at, e.key))
        facts = _facts(store, session, gen, per_unit, ruleset.rules)
        found: list[tuple[AlertCandidate, str | None, str | None]] = []
        for serial in sorted(per_unit):
            unit = facts[serial].unit
            found.extend(
                (c, unit.product if unit else None, unit.release if unit else None)
                for c in evaluator.evaluate(ruleset.rules, serial, per_unit[serial], facts[serial])
            )
        return _raise(session, found, ruleset.version, received)


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
    with store.session() as session:
        return _raise(session, found, ruleset.version, now)
