"""Fleet flows: import units, check-ins (with drift), update campaigns, customer mapping, and
what a caller may see of the fleet. Every change is one transaction with its audit entry.

Who sees which unit: a principal sees the units of the products it sees
(:class:`~soupwatch.model.access.Principal`); a role in
:data:`~soupwatch.model.access.SEES_OWN_CUSTOMERS_ONLY` (the hospital customer) moreover sees
only the units of the customers mapped to its teams. A unit it may not see is answered as if
it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from soupwatch.config import InputLimits
from soupwatch.errors import FleetError, NotFoundError
from soupwatch.fleet.importer import SERIAL, ImportedUnit, parse_units, read_units, unit_from_fields
from soupwatch.model.access import SEES_OWN_CUSTOMERS_ONLY, Principal
from soupwatch.model.fleet import MAX_TEXT, Drift, ReportedComponent, Unit, UnitMove
from soupwatch.store import fleet_repo as repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

MAX_REPORTED = 100_000
"""Components one check-in may report."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What of the fleet a caller sees (None: no narrowing)."""

    products: frozenset[str] | None = None
    customers: frozenset[str] | None = None

    def sees(self, unit: Unit) -> bool:
        """Whether the unit is visible."""
        return (self.products is None or unit.product in self.products) and (
            self.customers is None or unit.customer in self.customers
        )


EVERYTHING = Scope()
"""The CLI's scope: the local operator sees the whole fleet."""


def scope_of(store: Store, principal: Principal) -> Scope:
    """The fleet ``principal`` sees."""
    customers = None
    if principal.role in SEES_OWN_CUSTOMERS_ONLY:
        with store.session() as session:
            customers = repo.customers_of_user(session, principal.name)
    return Scope(principal.products, customers)


