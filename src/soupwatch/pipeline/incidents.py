"""Flows of incidents: open (from a disclosure report, a finding, an alert or a unit's drift),
list, show with the timeline, playbook steps, owner, the Part 806 decision and the ISAO record.

Each change is one transaction with its audit entry (subject ``incident:<n>``, attributed to the
caller); the timeline is read back from those entries, so it is exactly the hash-chained trail.
The rules are :mod:`soupwatch.incidents`'; who sees which unit is the caller's fleet scope
(``fleet.scope_of``, passed in by the edge as an :class:`~soupwatch.incidents.UnitScope`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from soupwatch import incidents as rules
from soupwatch.errors import IncidentError, NotFoundError
from soupwatch.model.fleet import Unit
from soupwatch.model.incident import (
    AffectedUnit,
    Incident,
    IncidentState,
    IsaoShare,
    Part806Decision,
    SourceKind,
    Step,
    StepDone,
    TimelineEntry,
)
from soupwatch.pipeline.assessments import device_context
from soupwatch.risk import Policy
from soupwatch.risk.records import load_learnt_dates
from soupwatch.store import alert_repo, finding_repo, incident_repo, provider_repo
from soupwatch.store.db import Session, Store
from soupwatch.vex import audit

SeesProduct = Callable[[str], bool]


def _subject(number: int) -> str:
    return f"incident:{number}"


def _everything(_product: str) -> bool:
    return True


def _units(
    session: Session,
    product: str | None,
    vulnerability: str | None,
    named: Sequence[tuple[str, str]],
    scope: rules.UnitScope | None,
) -> tuple[AffectedUnit, ...]:
    """The named units (serial, why) and the units running a release of ``product`` where a
    finding of ``vulnerability`` is open."""
    found: dict[str, AffectedUnit] = {}
    for serial, why in named:
        unit = incident_repo.unit(session, serial)
        if unit is None or (scope is not None and not scope.sees(unit)):
            raise NotFoundError(f"no unit with serial {serial[:128]!r}")
        if product is not None and unit.product != product:
            raise IncidentError(f"unit {serial} is not a unit of {product}", where="units")
        found[serial] = _affected(unit, why)
    if product is not None and vulnerability is not None:
        releases = sorted(
            {
                f.release
                for f in finding_repo.findings_of_vulnerability(session, vulnerability)
                if f.product == product and f.stored.is_open
            }
        )
        for unit in incident_repo.units_of_releases(session, [(product, r) for r in releases]):
            if unit.serial not in found:
                why = f"runs {unit.product} {unit.release}, where {vulnerability} is open"
                found[unit.serial] = _affected(unit, why)
    return tuple(found[s] for s in sorted(found))


def _affected(unit: Unit, why: str) -> AffectedUnit:
    return AffectedUnit(unit.serial, unit.product, unit.release, unit.customer, unit.site, why)


def _first_learnt(session: Session, product: str, vulnerability: str) -> date:
    """The day the clocks of the product's finding start: first identification in any of its
    releases, or the earlier day recorded with ``assess --learnt`` (``risk.records``), the
    same start the finding's own clocks use (``pipeline/assessments.py``)."""
    seen = [
        f.stored.first_seen.date()
        for f in finding_repo.findings_of_vulnerability(session, vulnerability)
        if f.product == product
    ]
    if not seen:
        raise IncidentError(
            f"product {product!r} has no finding of {vulnerability}", where="source"
        )
    recorded = load_learnt_dates(session, product).get(vulnerability)
    return min(seen) if recorded is None else min(min(seen), recorded[0])


