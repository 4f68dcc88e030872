"""``rescan_portfolio``: re-match every stored release and say what changed since last time.

A re-scan is what answers "a new CVE / KEV entry landed: which devices does it touch?" once
the feeds are synced. Per release it reports

* **new**: findings open after this run that were not open before it (first matched now, or
  re-opened because the component matches again);
* **resolved**: findings open before that this run no longer matches (a feed withdrew or
  corrected the record, or the release's SBOM changed);
* **kev_added**: findings open before and after whose vulnerability entered CISA KEV since
  the previous run: the stored finding had no KEV entry, or the KEV ``date_added`` is after
  the day of the previous run (``watch_runs``).

Each release is scanned in its own transaction (``pipeline.scan_release``); a release that
fails is reported with its error and the others still run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from soupwatch.errors import SoupwatchError
from soupwatch.match.interface import CompiledRecords
from soupwatch.model import Severity
from soupwatch.pipeline import scan_release
from soupwatch.store import inventory
from soupwatch.store.change_index import newest_change
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import StoredFinding, load_findings
from soupwatch.store.watch_tables import last_run, record_run

Key = tuple[str, str]
"""(component ref, vulnerability id): one finding of a release."""


@dataclass(frozen=True, slots=True)
class ChangedFinding:
    """One finding that a re-scan reports as new, resolved or newly known-exploited."""

    component_ref: str
    component_name: str
    component_version: str | None
    vuln_id: str
    aliases: tuple[str, ...]
    severity: Severity
    kev_date_added: date | None
    fixed_versions: tuple[str, ...]
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class ReleaseDelta:
    """What changed for one release; ``error`` is set when its re-scan failed."""

    product: str
    release: str
    new: tuple[ChangedFinding, ...] = ()
    resolved: tuple[ChangedFinding, ...] = ()
    kev_added: tuple[ChangedFinding, ...] = ()
    open_findings: int = 0
    error: str | None = None

    @property
    def changed(self) -> bool:
        """True when anything is new, resolved or newly in KEV."""
        return bool(self.new or self.resolved or self.kev_added)


@dataclass(frozen=True, slots=True)
class PortfolioDelta:
    """The result of one portfolio re-scan, releases sorted by product and version order."""

    ran_at: datetime
    previous_run: datetime | None
    releases: tuple[ReleaseDelta, ...]

    @property
    def new(self) -> int:
        """How many findings are new across the portfolio."""
        return sum(len(r.new) for r in self.releases)

    @property
    def resolved(self) -> int:
        """How many findings were resolved by this re-scan."""
        return sum(len(r.resolved) for r in self.releases)

    @property
    def kev_added(self) -> int:
        """How many open findings entered CISA KEV since the previous run."""
        return sum(len(r.kev_added) for r in self.releases)

    @property
    def failed(self) -> tuple[ReleaseDelta, ...]:
        """Releases whose re-scan failed (their error says why)."""
        return tuple(r for r in self.releases if r.error is not None)


def changed_findings(items: Iterable[StoredFinding]) -> tuple[ChangedFinding, ...]:
    """Stored findings as reported changes, sorted by component ref and vulnerability id."""
    return tuple(sorted((_changed(s) for s in items), key=lambda c: (c.component_ref, c.vuln_id)))


def _changed(sf: StoredFinding) -> ChangedFinding:
    f = sf.finding
    v = f.vulnerability
    return ChangedFinding(
        component_ref=str(f.component_ref),
        component_name=f.component_name,
        component_version=f.component_version,
        vuln_id=str(v.id),
        aliases=tuple(sorted(v.aliases)),
        severity=v.severity,
        kev_date_added=v.kev.date_added if v.kev else None,
        fixed_versions=f.fixed_versions,
        first_seen=sf.first_seen,
    )


def by_key(stored: Iterable[StoredFinding]) -> dict[Key, StoredFinding]:
    """Stored findings by (component ref, vulnerability id)."""
    return {(str(s.finding.component_ref), str(s.finding.vulnerability.id)): s for s in stored}


def compare(
    before: Mapping[Key, StoredFinding],
    after: Mapping[Key, StoredFinding],
    previous_run: datetime | None,
) -> tuple[list[StoredFinding], list[StoredFinding], list[StoredFinding]]:
    """(new, resolved, KEV-added) between two snapshots of one release's findings."""
    new: list[StoredFinding] = []
    resolved: list[StoredFinding] = []
    kev: list[StoredFinding] = []
    for key, sf in after.items():
        old = before.get(key)
        if sf.is_open and (old is None or not old.is_open):
            new.append(sf)
        elif sf.is_open and old is not None and sf.finding.vulnerability.kev is not None:
            entry = sf.finding.vulnerability.kev
            was_kev = old.finding.vulnerability.kev is not None
            if not was_kev or (previous_run and entry.date_added > previous_run.date()):
                kev.append(sf)
    for key, old in before.items():
        now_sf = after.get(key)
        if old.is_open and (now_sf is None or not now_sf.is_open):
            resolved.append(now_sf or old)
    return new, resolved, kev


def _rescan_one(
    store: Store,
    product: str,
    release: str,
    now: datetime,
    prev: datetime | None,
    compiled: CompiledRecords,
) -> ReleaseDelta:
    with store.session() as session:
        before = by_key(load_findings(session, product, release))
    scan_release(store, product, release, now=now, compiled=compiled)
    with store.session() as session:
        after = by_key(load_findings(session, product, release))
    new, resolved, kev = compare(before, after, prev)
    return ReleaseDelta(
        product=product,
        release=release,
        new=changed_findings(new),
        resolved=changed_findings(resolved),
        kev_added=changed_findings(kev),
        open_findings=sum(1 for s in after.values() if s.is_open),
    )


def rescan_portfolio(
    store: Store, *, now: datetime, products: Iterable[str] | None = None
) -> PortfolioDelta:
    """Re-match every stored release (or those of ``products``) and report the delta."""
    wanted = sorted(set(products)) if products is not None else None
    with store.session() as session:
        for name in wanted or ():
            inventory.get_product(session, name)  # an unknown product is an error, not "no news"
        previous = last_run(session)
        upto = newest_change(session)
        targets = [
            (p, r) for p, r in inventory.iter_all_releases(session) if wanted is None or p in wanted
        ]
    deltas: list[ReleaseDelta] = []
    compiled = CompiledRecords()  # the releases share their kernels' and libraries' records
    for product, release in targets:
        try:
            deltas.append(_rescan_one(store, product, release, now, previous, compiled))
        except SoupwatchError as err:
            deltas.append(ReleaseDelta(product, release, error=str(err)))
    delta = PortfolioDelta(ran_at=now, previous_run=previous, releases=tuple(deltas))
    with store.session() as session:
        counts = (len(deltas), delta.new, delta.resolved, delta.kev_added)
        # a re-scan of a few products does not cover the others: the incremental mark stays
        record_run(session, now, wanted, counts, upto if wanted is None else None)
    return delta
