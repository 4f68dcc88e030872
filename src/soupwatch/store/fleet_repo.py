"""Reads and writes of the fleet tables (``store/fleet_tables.py``); ``fleet/`` judges them.

Bulk paths (an import of 50,000 units, the impact of a vulnerability over every unit) run a
fixed number of queries whatever the fleet's size: units are read and written in chunks of
:data:`CHUNK`, and the impact groups units per release, site and customer in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from soupwatch.errors import NotFoundError
from soupwatch.model.fleet import Drift, ReportedComponent, Unit, UnitMove, UnitStatus
from soupwatch.store.fleet_tables import CustomerTeamRow, DriftRow, UnitMoveRow, UnitRow
from soupwatch.store.identity_tables import TeamMemberRow, TeamRow, UserRow
from soupwatch.store.locks import begin_write
from soupwatch.store.tables import ComponentRow, ProductRow, ReleaseRow

CHUNK = 1000
"""Serials per ``IN (…)`` query (well under SQLite's and PostgreSQL's parameter limits)."""


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; we store UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def release_ids(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the stored (product, release) pairs among ``pairs`` (missing ones left out)."""
    wanted = set(pairs)
    products = sorted({p for p, _ in wanted})
    out: dict[tuple[str, str], int] = {}
    for start in range(0, len(products), CHUNK):
        rows = session.execute(
            select(ProductRow.name, ReleaseRow.version, ReleaseRow.id)
            .join(ReleaseRow, ReleaseRow.product_id == ProductRow.id)
            .where(ProductRow.name.in_(products[start : start + CHUNK]))
        )
        for product, version, rid in rows:
            if (product, version) in wanted:
                out[(product, version)] = rid
    return out


def _product_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    return dict(
        session.execute(
            select(ProductRow.name, ProductRow.id).where(ProductRow.name.in_(sorted(set(names))))
        ).all()
    )


def products_of_serials(session: Session, serials: Sequence[str]) -> dict[str, str]:
    """The product of each stored unit among ``serials``."""
    out: dict[str, str] = {}
    for start in range(0, len(serials), CHUNK):
        out.update(
            session.execute(
                select(UnitRow.serial, ProductRow.name)
                .join(ProductRow, ProductRow.id == UnitRow.product_id)
                .where(UnitRow.serial.in_(serials[start : start + CHUNK]))
            ).all()
        )
    return out


def _unit_values(u: Unit, product_id: int, release_id: int, now: datetime) -> dict[str, Any]:
    return {
        "serial": u.serial,
        "product_id": product_id,
        "release_id": release_id,
        "site": u.site,
        "customer": u.customer,
        "location": u.location,
        "network_zone": u.network_zone,
        "installed_on": u.installed_on,
        "release_since": u.release_since,
        "last_check_in": u.last_check_in,
        "status": u.status.value,
        "updated_at": now,
    }


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What an import stored."""

    added: int
    updated: int
    moved: int


def save_units(session: Session, units: Sequence[Unit], now: datetime, how: str) -> SaveResult:
    """Insert new units and update known ones (by serial), in the caller's transaction.

    Every (product, release) must be stored (the caller checked; NotFoundError otherwise). A
    unit whose release changes gets a move dated ``release_since`` (None: unknown); a new unit
    gets its first-install move dated ``release_since`` or else ``installed_on``.
    """
    rids = release_ids(session, {(u.product, u.release) for u in units})
    pids = _product_ids(session, {u.product for u in units})
    for u in units:
        if (u.product, u.release) not in rids:
            raise NotFoundError(f"no release {u.product} {u.release} is stored")
    begin_write(session)
    added = updated = moved = 0
    for start in range(0, len(units), CHUNK):
        batch = units[start : start + CHUNK]
        known = {
            serial: (uid, release, check_in)
            for serial, uid, release, check_in in session.execute(
                select(UnitRow.serial, UnitRow.id, UnitRow.release_id, UnitRow.last_check_in).where(
                    UnitRow.serial.in_([u.serial for u in batch])
                )
            )
        }
        new_rows: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        for u in batch:
            rid = rids[(u.product, u.release)]
            values = _unit_values(u, pids[u.product], rid, now)
            found = known.get(u.serial)
            if found is None:
                new_rows.append(values)
                continue
            uid, old_release, check_in = found
            if old_release != rid:
                moves.append(
                    {
                        "unit_id": uid,
                        "from_release_id": old_release,
                        "to_release_id": rid,
                        "moved_on": u.release_since,
                        "how": how,
                        "recorded_at": now,
                    }
                )
            if values["last_check_in"] is None:
                values["last_check_in"] = check_in  # an export without check-ins keeps them
            changed.append({"id": uid, **values})
        if changed:  # one executemany by primary key, not one ORM object per unit
            session.execute(update(UnitRow), changed)
            updated += len(changed)
        if new_rows:
            session.execute(insert(UnitRow), new_rows)
            ids = dict(
                session.execute(
                    select(UnitRow.serial, UnitRow.id).where(
                        UnitRow.serial.in_([v["serial"] for v in new_rows])
                    )
                ).all()
            )
            for v in new_rows:
                moves.append(
                    {
                        "unit_id": ids[v["serial"]],
                        "from_release_id": None,
                        "to_release_id": v["release_id"],
                        "moved_on": v["release_since"] or v["installed_on"],
                        "how": how,
                        "recorded_at": now,
                    }
                )
            added += len(new_rows)
        if moves:
            session.execute(insert(UnitMoveRow), moves)
            moved += len(moves)
    session.flush()
    return SaveResult(added, updated, moved)


_UNIT_COLUMNS = (
    UnitRow,
    ProductRow.name,
    ReleaseRow.version,
)


def _unit(row: UnitRow, product: str, release: str) -> Unit:
    return Unit(
        serial=row.serial,
        product=product,
        release=release,
        site=row.site,
        customer=row.customer,
        location=row.location,
        network_zone=row.network_zone,
        installed_on=row.installed_on,
        last_check_in=_aware(row.last_check_in),
        status=UnitStatus(row.status),
        release_since=row.release_since,
    )


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Which units to list (None: any); ``customers``/``products`` narrow to what a caller sees."""

    product: str | None = None
    release: str | None = None
    site: str | None = None
    customer: str | None = None
    status: UnitStatus | None = None
    products: frozenset[str] | None = None
    customers: frozenset[str] | None = None


