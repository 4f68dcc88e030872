"""``impact`` at fleet level: besides the releases a vulnerability touches (``watch.impact``),
how many units run each of them, at which sites of which customers.

The units are counted in the database, grouped by release, site and customer (one query
whatever the fleet's size); a caller scoped to its customers (the hospital customer role)
counts only its own units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from soupwatch.fleet.units import Scope
from soupwatch.store import fleet_repo as repo
from soupwatch.store.db import Store
from soupwatch.watch.impact import ImpactRow, impact


@dataclass(frozen=True, slots=True)
class SiteUnits:
    """Units at one site that run a release where a finding of the vulnerability is open."""

    customer: str
    site: str
    units: int


@dataclass(frozen=True, slots=True)
class ReleaseUnits:
    """One affected release: whether a finding of the vulnerability is open in it, and how
    many units run it at how many sites."""

    product: str
    release: str
    open: bool
    units: int
    sites: int


@dataclass(frozen=True, slots=True)
class FleetImpact:
    """The findings of a vulnerability, the units of the releases that carry them, and the
    sites whose units run a release where it is open."""

    findings: tuple[ImpactRow, ...]
    releases: tuple[ReleaseUnits, ...]
    sites: tuple[SiteUnits, ...]

    @property
    def units(self) -> int:
        """Units running an affected release."""
        return sum(r.units for r in self.releases)

    @property
    def units_exposed(self) -> int:
        """Units running a release where a finding of it is open."""
        return sum(r.units for r in self.releases if r.open)


def fleet_impact(
    store: Store, vuln_id: str, scope: Scope, *, now: datetime | None = None
) -> FleetImpact:
    """Every finding of ``vuln_id`` in the products the scope sees, with their releases' units
    and the exposed sites (two queries besides the findings', whatever the fleet's size)."""
    rows = [
        r
        for r in impact(store, vuln_id, now=now or datetime.now(UTC))
        if scope.products is None or r.product in scope.products
    ]
    is_open: dict[tuple[str, str], bool] = defaultdict(bool)
    for r in rows:
        is_open[(r.product, r.release)] |= r.is_open
    with store.session() as session:
        ids = repo.release_ids(session, is_open)
        counted = repo.units_at(session, ids.values(), scope.customers)
    names = {rid: key for key, rid in ids.items()}
    units: dict[tuple[str, str], int] = defaultdict(int)
    places: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    exposed: dict[tuple[str, str], int] = defaultdict(int)
    for at in counted:
        key = names[at.release_id]
        units[key] += at.units
        places[key].add((at.customer, at.site))
        if is_open[key]:
            exposed[(at.customer, at.site)] += at.units
    releases = tuple(
        ReleaseUnits(
            product,
            release,
            is_open[(product, release)],
            units[(product, release)],
            len(places[(product, release)]),
        )
        for product, release in sorted(is_open, key=lambda k: (not is_open[k], k))
    )
    sites = tuple(SiteUnits(c, site, n) for (c, site), n in sorted(exposed.items()))
    return FleetImpact(tuple(rows), releases, sites)