def open_incident(
    store: Store,
    *,
    title: str,
    source_kind: str,
    source_ref: str,
    product: str | None = None,
    vulnerability: str | None = None,
    serials: Sequence[str] = (),
    owner: str | None = None,
    learnt_on: date | None = None,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Open an incident, audited ``incident.open``. The source fills what it knows: a
    disclosure report its product, vulnerability and the day it was received; a finding its
    vulnerability and first identification; an alert its unit, product, finding and first
    occurrence; a drift its unit and product. ``learnt_on`` (the
    FDA clocks' start) defaults to that day, else today, and may be set earlier, never later."""
    src = rules.source(source_kind, source_ref)
    title = rules.text("title", title, required=True)
    vuln = None if vulnerability is None else rules.vulnerability_id(vulnerability)
    named = [(s, "named when the incident was opened") for s in serials]
    with store.session() as session:  # read: what the source knows
        known: date | None = None
        if src.kind is SourceKind.DISCLOSURE:
            report = provider_repo.report(session, int(src.ref))
            product = product or report.product
            vuln = vuln or report.vulnerability
            known = report.received_at.date()
        elif src.kind is SourceKind.FINDING:
            vuln = src.ref
            if product is None:
                raise IncidentError("a finding source needs its product", where="product")
        elif src.kind is SourceKind.ALERT:
            alert = alert_repo.get_alert(session, int(src.ref))
            if alert is None:
                raise NotFoundError(f"no alert with id {src.ref[:32]}")
            unit = incident_repo.unit(session, alert.unit)  # None: a unit the fleet lacks
            if scope is not None and (unit is None or not scope.sees(unit)):
                raise NotFoundError(f"no alert with id {src.ref[:32]}")
            product = product or alert.product or (unit.product if unit else None)
            vuln = vuln or alert.vulnerability
            known = alert.first_seen.date()
            if unit is not None:  # telemetry may name a serial the fleet does not hold
                named.insert(0, (unit.serial, f"alert {alert.id}: {alert.title}"))
        elif src.kind is SourceKind.DRIFT:
            unit = incident_repo.unit(session, src.ref)
            if unit is None or (scope is not None and not scope.sees(unit)):
                raise NotFoundError(f"no unit with serial {src.ref[:128]!r}")
            product = product or unit.product
            named.insert(0, (unit.serial, "drift reported at check-in"))
        if product is not None and not sees_product(product):
            raise NotFoundError(f"no product named {product!r}")
        if src.kind is SourceKind.FINDING and product is not None and vuln is not None:
            known = _first_learnt(session, product, vuln)
    start = rules.check_learnt_on(learnt_on or known or now.date(), now.date())
    if known is not None and learnt_on is not None and learnt_on > known:
        raise IncidentError(
            f"learnt_on is after the source's own day {known.isoformat()}", where="learnt_on"
        )
    # the product's recorded response policy (NotFoundError for an unknown product)
    policy = device_context(store, product).policy if product is not None else Policy()
    due = rules.clocks(start, policy)
    with store.session() as session:  # write: the incident, its units, its audit entry
        units = _units(session, product, vuln, named, scope)
        made = Incident(
            number=0,
            title=title,
            state=IncidentState.OPEN,
            source=src,
            product=product,
            vulnerability=vuln,
            owner=rules.text("owner", owner or actor, required=True),
            clocks=due,
            opened_at=now,
            opened_by=actor,
            updated_at=now,
            units=units,
        )
        number = incident_repo.add_incident(session, made)
        audit.append(
            session,
            actor,
            "incident.open",
            _subject(number),
            None,
            {
                "title": title,
                "source": str(src),
                "product": product,
                "vulnerability": vuln,
                "owner": made.owner,
                "learnt_on": start.isoformat(),
                "communicate_by": due.communicate_by.isoformat(),
                "fix_by": due.fix_by.isoformat(),
                "units": [u.serial for u in units],
            },
            "incident opened",
            now,
        )
        return incident_repo.incident(session, number)


def list_incidents(
    store: Store,
    *,
    state: IncidentState | None = None,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
) -> list[Incident]:
    """The incidents the caller sees, newest first."""
    with store.session() as session:
        found = incident_repo.incidents(session, state)
    return [i for i in found if rules.visible(i, sees_product, scope)]


def get_incident(
    store: Store,
    number: int,
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
) -> Incident:
    """Incident ``number``; NotFoundError when there is none or the caller may not see it."""
    with store.session() as session:
        found = incident_repo.incident(session, number)
    if not rules.visible(found, sees_product, scope):
        raise NotFoundError(f"no incident number {number}")
    return found


def timeline(store: Store, number: int) -> list[TimelineEntry]:
    """The incident's audit entries, oldest first: every change, who, when, old → new."""
    subject = _subject(number)
    with store.session() as session:
        found = audit.entries_about(session, subject)
    return [
        TimelineEntry(e.seq, e.at, e.actor, e.action, e.old, e.new, e.reason)
        for e in found
        if e.subject == subject
    ]


Change = tuple[str, Any, Any, str]
"""What one change did, for its audit entry: the action, old, new and the reason."""


def _change(
    store: Store,
    number: int,
    sees_product: SeesProduct,
    scope: rules.UnitScope | None,
    actor: str,
    now: datetime,
    *applies: Callable[[Session, Incident], Change],
) -> Incident:
    """Lock the incident, check the caller sees it, apply each change in order and audit each
    under ``actor`` — all in one transaction: either every change is recorded or none."""
    with store.session() as session:
        current = incident_repo.lock(session, number)
        if not rules.visible(current, sees_product, scope):
            raise NotFoundError(f"no incident number {number}")
        for apply in applies:
            action, old, new, reason = apply(session, current)
            audit.append(session, actor, action, _subject(number), old, new, reason, now)
            current = incident_repo.incident(session, number)
        return current


def do_step(
    store: Store,
    number: int,
    step: str,
    note: str = "",
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Record a playbook step done (``close`` closes the incident: it needs every earlier step
    and the Part 806 decision), audited ``incident.step``."""
    try:
        chosen = Step(step)
    except ValueError as err:
        choices = ", ".join(s.value for s in Step)
        raise IncidentError(f"step must be one of {choices}", where="step") from err
    text = rules.text("note", note, multiline=True)

    def apply(session: Session, before: Incident) -> Change:
        rules.check_step(before, chosen)
        done = StepDone(chosen, actor, now, text)
        incident_repo.add_step(session, number, done)
        due = {
            c.step: c
            for c in rules.clock_status(replace(before, steps=(*before.steps, done)), now.date())
        }
        new: dict[str, Any] = {"step": chosen.value, "note": text}
        if chosen in due:
            new["clock"] = {"due": due[chosen].due.isoformat(), "state": due[chosen].state}
        return "incident.step", None, new, f"playbook step {chosen.value}"

    return _change(store, number, sees_product, scope, actor, now, apply)


def _owner_change(owner: str, now: datetime) -> Callable[[Session, Incident], Change]:
    name = rules.text("owner", owner, required=True)

    def apply(session: Session, before: Incident) -> Change:
        rules.check_open_for_change(before, "owner")
        after = replace(before, owner=name, updated_at=now)
        incident_repo.save(session, after)
        return "incident.owner", before.owner, name, "incident owner"

    return apply


def assign(
    store: Store,
    number: int,
    owner: str,
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Give the incident to ``owner``, audited ``incident.owner``."""
    apply = _owner_change(owner, now)
    return _change(store, number, sees_product, scope, actor, now, apply)


def _part806_change(
    reportable: bool, rationale: str, actor: str, now: datetime
) -> Callable[[Session, Incident], Change]:
    why = rules.text("rationale", rationale, multiline=True, required=True)

    def apply(session: Session, before: Incident) -> Change:
        rules.check_open_for_change(before, "part806")
        decision = Part806Decision(reportable, why, actor, now)
        after = replace(before, part806=decision, updated_at=now)
        incident_repo.save(session, after)
        old = None if before.part806 is None else _part806_json(before.part806)
        return "incident.part806", old, _part806_json(decision), "Part 806 decision"

    return apply


def decide_part806(
    store: Store,
    number: int,
    reportable: bool,
    rationale: str,
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Record (or revise, while open) the 21 CFR Part 806 reporting decision with its
    rationale, audited ``incident.part806``."""
    apply = _part806_change(reportable, rationale, actor, now)
    return _change(store, number, sees_product, scope, actor, now, apply)


def _part806_json(d: Part806Decision) -> dict[str, Any]:
    return {"reportable": d.reportable, "rationale": d.rationale}


def _isao_change(
    organisation: str, shared_on: date, reference: str, actor: str, now: datetime
) -> Callable[[Session, Incident], Change]:
    org = rules.text("organisation", organisation, required=True)
    ref = rules.text("reference", reference)
    if shared_on > now.date():
        raise IncidentError("shared_on lies in the future", where="shared_on")

    def apply(session: Session, before: Incident) -> Change:
        rules.check_open_for_change(before, "isao")
        share = IsaoShare(org, shared_on, ref, actor, now)
        after = replace(before, isao=share, updated_at=now)
        incident_repo.save(session, after)
        new = {"organisation": org, "shared_on": shared_on.isoformat(), "reference": ref}
        old = None
        if before.isao is not None:
            old = {
                "organisation": before.isao.organisation,
                "shared_on": before.isao.shared_on.isoformat(),
                "reference": before.isao.reference,
            }
        return "incident.isao", old, new, "ISAO sharing recorded"

    return apply


def record_isao(
    store: Store,
    number: int,
    organisation: str,
    shared_on: date,
    reference: str = "",
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Record what was shared with an ISAO (with whom, on which day, its reference), audited
    ``incident.isao``."""
    apply = _isao_change(organisation, shared_on, reference, actor, now)
    return _change(store, number, sees_product, scope, actor, now, apply)


def refresh_units(
    store: Store,
    number: int,
    *,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Add the units that run a release of the incident's product where its vulnerability is
    open now but were not listed (installed or moved since), audited ``incident.units``. Units
    listed before stay: the record says who was affected, and a patched unit shows in the
    fleet's patch status, not by vanishing from the incident."""

    def apply(session: Session, before: Incident) -> Change:
        rules.check_open_for_change(before, "units")
        listed = {u.serial for u in before.units}
        found = _units(session, before.product, before.vulnerability, [], None)
        day = now.date().isoformat()
        added = [replace(u, why=f"{u.why} (found {day})") for u in found if u.serial not in listed]
        incident_repo.add_units(session, number, added)
        new = {"added": [u.serial for u in added], "listed": len(listed) + len(added)}
        return "incident.units", {"listed": len(listed)}, new, "affected units refreshed"

    return _change(store, number, sees_product, scope, actor, now, apply)


def change_incident(
    store: Store,
    number: int,
    *,
    owner: str | None = None,
    part806: tuple[bool, str] | None = None,
    isao: tuple[str, date, str] | None = None,
    sees_product: SeesProduct = _everything,
    scope: rules.UnitScope | None = None,
    actor: str,
    now: datetime,
) -> Incident:
    """Several changes at once (owner, Part 806 decision ``(reportable, rationale)``, ISAO
    record ``(organisation, shared_on, reference)``), each its own audit entry, all in one
    transaction: a change that is refused leaves the others unrecorded too."""
    applies: list[Callable[[Session, Incident], Change]] = []
    if owner is not None:
        applies.append(_owner_change(owner, now))
    if part806 is not None:
        applies.append(_part806_change(*part806, actor, now))
    if isao is not None:
        applies.append(_isao_change(*isao, actor, now))
    return _change(store, number, sees_product, scope, actor, now, *applies)
