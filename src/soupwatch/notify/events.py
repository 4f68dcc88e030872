"""``notify_events``: derive events from stored data and queue them for the rules' channels.

* **kev_finding**: a finding of the watch delta (new, or newly in CISA KEV) whose
  vulnerability is known-exploited;
* **uncontrolled_finding**: a finding of the watch delta that the release's stored assessment
  calls uncontrolled (FDA sense);
* **clock_due**: an open finding's clock of the stored assessment (FDA 30-day communication,
  60-day remediation, KEV due date, assessment due) falling within the rule's N days (or
  already passed);
* **end_of_support**: a component of the stored assessment whose support ends within N days
  (or has ended).

Every event has a stable key naming what it is about (and, for dates, the date), so it is
queued once per channel however often this runs (``store/notify_repo.enqueue``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from soupwatch.model.assessment import AssessedComponent, AssessedFinding, Assessment
from soupwatch.model.notify import Event, Rule, RuleKind
from soupwatch.pipeline import assessment
from soupwatch.store import inventory, notify_repo
from soupwatch.store.db import Store
from soupwatch.watch.delta import ChangedFinding, ReleaseDelta

CLOCKS = (
    ("communicate_by", "FDA 30-day communication"),
    ("fix_by", "FDA 60-day remediation"),
    ("kev_due", "CISA KEV due date"),
    ("assessment_due", "assessment due"),
)
"""(key part, label) of every clock a finding may carry."""


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """What one ``notify_events`` call found and queued."""

    events: int
    """Events that matched a rule (before dedupe)."""
    queued: int
    """Deliveries queued now (an event already queued for a channel is not queued again)."""


def _component(name: str, version: str | None) -> str:
    return f"{name} {version}".strip() if version else name


def _finding_facts(
    product: str, release: str, component: str, vuln: str, severity: str
) -> tuple[tuple[str, str], ...]:
    return (
        ("product", product),
        ("release", release),
        ("component", component),
        ("vulnerability", vuln),
        ("severity", severity),
    )


def kev_event(product: str, release: str, c: ChangedFinding) -> Event | None:
    """The KEV event of a changed finding (None when its vulnerability is not in KEV)."""
    if c.kev_date_added is None:
        return None
    comp = _component(c.component_name, c.component_version)
    facts = _finding_facts(product, release, comp, c.vuln_id, c.severity.value)
    return Event(
        key=f"kev_finding|{product}|{release}|{c.component_ref}|{c.vuln_id}",
        kind=RuleKind.KEV_FINDING,
        product=product,
        release=release,
        title=f"Known exploited: {c.vuln_id} in {product} {release} ({comp})",
        summary=(
            f"{c.vuln_id} is in CISA KEV (added {c.kev_date_added.isoformat()}) and open in "
            f"{product} {release}, component {comp}."
            + (f" Fixed in {', '.join(c.fixed_versions)}." if c.fixed_versions else "")
        ),
        facts=(*facts, ("KEV added", c.kev_date_added.isoformat())),
    )


def uncontrolled_event(product: str, release: str, f: AssessedFinding) -> Event:
    """The event of an uncontrolled finding."""
    fd = f.finding
    vuln = str(fd.vulnerability.id)
    comp = _component(fd.component_name, fd.component_version)
    facts = _finding_facts(product, release, comp, vuln, f.severity_value)
    return Event(
        key=f"uncontrolled_finding|{product}|{release}|{fd.component_ref}|{vuln}",
        kind=RuleKind.UNCONTROLLED_FINDING,
        product=product,
        release=release,
        title=f"Uncontrolled risk: {vuln} in {product} {release} ({comp})",
        summary=f"{vuln} in {comp} is an uncontrolled risk: {f.category_rationale}",
        facts=(*facts, ("risk", f.risk_value)),
        due=f.communicate_by,
    )


def _clocks(f: AssessedFinding) -> list[tuple[str, str, date]]:
    kev = f.finding.vulnerability.kev
    dates = {
        "communicate_by": f.communicate_by,
        "fix_by": f.fix_by,
        "kev_due": kev.due_date if kev else None,
        "assessment_due": f.assessment_due,
    }
    out = []
    for part, label in CLOCKS:
        when = dates[part]
        if when is not None:
            out.append((part, label, when))
    return out


def clock_events(product: str, release: str, f: AssessedFinding, horizon: date) -> list[Event]:
    """The clocks of an open finding that fall on or before ``horizon``."""
    if not f.is_open:
        return []
    fd = f.finding
    vuln = str(fd.vulnerability.id)
    comp = _component(fd.component_name, fd.component_version)
    out = []
    for part, label, when in _clocks(f):
        if when > horizon:
            continue
        out.append(
            Event(
                key=f"clock_due|{product}|{release}|{fd.component_ref}|{vuln}|{part}|{when}",
                kind=RuleKind.CLOCK_DUE,
                product=product,
                release=release,
                title=f"{label} on {when.isoformat()}: {vuln} in {product} {release}",
                summary=(
                    f"The {label} clock of {vuln} ({comp}) in {product} {release} falls due on "
                    f"{when.isoformat()}."
                ),
                facts=(
                    *_finding_facts(product, release, comp, vuln, f.severity_value),
                    ("clock", label),
                    ("due", when.isoformat()),
                ),
                due=when,
            )
        )
    return out


def end_of_support_event(
    product: str, release: str, c: AssessedComponent, horizon: date
) -> Event | None:
    """The event of a component whose support ends on or before ``horizon``."""
    ends = c.support.end_of_support
    if ends is None or ends > horizon:
        return None
    comp = _component(c.component.name, c.component.version)
    return Event(
        key=f"end_of_support|{product}|{release}|{c.component.ref}|{ends}",
        kind=RuleKind.END_OF_SUPPORT,
        product=product,
        release=release,
        title=f"End of support on {ends.isoformat()}: {comp} in {product} {release}",
        summary=(
            f"Support for {comp} ({c.support.level.value}, source: {c.support.source or 'unknown'}"
            f") ends on {ends.isoformat()}."
        ),
        facts=(
            ("product", product),
            ("release", release),
            ("component", comp),
            ("end of support", ends.isoformat()),
        ),
        due=ends,
    )


def _applies(rule: Rule, product: str) -> bool:
    return rule.product is None or rule.product == product


def _from_assessment(rule: Rule, made: Assessment, today: date) -> list[Event]:
    horizon = today + timedelta(days=rule.within_days or 0)
    if rule.kind is RuleKind.CLOCK_DUE:
        return [
            e for f in made.findings for e in clock_events(made.product, made.release, f, horizon)
        ]
    found = (end_of_support_event(made.product, made.release, c, horizon) for c in made.components)
    return [e for e in found if e is not None]


def _from_delta(rule: Rule, delta: ReleaseDelta, made: Assessment | None) -> list[Event]:
    changed = (*delta.new, *delta.kev_added)
    if rule.kind is RuleKind.KEV_FINDING:
        found = (kev_event(delta.product, delta.release, c) for c in changed)
        return [e for e in found if e is not None]
    assert made is not None
    wanted = {(c.component_ref, c.vuln_id) for c in changed}
    return [
        uncontrolled_event(delta.product, delta.release, f)
        for f in made.findings
        if f.is_uncontrolled
        and (str(f.finding.component_ref), str(f.finding.vulnerability.id)) in wanted
    ]


class _Assessments:
    """Each release's stored assessment, read once per call."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store, self.now, self.made = store, now, dict[tuple[str, str], Assessment]()

    def get(self, product: str, release: str) -> Assessment:
        key = (product, release)
        if key not in self.made:
            self.made[key] = assessment(self.store, product, release, now=self.now)
        return self.made[key]


