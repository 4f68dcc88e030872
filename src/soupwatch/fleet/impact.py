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
    """Units of one release at one site."""

    site: str
    customer: str
    units: int


@dataclass(frozen=True, slots=True)
class ReleaseUnits:
    """One affected release: whether a finding of the vulnerability is open in it, and where
    its units are."""

    product: str
    release: str
    open: bool
    units: int
    sites: tuple[SiteUnits, ...]


@dataclass(frozen=True, slots=True)
class FleetImpact:
    """The findings of a vulnerability, and the units of the releases that carry them."""

    findings: tuple[ImpactRow, ...]
    releases: tuple[ReleaseUnits, ...]

    @property
    def units(self) -> int:
        """Units running an affected release."""
        return sum(r.units for r in self.releases)

    @property
    def units_exposed(self) -> int:
        """Units running a release where a finding of it is open."""
        return sum(r.units for r in self.releases if r.open)

    @property
    def sites(self) -> tuple[tuple[str, str], ...]:
        """(customer, site) pairs with an exposed unit, sorted."""
        return tuple(
            sorted({(s.customer, s.site) for r in self.releases if r.open for s in r.sites})
        )


def fleet_impact(
    store: Store, vuln_id: str, scope: Scope, *, now: datetime | None = None
) -> FleetImpact:
    """Every finding of ``vuln_id`` in the products the scope sees, with their releases' units."""
    rows = [
        r
        for r in impact(store, vuln_id, now=now or datetime.now(UTC))
        if scope.products is None or r.product in scope.products
    ]
    is_open: dict[tuple[str, str], bool] = defaultdict(bool)
    for r in rows:
        is_open[(r.product, r.release)] |= r.is_open
    with store.session() as session:
        counted = repo.units_per_release(session, is_open, scope.customers)
    sites: dict[tuple[str, str], list[SiteUnits]] = defaultdict(list)
    for at in counted:
        sites[(at.product, at.release)].append(SiteUnits(at.site, at.customer, at.units))
    releases = tuple(
        ReleaseUnits(
            product,
            release,
            is_open[(product, release)],
            sum(s.units for s in sites[(product, release)]),
            tuple(sorted(sites[(product, release)], key=lambda s: (s.customer, s.site))),
        )
        for product, release in sorted(is_open, key=lambda k: (not is_open[k], k))
    )
    return FleetImpact(tuple(rows), releases)
