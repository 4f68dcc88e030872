"""Unusual-activity rules: read from YAML, and evaluated (pure: facts in, candidates out).

The rule file (docs/monitoring.md, "Unusual-activity rules")::

    rules:
      - {name: failed-logins, kind: rate, event: login_failed, threshold: 5, window: 10m}
      - {name: peers, kind: peer, allow: {eth0: [10.0.0.1]}, use_profile: true}
      - {name: drift, kind: drift}
      - {name: heartbleed, kind: exploit, event: tls_heartbeat_overflow,
         vulnerability: CVE-2014-0160, component: openssl, severity: critical}
      - {name: silent, kind: silent, after: 1h}

The evaluator reads only what it is given (:class:`UnitFacts`); ``monitor/alerting.py``
gathers those facts from the store and keeps what it returns. Software drift is fleet's own
rule (``fleet.drift_of``), not a second copy of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from soupwatch.config import InputLimits
from soupwatch.errors import ConfigError
from soupwatch.fleet import drift_of
from soupwatch.model.alerts import AlertCandidate, AlertKind, AlertRule, Severity
from soupwatch.model.fleet import ReportedComponent, Unit
from soupwatch.model.telemetry import KIND, DeviceEvent
from soupwatch.untrusted import load_yaml

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
DURATION = re.compile(r"^(\d{1,7})\s*(s|m|h|d)$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_RULES = 1000
MAX_EVIDENCE = 5
"""Event keys kept as an alert's evidence (the last ones)."""

_FIELDS: Mapping[AlertKind, frozenset[str]] = {
    AlertKind.RATE: frozenset({"event", "threshold", "window"}),
    AlertKind.PEER: frozenset({"event", "allow", "use_profile"}),
    AlertKind.DRIFT: frozenset({"event"}),
    AlertKind.EXPLOIT: frozenset({"event", "vulnerability", "component"}),
    AlertKind.SILENT: frozenset({"after"}),
}
_COMMON = frozenset({"name", "kind", "severity", "product", "description"})
_REQUIRED: Mapping[AlertKind, tuple[str, ...]] = {
    AlertKind.RATE: ("event", "threshold", "window"),
    AlertKind.PEER: (),
    AlertKind.DRIFT: (),
    AlertKind.EXPLOIT: ("event", "vulnerability"),
    AlertKind.SILENT: ("after",),
}


def duration(value: object, where: str, source: str) -> timedelta:
    """``30s``, ``10m``, ``1h``, ``2d`` or a number of seconds (at least one second)."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (m := DURATION.match(value.strip())):
        seconds = int(m.group(1)) * UNITS[m.group(2)]
    else:
        raise ConfigError("a duration is 30s, 10m, 1h, 2d or seconds", path=source, where=where)
    if not 1 <= seconds <= 366 * 86400:
        raise ConfigError("a duration lies between 1s and 366d", path=source, where=where)
    return timedelta(seconds=seconds)


def _text(item: Mapping[str, Any], key: str, where: str, source: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ConfigError(f"{key} is text of 1 to 255 characters", path=source, where=where)
    return value.strip()


def _allow(value: object, where: str, source: str) -> dict[str, frozenset[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("allow maps an interface to a list of peers", path=source, where=where)
    out = {}
    for iface, peers in value.items():
        ok = isinstance(peers, list) and all(isinstance(p, str) and p for p in peers)
        if not isinstance(iface, str) or not ok:
            raise ConfigError(
                "allow maps an interface to a list of peers", path=source, where=f"{where}.{iface}"
            )
        out[iface] = frozenset(p.strip().lower() for p in peers)
    return out


def rule_from(item: object, where: str, source: str) -> AlertRule:
    """One rule from its YAML mapping (every problem names the rule's place)."""
    if not isinstance(item, dict):
        raise ConfigError("a rule is a mapping", path=source, where=where)
    name = item.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError("a rule needs a name (letters, digits, . _ -)", path=source, where=where)
    try:
        kind = AlertKind(str(item.get("kind")))
        severity = Severity(item.get("severity", "medium"))
    except ValueError as err:
        kinds = ", ".join(k.value for k in AlertKind)
        raise ConfigError(f"{err} (kinds: {kinds})", path=source, where=where) from err
    unknown = set(item) - _COMMON - _FIELDS[kind]
    if unknown:
        raise ConfigError(f"a {kind} rule has no {sorted(unknown)}", path=source, where=where)
    missing = [k for k in _REQUIRED[kind] if item.get(k) is None]
    if missing:
        raise ConfigError(f"a {kind} rule needs {missing}", path=source, where=where)
    event = _text(item, "event", where, source)
    if event is not None and not KIND.match(event):
        raise ConfigError(f"{event!r} is not an event kind", path=source, where=f"{where}.event")
    threshold = item.get("threshold", 0)
    if kind is AlertKind.RATE and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= 10**6
    ):
        raise ConfigError("threshold is a whole number from 1", path=source, where=where)
    use_profile = item.get("use_profile", True)
    if not isinstance(use_profile, bool):
        raise ConfigError("use_profile is true or false", path=source, where=where)
    return AlertRule(
        name=name,
        kind=kind,
        severity=severity,
        product=_text(item, "product", where, source),
        event=event,
        threshold=threshold if kind is AlertKind.RATE else 0,
        window=duration(item["window"], f"{where}.window", source) if "window" in item else None,
        allow=_allow(item.get("allow"), f"{where}.allow", source),
        use_profile=use_profile,
        vulnerability=(_text(item, "vulnerability", where, source) or "").upper() or None,
        component=_text(item, "component", where, source),
        after=duration(item["after"], f"{where}.after", source) if "after" in item else None,
    )


