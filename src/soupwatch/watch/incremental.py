"""``watch_changes``: the incremental watch. After a feed sync, match again only what the
changed vulnerabilities can reach, and report the delta exactly as ``rescan_portfolio`` does.

1. The changes: the vulnerability ids the syncs since the last run's mark wrote, withdrew or
   moved in or out of KEV (``intel_changes``), with their aliases.
2. The index: the lookup keys of those records (CPE vendor:product, OSV package, CNA product)
   → the releases and components that carry them (``release_keys``), plus the components
   holding a stored finding of a changed id (a withdrawn record has no keys left).
3. Each touched release: its touched components are matched again
   (``pipeline.rematch.rematch_releases``: releases on one platform together, a batch of
   releases per transaction), its findings compared before / after
   (``delta.compare``, the one rule), and its stored assessment recomputed.

A store no run has marked yet (or ``full=True``) gets the full re-scan. The work can be split
in ``parts`` (``part`` of them here): each worker of the job queue takes one share of the
touched releases (see ``jobs/kinds.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from soupwatch.errors import SoupwatchError
from soupwatch.match.interface import CompiledRecords
from soupwatch.pipeline import release_summaries
from soupwatch.pipeline.rematch import (
    BATCH_RELEASES,
    index_releases,
    rematch_components,
    rematch_releases,
)
from soupwatch.store.change_index import (
    Touched,
    changes_after,
    keys_of,
    newest_change,
    touched_releases,
    with_aliases,
)
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import (
    StoredFinding,
    count_open_by_release,
    load_findings_by_release,
)
from soupwatch.store.watch_tables import last_mark, last_run, record_run
from soupwatch.watch.delta import PortfolioDelta, ReleaseDelta, by_key, changed_findings, compare

Progress = Callable[[int, int, str], None]
"""(done, total, what)."""


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """What one incremental run covers: the feed changes after ``mark`` up to ``upto``."""

    mark: int | None
    upto: int
    previous_run: datetime | None

    @property
    def full(self) -> bool:
        """True when no earlier run marked where it stopped: only a full re-scan is exact."""
        return self.mark is None


def plan(store: Store) -> WatchPlan:
    """The changes the next incremental run covers."""
    with store.session() as session:
        return WatchPlan(last_mark(session), newest_change(session), last_run(session))


def changed(store: Store, the_plan: WatchPlan) -> frozenset[str]:
    """The vulnerability ids the plan's changes name, with their aliases."""
    assert the_plan.mark is not None
    with store.session() as session:
        return frozenset(
            with_aliases(session, changes_after(session, the_plan.mark, the_plan.upto))
        )


def touched(store: Store, ids: frozenset[str]) -> list[Touched]:
    """The releases (and their components) changes of these ids can reach, sorted."""
    if not ids:
        return []
    with store.session() as session:
        return touched_releases(session, keys_of(session, ids), ids)


def affected_releases(deltas: tuple[ReleaseDelta, ...]) -> list[tuple[str, str]]:
    """(product, release) of every release whose findings changed: the hook for deployed
    units (fleet: touched releases → the units that run them)."""
    return [(d.product, d.release) for d in deltas if d.changed]


@dataclass(frozen=True, slots=True)
class _Run:
    """What every release of one part shares."""

    now: datetime
    plan: WatchPlan
    ids: frozenset[str]
    compiled: CompiledRecords


def _findings_of(store: Store, item: Touched, ids: frozenset[str]) -> list[StoredFinding]:
    """The findings a re-match of ``item`` judging ``ids`` can change: those of its touched
    components and these vulnerability ids."""
    return _findings_of_many(store, [item], ids)[0]


def _findings_of_many(
    store: Store, items: list[Touched], ids: frozenset[str]
) -> list[list[StoredFinding]]:
    """:func:`_findings_of` for each of ``items``, read together."""
    with store.session() as session:
        found = load_findings_by_release(session, [i.release.id for i in items], ids)
    return [
        [s for s in found[item.release.id] if s.finding.component_ref in item.refs]
        for item in items
    ]


def _delta_of(
    store: Store,
    item: Touched,
    before: list[StoredFinding],
    run: _Run,
) -> ReleaseDelta:
    """Compare a re-matched release's findings with ``before`` and bring its stored
    assessment up to date."""
    return _deltas(store, [item], [before], run)[0]