def _filtered(query: Any, f: UnitFilter) -> Any:
    if f.product is not None:
        query = query.where(ProductRow.name == f.product)
    if f.release is not None:
        query = query.where(ReleaseRow.version == f.release)
    if f.site is not None:
        query = query.where(UnitRow.site == f.site)
    if f.customer is not None:
        query = query.where(UnitRow.customer == f.customer)
    if f.status is not None:
        query = query.where(UnitRow.status == f.status.value)
    if f.products is not None:
        query = query.where(ProductRow.name.in_(sorted(f.products)))
    if f.customers is not None:
        query = query.where(UnitRow.customer.in_(sorted(f.customers)))
    return query


def list_units(session: Session, f: UnitFilter, limit: int, offset: int = 0) -> list[Unit]:
    """The units ``f`` selects, by serial."""
    query = (
        select(*_UNIT_COLUMNS)
        .join(ProductRow, ProductRow.id == UnitRow.product_id)
        .join(ReleaseRow, ReleaseRow.id == UnitRow.release_id)
    )
    query = _filtered(query, f).order_by(UnitRow.serial).limit(limit).offset(offset)
    return [_unit(row, p, r) for row, p, r in session.execute(query)]


def get_unit(session: Session, serial: str) -> Unit | None:
    """The unit with ``serial``, or None."""
    found = session.execute(
        select(*_UNIT_COLUMNS)
        .join(ProductRow, ProductRow.id == UnitRow.product_id)
        .join(ReleaseRow, ReleaseRow.id == UnitRow.release_id)
        .where(UnitRow.serial == serial)
    ).one_or_none()
    return None if found is None else _unit(found[0], found[1], found[2])


def units_by_serial(session: Session, serials: Iterable[str]) -> dict[str, Unit]:
    """The units of these serials (a serial the fleet does not know is left out)."""
    found = session.execute(
        select(*_UNIT_COLUMNS)
        .join(ProductRow, ProductRow.id == UnitRow.product_id)
        .join(ReleaseRow, ReleaseRow.id == UnitRow.release_id)
        .where(UnitRow.serial.in_(sorted(set(serials))))
    )
    return {row.serial: _unit(row, p, r) for row, p, r in found}


def moves_of(session: Session, serial: str) -> list[UnitMove]:
    """A unit's moves, oldest first (by the day when known, then as recorded)."""
    rows = session.execute(
        select(UnitMoveRow, ProductRow.name, UnitRow.serial)
        .join(UnitRow, UnitRow.id == UnitMoveRow.unit_id)
        .join(ProductRow, ProductRow.id == UnitRow.product_id)
        .where(UnitRow.serial == serial)
        .order_by(UnitMoveRow.recorded_at, UnitMoveRow.id)
    ).all()
    versions = _versions(
        session,
        {m.to_release_id for m, _, _ in rows}
        | {m.from_release_id for m, _, _ in rows if m.from_release_id is not None},
    )
    return [
        UnitMove(
            serial=s,
            product=p,
            from_release=versions.get(m.from_release_id) if m.from_release_id else None,
            to_release=versions[m.to_release_id],
            moved_on=m.moved_on,
            how=m.how,
        )
        for m, p, s in rows
    ]