def unit_not_found(serial: str) -> NotFoundError:
    """The one answer for a unit that does not exist or that the caller may not see."""
    return NotFoundError(f"no unit with serial {serial[:128]!r}")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored."""

    source: str
    units: int
    added: int
    updated: int
    moves: int


def _store_units(
    store: Store,
    items: Sequence[ImportedUnit],
    source: str,
    *,
    actor: str,
    now: datetime,
    may_import: Callable[[str], bool] | None = None,
) -> ImportResult:
    with store.session() as session:
        known = repo.release_ids(session, {(i.unit.product, i.unit.release) for i in items})
        owners = repo.products_of_serials(session, [i.unit.serial for i in items])
        for item in items:
            u = item.unit
            if owners.get(u.serial, u.product) != u.product:
                raise FleetError(
                    f"serial {u.serial!r} is already a unit of another product (a unit never "
                    "changes device model)",
                    path=source,
                    where=f"{item.where}, column serial",
                )
            if may_import is not None and not may_import(u.product):
                raise NotFoundError(
                    f"no product named {u.product!r}", path=source, where=item.where
                )
            if (u.product, u.release) not in known:
                raise FleetError(
                    f"no release {u.product} {u.release} is stored (import its SBOM first)",
                    path=source,
                    where=f"{item.where}, column release",
                )
        saved = repo.save_units(session, [i.unit for i in items], now, f"import:{source}"[:255])
        audit.append(
            session,
            actor,
            "fleet.import",
            f"fleet:{source}"[:255],
            None,
            {"units": len(items), "added": saved.added, "updated": saved.updated},
            "deployed units imported",
            now,
        )
    return ImportResult(source, len(items), saved.added, saved.updated, saved.moved)


def import_units(
    store: Store,
    raw: bytes,
    source: str,
    limits: InputLimits,
    *,
    actor: str,
    now: datetime,
    may_import: Callable[[str], bool] | None = None,
) -> ImportResult:
    """Import an export's bytes (CSV or JSON, :mod:`soupwatch.fleet.importer`); all or
    nothing: the first bad row is a one-line error naming ``source``, line and column."""
    items = parse_units(raw, source, limits)
    return _store_units(store, items, source, actor=actor, now=now, may_import=may_import)


def import_file(
    store: Store, path: Path, limits: InputLimits, *, actor: str, now: datetime
) -> ImportResult:
    """Import an export file (``soupwatch fleet import``): read whole, checked, then stored in
    one transaction."""
    return _store_units(store, read_units(path, limits), str(path), actor=actor, now=now)


def import_records(
    store: Store,
    records: Sequence[dict[str, object]],
    *,
    actor: str,
    now: datetime,
    may_import: Callable[[str], bool] | None = None,
) -> ImportResult:
    """Import units given as records (the API's JSON body), checked like a file's rows."""

    def fail(message: str, where: str) -> FleetError:
        return FleetError(message, path="body", where=where)

    items = [
        ImportedUnit(unit_from_fields(r, f"units[{i}]", fail), f"units[{i}]")
        for i, r in enumerate(records)
    ]
    seen: set[str] = set()
    for item in items:
        if item.unit.serial in seen:
            raise fail(f"serial {item.unit.serial!r} is listed twice", item.where)
        seen.add(item.unit.serial)
    return _store_units(store, items, "api", actor=actor, now=now, may_import=may_import)


def find_unit(store: Store, serial: str, scope: Scope) -> Unit:
    """The unit, if the scope sees it (else NotFoundError, as for a unit that does not exist)."""
    with store.session() as session:
        unit = repo.get_unit(session, serial)
    if unit is None or not scope.sees(unit):
        raise unit_not_found(serial)
    return unit


def list_units(
    store: Store, f: repo.UnitFilter, scope: Scope, *, limit: int = 100, offset: int = 0
) -> list[Unit]:
    """The units the filter selects among those the scope sees, by serial."""
    narrowed = repo.UnitFilter(
        f.product, f.release, f.site, f.customer, f.status, scope.products, scope.customers
    )
    with store.session() as session:
        return repo.list_units(session, narrowed, limit, offset)


def unit_moves(store: Store, serial: str) -> list[UnitMove]:
    """A unit's moves between releases, oldest first."""
    with store.session() as session:
        return repo.moves_of(session, serial)


def unit_drift(store: Store, scope: Scope, serial: str | None = None) -> list[Drift]:
    """Unresolved drift (one unit's, or every visible unit's), with its evidence."""
    with store.session() as session:
        return repo.open_drift(session, serial, scope.customers, scope.products)


def reported_components(items: object, where: str = "components") -> list[ReportedComponent]:
    """A check-in's ``components``: a list of ``{"name": …, "version": …}``."""
    if not isinstance(items, list):
        raise FleetError("components must be a list of {name, version}", where=where)
    if len(items) > MAX_REPORTED:
        raise FleetError(f"{len(items)} components, above {MAX_REPORTED}", where=where)
    out = []
    for index, item in enumerate(items):
        place = f"{where}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise FleetError("a component needs a name (text)", where=place)
        version = item.get("version")
        if version is not None and not isinstance(version, str):
            raise FleetError("a component's version must be text", where=place)
        name = item["name"].strip()
        if not name or len(name) > MAX_TEXT or (version is not None and len(version) > MAX_TEXT):
            raise FleetError(
                f"a component's name and version hold 1 to {MAX_TEXT} characters", where=place
            )
        out.append(ReportedComponent(name, version.strip() if version else None))
    return out


def drift_of(
    unit: Unit,
    release: str,
    reported: Sequence[ReportedComponent],
    sbom: dict[str, set[str]],
    now: datetime,
) -> list[Drift]:
    """Each reported component whose version the release's SBOM does not list (or that the SBOM
    does not list at all). Components the unit does not report are not drift: a unit may report
    only what it can read."""
    out = []
    for c in sorted(reported, key=lambda c: (c.name.lower(), c.version or "")):
        expected = sbom.get(c.name.lower())
        if expected is not None and (c.version in expected or (c.version is None and not expected)):
            continue
        out.append(
            Drift(
                unit.serial,
                unit.product,
                release,
                c.name,
                tuple(sorted(expected or ())),
                c.version,
                now,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What a check-in recorded."""

    unit: Unit
    move: UnitMove | None
    drift: tuple[Drift, ...]


def check_in(
    store: Store,
    serial: str,
    release: str | None,
    reported: Sequence[ReportedComponent] | None,
    scope: Scope,
    *,
    actor: str,
    now: datetime,
) -> CheckIn:
    """Record a unit's check-in: its installed release (``None``: unchanged; a change is a move
    dated today), the component versions it reports (``None``: it reports none), and the drift
    those show against its release's SBOM; audited ``unit.check_in``."""
    unit = find_unit(store, serial, scope)
    target = unit.release if release is None else release.strip()
    with store.session() as session:
        if (unit.product, target) not in repo.release_ids(session, [(unit.product, target)]):
            raise FleetError(
                f"no release {unit.product} {target[:64]} is stored (import its SBOM first)",
                where="release",
            )
        drift: list[Drift] = []
        if reported is not None:
            sbom = repo.release_component_versions(session, unit.product, target)
            drift = drift_of(unit, target, reported, sbom, now)
        move = repo.check_in(session, serial, target, now, reported, drift)
        audit.append(
            session,
            actor,
            "unit.check_in",
            f"unit:{serial}",
            {"release": unit.release},
            {
                "release": target,
                "components": None if reported is None else len(reported),
                "drift": [d.explanation for d in drift],
            },
            "unit check-in",
            now,
        )
    return CheckIn(find_unit(store, serial, scope), move, tuple(drift))


def run_campaign(
    store: Store,
    name: str,
    product: str,
    release: str,
    serials: Sequence[str],
    moved_on: date | None,
    *,
    actor: str,
    now: datetime,
) -> list[UnitMove]:
    """Record an update campaign: the units moved to ``release`` on ``moved_on`` (None: the
    day is unknown, and is counted so by the metrics); audited ``fleet.campaign``."""
    if not name.strip() or len(name) > 200:
        raise FleetError("a campaign needs a name of 1 to 200 characters", where="campaign")
    for serial in serials:
        if not SERIAL.match(serial) or len(serial) > 128:
            raise FleetError(f"{serial[:40]!r} is not a serial number", where="serials")
    with store.session() as session:
        moves = repo.record_campaign(
            session, list(serials), product, release, moved_on, f"campaign:{name}", now
        )
        audit.append(
            session,
            actor,
            "fleet.campaign",
            f"product:{product}",
            None,
            {
                "campaign": name,
                "release": release,
                "moved_on": moved_on.isoformat() if moved_on else None,
                "units": [m.serial for m in moves],
            },
            "update campaign",
            now,
        )
    return moves


def map_customer(
    store: Store, team: str, customer: str, granted: bool, *, actor: str, now: datetime
) -> bool:
    """Map a customer to a team (its hospital-customer members see that customer's units) or
    take it back; audited when something changed."""
    if not customer.strip() or len(customer) > MAX_TEXT:
        raise FleetError(f"a customer name holds 1 to {MAX_TEXT} characters", where="customer")
    with store.session() as session:
        changed = repo.set_customer(session, team, customer, granted)
        if changed:
            audit.append(
                session,
                actor,
                "team.map_customer" if granted else "team.unmap_customer",
                f"team:{team}",
                None,
                {"customer": customer},
                "fleet access",
                now,
            )
    return changed
