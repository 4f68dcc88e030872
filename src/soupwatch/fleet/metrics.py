"""Postmarket metrics from data (FDA premarket guidance, section VI.B, and the PMA annual
report): per product, site and quarter, the share of findings patched in the field and the
times from identification to a fix being available, from a fix to a release carrying it, and
from that release to its deployment on units.

Each figure says how it was computed (:data:`METHODS`) and how many dates were unknown, and
lists them: a date is never guessed. The quarter is the one in which soupwatch first identified
the vulnerability in the product (the earliest ``first_seen`` of its findings), so each quarter
is a cohort followed until today. Patch statuses and fixing releases are those of
:mod:`soupwatch.fleet.patch`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from soupwatch.errors import FleetError
from soupwatch.fleet.patch import (
    Presence,
    VulnHistory,
    fix_release,
    patch_status,
    vulnerability_histories,
)
from soupwatch.fleet.units import Scope
from soupwatch.model.fleet import PatchStatus
from soupwatch.store import fleet_repo as repo
from soupwatch.store import inventory
from soupwatch.store.db import Store

ALL_SITES = "(all sites)"

METHODS: dict[str, str] = {
    "patched": "Pairs (unit, vulnerability) of the product where the unit's installed release "
    "has or had the finding open: patched ÷ (patched + fix available not installed + "
    "vulnerable), as of today. Findings closed by a VEX decision (not affected) are left out.",
    "identification_to_fix": "Per vulnerability: the earliest date a fixed version was "
    "published (from the advisory data) minus the day soupwatch first identified it in the "
    "product, in days (negative: the fix was out before we identified it). Unknown: no "
    "publication date of a fix is known.",
    "fix_to_release": "Per vulnerability: the date the first release of the product without "
    "the finding open was stored minus the fix's publication date, in days. Unknown: the "
    "fix's publication date is unknown. Pending: no release fixes it yet.",
    "release_to_deployment": "Per (unit, vulnerability) patched by an update: the day the unit "
    "moved from a release with the finding open to one without it, minus the day the first "
    "fixing release was stored, in days. Unknown: the day of the move is unknown. Pending: "
    "units still on a release with the finding open while a fix exists.",
}


def quarter_of(day: date | datetime) -> str:
    """``2026-Q1``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _days(start: datetime, end: datetime | date) -> float:
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(), UTC)
    return (end - start).total_seconds() / 86400


@dataclass
class Durations:
    """A figure measured in days over items, with the items whose dates were unknown."""

    values: list[float] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Items measured."""
        return len(self.values)

    @property
    def median(self) -> float | None:
        """Median days (None: nothing measured)."""
        return statistics.median(self.values) if self.values else None

    @property
    def mean(self) -> float | None:
        """Mean days (None: nothing measured)."""
        return statistics.fmean(self.values) if self.values else None


@dataclass
class Share:
    """Patched pairs among the pairs that count."""

    patched: int = 0
    fix_not_installed: int = 0
    vulnerable: int = 0

    @property
    def total(self) -> int:
        """Pairs that count."""
        return self.patched + self.fix_not_installed + self.vulnerable

    @property
    def share(self) -> float | None:
        """patched ÷ total (None: no pair counts)."""
        return self.patched / self.total if self.total else None


@dataclass
class MetricsRow:
    """The figures of one product, site (or all sites) and quarter."""

    product: str
    site: str
    quarter: str
    vulnerabilities: set[str] = field(default_factory=set)
    patched: Share = field(default_factory=Share)
    identification_to_fix: Durations = field(default_factory=Durations)
    fix_to_release: Durations = field(default_factory=Durations)
    release_to_deployment: Durations = field(default_factory=Durations)


def _vuln_figures(row: MetricsRow, v: VulnHistory, fixed_at: datetime | None) -> None:
    if v.vuln_id in row.vulnerabilities:
        return
    row.vulnerabilities.add(v.vuln_id)
    if v.fix_available is None:
        row.identification_to_fix.unknown.append(v.vuln_id)
    else:
        row.identification_to_fix.values.append(_days(v.identified, v.fix_available))
    if fixed_at is None:
        row.fix_to_release.pending.append(v.vuln_id)
    elif v.fix_available is None:
        row.fix_to_release.unknown.append(v.vuln_id)
    else:
        row.fix_to_release.values.append(_days(v.fix_available, fixed_at))


def _deployment(
    unit: repo.UnitHistory, v: VulnHistory
) -> tuple[int | None, int, date | None] | None:
    """The unit's move that took it off a release with the finding open (None: none did)."""
    for move in unit.moves:
        before, after, _ = move
        if (
            before is not None
            and v.presence.get(before) is Presence.OPEN
            and v.presence.get(after) is not Presence.OPEN
        ):
            return move
    return None