def events_for(
    store: Store, rules: list[Rule], deltas: Iterable[ReleaseDelta], now: datetime
) -> list[tuple[Rule, Event]]:
    """Every (rule, event) pair the rules select from the deltas and the stored data."""
    found: list[tuple[Rule, Event]] = []
    cache = _Assessments(store, now)
    delta_rules = [r for r in rules if not r.kind.needs_days]
    for delta in deltas:
        if delta.error is not None or not (delta.new or delta.kev_added):
            continue
        for rule in (r for r in delta_rules if _applies(r, delta.product)):
            needs = rule.kind is RuleKind.UNCONTROLLED_FINDING
            made = cache.get(delta.product, delta.release) if needs else None
            found.extend((rule, e) for e in _from_delta(rule, delta, made))
    dated = [r for r in rules if r.kind.needs_days]
    if dated:
        with store.session() as session:
            releases = list(inventory.iter_all_releases(session))
        for product, release in releases:
            for rule in (r for r in dated if _applies(r, product)):
                made = cache.get(product, release)
                found.extend((rule, e) for e in _from_assessment(rule, made, now.date()))
    return found


def notify_events(
    store: Store, deltas: Iterable[ReleaseDelta] = (), *, now: datetime
) -> QueueOutcome:
    """Queue, for every stored rule, the events it selects (see the module docstring).

    ``deltas`` are the release deltas of a watch run (``PortfolioDelta.releases``, or the
    releases an incremental watch re-scanned); clock and end-of-support rules read the stored
    assessments whether or not a delta is given. Each (channel, event) is queued once ever.
    """
    with store.session() as session:
        rules = notify_repo.rules(session)
    if not rules:
        return QueueOutcome(0, 0)
    pairs = events_for(store, rules, deltas, now)
    queued = 0
    with store.session() as session:
        for rule, event in sorted(pairs, key=lambda p: (p[0].id, p[1].key)):
            queued += notify_repo.enqueue(session, rule.id, rule.channel, event, now)
    return QueueOutcome(len(pairs), queued)