def _deltas(
    store: Store, items: list[Touched], befores: list[list[StoredFinding]], run: _Run
) -> list[ReleaseDelta]:
    """Compare re-matched releases' findings with ``befores``, bring their stored assessments
    up to date together (what they share read once: ``pipeline.release_summaries``) and count
    what is open in each."""
    afters = _findings_of_many(store, items, run.ids)
    compared = [
        compare(by_key(before), by_key(after), run.plan.previous_run)
        for before, after in zip(befores, afters, strict=True)
    ]
    release_summaries(store, [(i.release.product, i.release.version) for i in items], now=run.now)
    with store.session() as session:
        still_open = count_open_by_release(session, [i.release.id for i in items])
    return [
        ReleaseDelta(
            product=item.release.product,
            release=item.release.version,
            new=changed_findings(new),
            resolved=changed_findings(resolved),
            kev_added=changed_findings(kev),
            open_findings=still_open[item.release.id],
        )
        for item, (new, resolved, kev) in zip(items, compared, strict=True)
    ]


def _one(store: Store, item: Touched, run: _Run) -> ReleaseDelta:
    try:
        before = _findings_of(store, item, run.ids)
        rematch_components(
            store,
            item,
            now=run.now,
            compiled=run.compiled,
            since=run.plan.mark,
            only_vulns=run.ids,
        )
        return _delta_of(store, item, before, run)
    except SoupwatchError as err:
        return ReleaseDelta(item.release.product, item.release.version, error=str(err))


def _batch(
    store: Store,
    items: list[Touched],
    run: _Run,
) -> list[ReleaseDelta]:
    """Re-match a batch of releases together (``rematch_releases``); when that fails, one
    by one, so that only the failing releases report an error."""
    try:
        befores = _findings_of_many(store, items, run.ids)
        rematch_releases(
            store,
            items,
            now=run.now,
            compiled=run.compiled,
            since=run.plan.mark,
            only_vulns=run.ids,
        )
    except SoupwatchError:
        return [_one(store, item, run) for item in items]
    try:
        return _deltas(store, items, befores, run)
    except SoupwatchError:
        pass  # one release failed: each alone, so that only the failing ones report an error
    out = []
    for item, before in zip(items, befores, strict=True):
        try:
            out.append(_delta_of(store, item, before, run))
        except SoupwatchError as err:
            out.append(ReleaseDelta(item.release.product, item.release.version, error=str(err)))
    return out


def run_part(
    store: Store,
    the_plan: WatchPlan,
    *,
    now: datetime,
    part: int = 0,
    parts: int = 1,
    progress: Progress | None = None,
) -> tuple[ReleaseDelta, ...]:
    """Re-match this part's share of the touched releases; their deltas (nothing recorded)."""
    index_releases(store)
    ids = changed(store, the_plan)
    items = touched(store, ids)[part::parts]
    run = _Run(now, the_plan, ids, CompiledRecords())
    deltas: list[ReleaseDelta] = []
    for start in range(0, len(items), BATCH_RELEASES):
        batch = items[start : start + BATCH_RELEASES]
        deltas.extend(_batch(store, batch, run))
        if progress is not None:
            last = batch[-1].release
            progress(len(deltas), len(items), f"{last.product} {last.version}")
    return tuple(deltas)


def finish_run(
    store: Store, the_plan: WatchPlan, deltas: tuple[ReleaseDelta, ...], *, now: datetime
) -> PortfolioDelta:
    """Record the run (and its mark) and return the delta, releases by product and id order."""
    delta = PortfolioDelta(ran_at=now, previous_run=the_plan.previous_run, releases=deltas)
    with store.session() as session:
        counts = (len(deltas), delta.new, delta.resolved, delta.kev_added)
        record_run(session, now, None, counts, the_plan.upto)
    return delta


def watch_changes(
    store: Store, *, now: datetime, full: bool = False, progress: Progress | None = None
) -> PortfolioDelta:
    """Match what the feeds changed since the last run; the full re-scan when ``full`` or no
    run has marked the feeds yet. Reports only the releases it matched."""
    from soupwatch.watch.delta import rescan_portfolio

    the_plan = plan(store)
    if full or the_plan.full:
        index_releases(store)
        return rescan_portfolio(store, now=now)
    deltas = run_part(store, the_plan, now=now, progress=progress)
    return finish_run(store, the_plan, deltas, now=now)