def product_metrics(store: Store, product: str, scope: Scope, now: datetime) -> list[MetricsRow]:
    """Every (site, quarter) row of one product, and its (all sites, quarter) rows."""
    with store.session() as session:
        history = repo.product_history(session, product, scope.customers)
        vulns = vulnerability_histories(session, product, history.releases, now)
    order = [r.id for r in history.releases]
    position = {rid: i for i, rid in enumerate(order)}
    released_at = {r.id: r.released_at for r in history.releases}
    rows: dict[tuple[str, str], MetricsRow] = {}

    def row(site: str, quarter: str) -> MetricsRow:
        key = (site, quarter)
        if key not in rows:
            rows[key] = MetricsRow(product, site, quarter)
        return rows[key]

    for v in sorted(vulns.values(), key=lambda v: v.vuln_id):
        if Presence.OPEN not in v.presence.values():
            continue  # never open in any release: nothing was ever to patch
        quarter = quarter_of(v.identified)
        fixed_by = fix_release(order, v)
        fixed_at = released_at[fixed_by] if fixed_by is not None else None
        _vuln_figures(row(ALL_SITES, quarter), v, fixed_at)
        by_release: dict[int, PatchStatus | None] = {}  # the status depends on the release only
        for unit in history.units:
            if unit.release_id not in by_release:
                by_release[unit.release_id] = patch_status(order, position[unit.release_id], v)
            status = by_release[unit.release_id]
            if status is None or status is PatchStatus.NOT_AFFECTED:
                continue
            for target in (row(ALL_SITES, quarter), row(unit.site, quarter)):
                _vuln_figures(target, v, fixed_at)
                _unit_figures(target, unit, v, status, fixed_at)
    return sorted(rows.values(), key=lambda r: (r.quarter, r.site != ALL_SITES, r.site))


def _unit_figures(
    row: MetricsRow,
    unit: repo.UnitHistory,
    v: VulnHistory,
    status: PatchStatus,
    fixed_at: datetime | None,
) -> None:
    item = f"{unit.serial} {v.vuln_id}"
    if status is PatchStatus.PATCHED:
        row.patched.patched += 1
        move = _deployment(unit, v)
        if move is None or fixed_at is None:
            return  # installed straight onto a release without it: no update to time
        if move[2] is None:
            row.release_to_deployment.unknown.append(item)
        else:
            row.release_to_deployment.values.append(_days(fixed_at, move[2]))
    elif status is PatchStatus.FIX_NOT_INSTALLED:
        row.patched.fix_not_installed += 1
        row.release_to_deployment.pending.append(item)
    else:
        row.patched.vulnerable += 1


def fleet_metrics(
    store: Store,
    scope: Scope,
    *,
    products: Sequence[str] = (),
    site: str | None = None,
    quarter: str | None = None,
    now: datetime | None = None,
) -> list[MetricsRow]:
    """The metrics rows of the products (default: every product the scope sees), narrowed to
    one site and one quarter when given."""
    if quarter is not None and (
        len(quarter) != 7
        or quarter[4:6] != "-Q"
        or quarter[6] not in "1234"
        or not quarter[:4].isdigit()
    ):
        raise FleetError(f"{quarter[:20]!r} is not a quarter (e.g. 2026-Q1)", where="quarter")
    when = now or datetime.now(UTC)
    with store.session() as session:
        known = [p.name for p, _ in inventory.list_products(session)]
    names = list(products) or known
    out: list[MetricsRow] = []
    for name in names:
        if scope.products is not None and name not in scope.products:
            continue
        for r in product_metrics(store, name, scope, when):
            if (site is None or r.site == site) and (quarter is None or r.quarter == quarter):
                out.append(r)
    return out


def rows_products(rows: Iterable[MetricsRow]) -> list[str]:
    """The products the rows cover, sorted."""
    return sorted({r.product for r in rows})