def _versions(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(ReleaseRow.id, ReleaseRow.version).where(ReleaseRow.id.in_(sorted(ids)))
        ).all()
    )


def release_component_versions(session: Session, product: str, release: str) -> dict[str, set[str]]:
    """Per component name (lower-cased), the versions the release's SBOM lists."""
    rid = release_ids(session, [(product, release)])[(product, release)]
    out: dict[str, set[str]] = defaultdict(set)
    for name, version in session.execute(
        select(ComponentRow.name, ComponentRow.version).where(ComponentRow.release_id == rid)
    ):
        out[name.lower()]
        if version:
            out[name.lower()].add(version)
    return dict(out)


def check_in(
    session: Session,
    serial: str,
    release: str,
    when: datetime,
    reported: Sequence[ReportedComponent] | None,
    drifts: Sequence[Drift],
) -> UnitMove | None:
    """Record a check-in: the time, the release (a move when it changed, dated ``when``), the
    reported components, and the drift found (earlier drift of the unit resolved)."""
    row = session.scalars(select(UnitRow).where(UnitRow.serial == serial)).one()
    product = session.scalar(select(ProductRow.name).where(ProductRow.id == row.product_id))
    assert product is not None
    rid = release_ids(session, [(product, release)])[(product, release)]
    move = None
    if row.release_id != rid:
        old = _versions(session, {row.release_id})[row.release_id]
        session.add(
            UnitMoveRow(
                unit_id=row.id,
                from_release_id=row.release_id,
                to_release_id=rid,
                moved_on=when.date(),
                how="check-in",
                recorded_at=when,
            )
        )
        move = UnitMove(serial, product, old, release, when.date(), "check-in")
        row.release_id, row.release_since = rid, when.date()
    row.last_check_in, row.updated_at = when, when
    if reported is not None:
        row.reported = [{"name": c.name, "version": c.version} for c in reported]
        session.execute(
            update(DriftRow)
            .where(DriftRow.unit_id == row.id, DriftRow.resolved_at.is_(None))
            .values(resolved_at=when)
        )
        for d in drifts:
            session.add(
                DriftRow(
                    unit_id=row.id,
                    release_id=rid,
                    component=d.component,
                    expected=list(d.expected),
                    reported=d.reported,
                    detected_at=d.detected_at,
                    resolved_at=None,
                )
            )
    session.flush()
    return move


def open_drift(
    session: Session,
    serial: str | None = None,
    customers: frozenset[str] | None = None,
    products: frozenset[str] | None = None,
) -> list[Drift]:
    """The unresolved drift (of one unit, or of every unit the caller sees), by serial."""
    query = (
        select(DriftRow, UnitRow.serial, ProductRow.name, ReleaseRow.version)
        .join(UnitRow, UnitRow.id == DriftRow.unit_id)
        .join(ProductRow, ProductRow.id == UnitRow.product_id)
        .join(ReleaseRow, ReleaseRow.id == DriftRow.release_id)
        .where(DriftRow.resolved_at.is_(None))
    )
    if serial is not None:
        query = query.where(UnitRow.serial == serial)
    query = _filtered(query, UnitFilter(products=products, customers=customers))
    out = [
        Drift(
            s,
            p,
            r,
            d.component,
            tuple(d.expected),
            d.reported,
            _aware(d.detected_at) or d.detected_at,
        )
        for d, s, p, r in session.execute(query.order_by(UnitRow.serial, DriftRow.component))
    ]
    return out


def record_campaign(
    session: Session,
    serials: Sequence[str],
    product: str,
    release: str,
    moved_on: date | None,
    how: str,
    now: datetime,
) -> list[UnitMove]:
    """Move the units to ``release`` of ``product`` (a campaign); units already there stay."""
    rid = release_ids(session, [(product, release)]).get((product, release))
    if rid is None:
        raise NotFoundError(f"no release {product} {release} is stored")
    begin_write(session)
    rows = {
        r.serial: r
        for start in range(0, len(serials), CHUNK)
        for r in session.scalars(
            select(UnitRow).where(UnitRow.serial.in_(serials[start : start + CHUNK]))
        )
    }
    pid = _product_ids(session, [product])[product]
    for serial in serials:
        row = rows.get(serial)
        if row is None or row.product_id != pid:
            raise NotFoundError(f"no unit {serial!r} of {product}")
    old = _versions(session, {r.release_id for r in rows.values()})
    out: list[UnitMove] = []
    moves: list[dict[str, Any]] = []
    for serial in serials:
        row = rows[serial]
        if row.release_id == rid:
            continue
        moves.append(
            {
                "unit_id": row.id,
                "from_release_id": row.release_id,
                "to_release_id": rid,
                "moved_on": moved_on,
                "how": how,
                "recorded_at": now,
            }
        )
        out.append(UnitMove(serial, product, old[row.release_id], release, moved_on, how))
        row.release_id, row.release_since, row.updated_at = rid, moved_on, now
    if moves:
        session.execute(insert(UnitMoveRow), moves)
    session.flush()
    return out


