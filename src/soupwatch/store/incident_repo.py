"""Reads and writes of the incident tables (``store/incident_tables.py``); the rules of what
may change are ``incidents/rules.py``'s, the flows ``pipeline/incidents.py``'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soupwatch.errors import NotFoundError
from soupwatch.model.fleet import Unit
from soupwatch.model.incident import (
    AffectedUnit,
    Incident,
    IncidentClocks,
    IncidentState,
    IsaoShare,
    Part806Decision,
    Source,
    SourceKind,
    Step,
    StepDone,
)
from soupwatch.store.fleet_repo import UnitFilter, get_unit, list_units
from soupwatch.store.incident_tables import IncidentRow, IncidentStepRow, IncidentUnitRow

MAX_UNITS = 1_000_000
"""Units one release may run (a bound, not a page)."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _incident(
    row: IncidentRow, units: Sequence[AffectedUnit], steps: Sequence[StepDone]
) -> Incident:
    part806 = None
    if row.part806_reportable is not None:
        part806 = Part806Decision(
            reportable=row.part806_reportable,
            rationale=row.part806_rationale or "",
            decided_by=row.part806_by or "",
            decided_at=_utc(row.part806_at or row.updated_at),
        )
    isao = None
    if row.isao_organisation is not None and row.isao_shared_on is not None:
        isao = IsaoShare(
            organisation=row.isao_organisation,
            shared_on=row.isao_shared_on,
            reference=row.isao_reference or "",
            recorded_by=row.isao_by or "",
            recorded_at=_utc(row.isao_at or row.updated_at),
        )
    order = {s: i for i, s in enumerate(Step)}
    return Incident(
        number=row.id,
        title=row.title,
        state=IncidentState(row.state),
        source=Source(SourceKind(row.source_kind), row.source_ref),
        product=row.product,
        vulnerability=row.vulnerability,
        owner=row.owner,
        clocks=IncidentClocks(row.learnt_on, row.communicate_by, row.fix_by, row.clock_basis),
        opened_at=_utc(row.opened_at),
        opened_by=row.opened_by,
        updated_at=_utc(row.updated_at),
        units=tuple(sorted(units, key=lambda u: u.serial)),
        steps=tuple(sorted(steps, key=lambda s: order[s.step])),
        part806=part806,
        isao=isao,
    )


def add_incident(session: Session, incident: Incident) -> int:
    """Store a new incident with its units (``number`` is ignored); its number."""
    row = IncidentRow(
        title=incident.title,
        state=incident.state.value,
        source_kind=incident.source.kind.value,
        source_ref=incident.source.ref,
        product=incident.product,
        vulnerability=incident.vulnerability,
        owner=incident.owner,
        learnt_on=incident.clocks.learnt_on,
        communicate_by=incident.clocks.communicate_by,
        fix_by=incident.clocks.fix_by,
        clock_basis=incident.clocks.explanation,
        opened_at=incident.opened_at,
        opened_by=incident.opened_by,
        updated_at=incident.updated_at,
    )
    session.add(row)
    session.flush()
    add_units(session, row.id, incident.units)
    return row.id


def _many(session: Session, rows: Sequence[IncidentRow]) -> list[Incident]:
    ids = [r.id for r in rows]
    units: dict[int, list[AffectedUnit]] = defaultdict(list)
    steps: dict[int, list[StepDone]] = defaultdict(list)
    if ids:
        for u in session.scalars(
            select(IncidentUnitRow).where(IncidentUnitRow.incident_id.in_(ids))
        ):
            units[u.incident_id].append(
                AffectedUnit(u.serial, u.product, u.release, u.customer, u.site, u.why)
            )
        for s in session.scalars(
            select(IncidentStepRow).where(IncidentStepRow.incident_id.in_(ids))
        ):
            steps[s.incident_id].append(StepDone(Step(s.step), s.done_by, _utc(s.done_at), s.note))
    return [_incident(r, units[r.id], steps[r.id]) for r in rows]


def incident(session: Session, number: int) -> Incident:
    """Incident ``number``; NotFoundError when there is none."""
    row = session.get(IncidentRow, number)
    if row is None:
        raise NotFoundError(f"no incident number {number}")
    return _many(session, [row])[0]


def incidents(session: Session, state: IncidentState | None = None) -> list[Incident]:
    """Every incident (of ``state``), newest first."""
    query = select(IncidentRow).order_by(IncidentRow.id.desc())
    if state is not None:
        query = query.where(IncidentRow.state == state.value)
    return _many(session, list(session.scalars(query)))


def lock(session: Session, number: int) -> Incident:
    """Incident ``number``, its row locked for update (PostgreSQL; SQLite's writer lock)."""
    row = session.scalars(
        select(IncidentRow).where(IncidentRow.id == number).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"no incident number {number}")
    return _many(session, [row])[0]


def add_step(session: Session, number: int, done: StepDone) -> None:
    """Record a playbook step done (and the incident closed when it is the close step)."""
    session.add(
        IncidentStepRow(
            incident_id=number,
            step=done.step.value,
            done_by=done.done_by,
            done_at=done.done_at,
            note=done.note,
        )
    )
    values: dict[str, object] = {"updated_at": done.done_at}
    if done.step is Step.CLOSE:
        values["state"] = IncidentState.CLOSED.value
    session.execute(update(IncidentRow).where(IncidentRow.id == number).values(**values))
    session.flush()


def save(session: Session, after: Incident) -> None:
    """Write the owner, Part 806 decision and ISAO record of ``after``."""
    d, i = after.part806, after.isao
    session.execute(
        update(IncidentRow)
        .where(IncidentRow.id == after.number)
        .values(
            owner=after.owner,
            updated_at=after.updated_at,
            part806_reportable=None if d is None else d.reportable,
            part806_rationale=None if d is None else d.rationale,
            part806_by=None if d is None else d.decided_by,
            part806_at=None if d is None else d.decided_at,
            isao_organisation=None if i is None else i.organisation,
            isao_shared_on=None if i is None else i.shared_on,
            isao_reference=None if i is None else i.reference,
            isao_by=None if i is None else i.recorded_by,
            isao_at=None if i is None else i.recorded_at,
        )
    )
    session.flush()


def add_units(session: Session, number: int, units: Sequence[AffectedUnit]) -> None:
    """Add affected units to an incident (the caller leaves out those it lists already)."""
    for u in units:
        session.add(
            IncidentUnitRow(
                incident_id=number,
                serial=u.serial,
                product=u.product,
                release=u.release,
                customer=u.customer,
                site=u.site,
                why=u.why[:255],
            )
        )
    session.flush()


def unit(session: Session, serial: str) -> Unit | None:
    """The unit with ``serial``, or None."""
    return get_unit(session, serial)


def units_of_releases(session: Session, pairs: Iterable[tuple[str, str]]) -> list[Unit]:
    """The units running any of the (product, release) pairs, by serial."""
    wanted = sorted(set(pairs))
    out: list[Unit] = []
    for product, release in wanted:
        out.extend(_units_of(session, product, release))
    return sorted(out, key=lambda u: u.serial)


def _units_of(session: Session, product: str, release: str) -> list[Unit]:
    return list_units(session, UnitFilter(product=product, release=release), limit=MAX_UNITS)