def read_rules(text: str, limits: InputLimits, source: str = "rules") -> tuple[AlertRule, ...]:
    """The rules of a YAML rule file, validated (ConfigError names the place of a problem)."""

    def fail(message: str, where: str | None) -> ConfigError:
        return ConfigError(message, path=source, where=where)

    data, _ = load_yaml(text, limits, fail)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise fail("a rule file is a mapping with a list of rules", None)
    if set(data) - {"rules", "description"}:
        raise fail(f"unknown keys {sorted(set(data) - {'rules', 'description'})}", None)
    if len(data["rules"]) > MAX_RULES:
        raise fail(f"more than {MAX_RULES} rules", "rules")
    rules = tuple(rule_from(item, f"rules[{i}]", source) for i, item in enumerate(data["rules"]))
    names = [r.name for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise fail(f"rule names must be unique: {twice}", "rules")
    return rules


@dataclass(frozen=True, slots=True)
class Finding:
    """A finding of the unit's release, as an exploit rule needs it."""

    id: int
    vulnerability: str
    component: str
    version: str | None


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the evaluator knows of one unit besides its events (gathered by the flow)."""

    unit: Unit | None
    """The fleet's unit (None: a serial the fleet does not know; drift and exploit need it)."""
    sbom: Mapping[str, set[str]] | None = None
    """Per component name (lower case), the versions its release's SBOM lists."""
    findings: Sequence[Finding] = ()
    """The open findings of its release (only those an exploit rule names)."""
    peers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per interface, the peers the device profile allows."""
    times: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    """Per event kind a rate rule reads: the sorted times of the unit's stored events in the
    windows that matter (the batch's own events included)."""


def _reported(value: object) -> list[ReportedComponent]:
    items: list[tuple[object, object]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = [(c.get("name"), c.get("version")) for c in value if isinstance(c, dict)]
    else:
        return []
    return [
        ReportedComponent(str(n), None if v is None else str(v))
        for n, v in items
        if isinstance(n, str) and n
    ]


def _rate(
    rule: AlertRule, unit: str, events: Sequence[DeviceEvent], facts: UnitFacts
) -> list[AlertCandidate]:
    assert rule.window is not None
    times = facts.times.get(rule.reads or "", ())
    hit: tuple[DeviceEvent, int] | None = None
    for e in events:
        count = bisect_right(times, e.at) - bisect_right(times, e.at - rule.window)
        if count >= rule.threshold:
            hit = (e, count)
    if hit is None:
        return []
    e, count = hit
    return [
        AlertCandidate(
            rule,
            unit,
            rule.reads or "",
            f"{count} {rule.reads} events from {unit} within {rule.window}",
            f"{count} {rule.reads} events within {rule.window} up to {e.at.isoformat()} "
            f"(rule {rule.name}: {rule.threshold} or more)",
            e.at,
            tuple(x.key for x in events[-MAX_EVIDENCE:]),
        )
    ]


def _peer(
    rule: AlertRule, unit: str, events: Sequence[DeviceEvent], facts: UnitFacts
) -> list[AlertCandidate]:
    found: dict[str, AlertCandidate] = {}
    for e in events:
        peer = e.fields.get("peer")
        if not isinstance(peer, str) or not peer:
            continue
        iface = str(e.fields.get("interface") or "*")
        lists = [rule.allow.get(iface), rule.allow.get("*")]
        if rule.use_profile:
            lists.append(facts.peers.get(iface))
        known = [set(x) for x in lists if x is not None]
        if not known or peer.lower() in set().union(*known):
            continue  # an interface with no allow-list is not watched
        subject = f"{iface}|{peer.lower()}"
        found[subject] = AlertCandidate(
            rule,
            unit,
            subject,
            f"Unexpected peer {peer} on {iface} of {unit}",
            f"{unit} connected to {peer} on {iface}, which is not on the interface's allow-list "
            f"(rule {rule.name}{', device profile' if rule.use_profile else ''})",
            e.at,
            (e.key,),
        )
    return list(found.values())


def _drift(
    rule: AlertRule, unit: str, events: Sequence[DeviceEvent], facts: UnitFacts
) -> list[AlertCandidate]:
    if facts.unit is None or facts.sbom is None:
        return []
    found: dict[str, AlertCandidate] = {}
    for e in events:
        reported = _reported(e.fields.get("components"))
        for d in drift_of(facts.unit, facts.unit.release, reported, dict(facts.sbom), e.at):
            found[d.component.lower()] = AlertCandidate(
                rule,
                unit,
                d.component.lower(),
                f"Software drift on {unit}: {d.component} {d.reported or '(no version)'}",
                d.explanation,
                e.at,
                (e.key,),
                component=d.component,
                component_version=d.reported,
            )
    return list(found.values())


def _exploit(
    rule: AlertRule, unit: str, events: Sequence[DeviceEvent], facts: UnitFacts
) -> list[AlertCandidate]:
    if not events:
        return []
    wanted = (rule.component or "").lower()
    hits = [
        f
        for f in facts.findings
        if f.vulnerability == rule.vulnerability and (not wanted or f.component.lower() == wanted)
    ]
    last = events[-1]
    return [
        AlertCandidate(
            rule,
            unit,
            f"{f.vulnerability}|{f.component.lower()}",
            f"Exploitation attempt of {f.vulnerability} ({f.component}) on {unit}",
            f"{len(events)} {rule.reads} event(s) on {unit}, a sign of exploiting "
            f"{f.vulnerability}; its release has the finding in {f.component} "
            f"{f.version or ''}".rstrip(),
            last.at,
            tuple(x.key for x in events[-MAX_EVIDENCE:]),
            component=f.component,
            component_version=f.version,
            vulnerability=f.vulnerability,
            finding_id=f.id,
        )
        for f in hits
    ]


_EVALUATORS = {
    AlertKind.RATE: _rate,
    AlertKind.PEER: _peer,
    AlertKind.DRIFT: _drift,
    AlertKind.EXPLOIT: _exploit,
}


def evaluate(
    rules: Iterable[AlertRule], unit: str, events: Sequence[DeviceEvent], facts: UnitFacts
) -> list[AlertCandidate]:
    """What the rules find in one unit's new events (sorted by time), given its facts."""
    product = facts.unit.product if facts.unit else None
    out: list[AlertCandidate] = []
    for rule in rules:
        run = _EVALUATORS.get(rule.kind)
        if run is None or not rule.applies(product):
            continue
        mine = [e for e in events if e.kind == rule.reads]
        if mine:
            out.extend(run(rule, unit, mine, facts))
    return out


def silent(
    rules: Iterable[AlertRule],
    units: Iterable[tuple[Unit, datetime | None]],
    since: datetime,
    now: datetime,
) -> list[AlertCandidate]:
    """The units that sent nothing for a silent rule's ``after``: each with its last event's
    time (None: never; then counted from ``since``, when the rule set came into force)."""
    out = []
    for rule in (r for r in rules if r.kind is AlertKind.SILENT):
        assert rule.after is not None
        for unit, last in units:
            if not rule.applies(unit.product) or (last or since) > now - rule.after:
                continue
            heard = f"last event {last.isoformat()}" if last else "no event ever"
            out.append(
                AlertCandidate(
                    rule,
                    unit.serial,
                    "silent",
                    f"{unit.serial} silent for more than {rule.after}",
                    f"{unit.serial} ({unit.product} {unit.release}, {unit.site}) sent nothing "
                    f"for more than {rule.after}: {heard} (rule {rule.name})",
                    now,
                )
            )
    return out