@dataclass(frozen=True, slots=True)
class UnitsAt:
    """How many units of one release (by id) are at one site of one customer."""

    release_id: int
    customer: str
    site: str
    units: int


def units_at(
    session: Session, release_ids: Iterable[int], customers: frozenset[str] | None
) -> list[UnitsAt]:
    """Units of the releases grouped by release, customer and site: one grouped query that
    reads only the covering index ``ix_fleet_units_release``."""
    rids = sorted(set(release_ids))
    if not rids:
        return []
    query = (
        select(UnitRow.release_id, UnitRow.customer, UnitRow.site, func.count())
        .where(UnitRow.release_id.in_(rids))
        .group_by(UnitRow.release_id, UnitRow.customer, UnitRow.site)
    )
    if customers is not None:
        query = query.where(UnitRow.customer.in_(sorted(customers)))
    return [UnitsAt(rid, c, site, int(n)) for rid, c, site, n in session.execute(query)]


def set_customer(session: Session, team: str, customer: str, granted: bool) -> bool:
    """Map the customer to the team (or take it back); False when nothing changed."""
    tid = session.scalar(select(TeamRow.id).where(TeamRow.name == team))
    if tid is None:
        raise NotFoundError(f"no team named {team!r}")
    row = session.get(CustomerTeamRow, (tid, customer))
    if granted and row is None:
        session.add(CustomerTeamRow(team_id=tid, customer=customer))
    elif not granted and row is not None:
        session.delete(row)
    else:
        return False
    session.flush()
    return True


def customers_of_user(session: Session, user: str) -> frozenset[str]:
    """The customers mapped to any of the user's teams."""
    return frozenset(
        session.scalars(
            select(CustomerTeamRow.customer)
            .join(TeamMemberRow, TeamMemberRow.team_id == CustomerTeamRow.team_id)
            .join(UserRow, UserRow.id == TeamMemberRow.user_id)
            .where(UserRow.name == user)
        )
    )


@dataclass(frozen=True, slots=True)
class StoredRelease:
    """A release of a product with the time it was stored (its place in the release order)."""

    id: int
    version: str
    released_at: datetime


@dataclass(frozen=True, slots=True)
class UnitHistory:
    """A unit with its current release and every move."""

    serial: str
    site: str
    customer: str
    release_id: int
    moves: tuple[tuple[int | None, int, date | None], ...]
    """(from release id, to release id, day or None), in recorded order."""


@dataclass(frozen=True, slots=True)
class ProductHistory:
    """The releases and units of one product with every move (three queries); the fleet's
    patch status and metrics are computed from it and the stored findings."""

    product: str
    releases: tuple[StoredRelease, ...]
    """In release order: stored time, then id."""
    units: tuple[UnitHistory, ...]


def product_history(
    session: Session, product: str, customers: frozenset[str] | None = None
) -> ProductHistory:
    """The releases, units and moves of ``product`` (units of ``customers`` only, if given)."""
    pid = session.scalar(select(ProductRow.id).where(ProductRow.name == product))
    if pid is None:
        raise NotFoundError(f"no product named {product!r}; see `soupwatch products list`")
    releases = tuple(
        StoredRelease(r.id, r.version, _aware(r.imported_at) or r.imported_at)
        for r in session.scalars(
            select(ReleaseRow)
            .where(ReleaseRow.product_id == pid)
            .order_by(ReleaseRow.imported_at, ReleaseRow.id)
        )
    )
    unit_query = select(UnitRow).where(UnitRow.product_id == pid)
    if customers is not None:
        unit_query = unit_query.where(UnitRow.customer.in_(sorted(customers)))
    unit_rows = list(session.scalars(unit_query.order_by(UnitRow.serial)))
    moves: dict[int, list[tuple[int | None, int, date | None]]] = defaultdict(list)
    for m in session.scalars(
        select(UnitMoveRow)
        .join(UnitRow, UnitRow.id == UnitMoveRow.unit_id)
        .where(UnitRow.product_id == pid)
        .order_by(UnitMoveRow.recorded_at, UnitMoveRow.id)
    ):
        moves[m.unit_id].append((m.from_release_id, m.to_release_id, m.moved_on))
    units = tuple(
        UnitHistory(u.serial, u.site, u.customer, u.release_id, tuple(moves.get(u.id, ())))
        for u in unit_rows
    )
    return ProductHistory(product, releases, units)
