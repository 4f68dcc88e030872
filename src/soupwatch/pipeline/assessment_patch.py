"""Bring a stored assessment up to date finding by finding after a feed change.

A stored assessment is stale as soon as any feed syncs (its fingerprint names every feed's
last sync), yet a sync of 100 new CVEs changes the findings of those CVEs only. When nothing
but the feeds and partial re-matches moved since the assessment was made (same release
import, human decisions, device context and day: its ``base``), and every feed change since
names the vulnerabilities it changed, the findings of the other vulnerabilities are exactly
what a full recomputation would give. So only the changed vulnerabilities' findings are
assessed again; the kept rows are renumbered in the one priority order (from their stored
columns, without decoding them); the counts are counted from the rows with the one rule
(``count_findings``); the header's snapshot, skipped components and per-component ids are
rewritten. ``tests/unit/pipeline/test_assessment_patch.py`` checks the result equals a full
recomputation on real feed data.

Falls back to the full recomputation (returns None) when it cannot prove that: a full scan
since, a feed that changed data without naming ids (EPSS, end-of-life: ``EVERYTHING``), rows
stored before these marks existed, or a release some VEX decision reaches (which decisions
match no finding depends on every finding of the release).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from soupwatch.model.assessment import (
    AssessedFinding,
    Exploitation,
    PostmarketCategory,
    RiskLevel,
    count_assessed,
)
from soupwatch.model.status import FindingStatus
from soupwatch.store import assessments as repo
from soupwatch.store import inventory
from soupwatch.store.intel_query import StoreIntelQuery

if TYPE_CHECKING:
    from soupwatch.intel.interface import EolProduct
    from soupwatch.model.assessment import DataSnapshot
    from soupwatch.model.component import Component
    from soupwatch.model.vulnerability import Vulnerability
    from soupwatch.pipeline.assessments import ContextRef
    from soupwatch.risk.assess import PriorityFields
    from soupwatch.risk.rubric import StoredAnswer
    from soupwatch.store.db import Session
    from soupwatch.store.finding_tables import StoredFinding


@dataclass(frozen=True, slots=True)
class _Counted:
    """A stored row as ``count_findings`` reads it."""

    status: FindingStatus
    category_value: str
    risk_value: str
    severity_value: str
    kev: bool


def _fields(r: repo.StoredRank) -> PriorityFields:
    from soupwatch.risk.assess import PriorityFields

    assert r.exploitation is not None and r.score is not None  # checked by the caller
    return PriorityFields(
        r.is_open,
        Exploitation(r.exploitation),
        PostmarketCategory(r.category),
        RiskLevel(r.risk),
        r.score,
        r.epss,
        r.vuln_id,
        r.component_ref,
    )


PREFETCH = 100
"""Releases whose own reads are read together (memory: a release's stored rows are a few
hundred; the portfolio view may hold a thousand stale releases)."""


@dataclass
class SharedReads:
    """What the patches of one batch of releases read alike, read once for the batch (a
    feed delta touches hundreds of releases; each used to read the same change log, records,
    end-of-life products and feed snapshot again). Read on first use, in the session of the
    release that first needs it; the marks written name the newest change read here, so a
    sync that lands meanwhile is picked up by the next update, as before."""

    pending: tuple[repo.ReleaseStamp, ...] = ()
    """The releases of the batch whose assessments may be brought up to date: what each reads
    of its own (scan marks, skipped components, stored rows and parts, decisions reaching it,
    the changed ids' findings) is read for all of them at the first one's need, and taken
    (each value once) by each."""
    upto: int | None = None
    changed: dict[tuple[int, int], frozenset[str] | None] = field(default_factory=dict)
    _own: dict[Hashable, dict[int, Any]] = field(default_factory=dict)
    _read: dict[Hashable, set[int]] = field(default_factory=dict)
    _order: dict[int, int] = field(init=False)
    _refs: dict[int, frozenset[str]] = field(default_factory=dict)
    """Per release, the component refs of the findings read for it (:meth:`components`)."""
    records: dict[str, Vulnerability | None] = field(default_factory=dict)
    eol: list[EolProduct] | None = None
    snapshot: tuple[DataSnapshot, ...] | None = None
    learnt: dict[str, dict[str, tuple[date, str]]] = field(default_factory=dict)
    rubric: dict[str, tuple[StoredAnswer, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._order = {s.release_id: n for n, s in enumerate(self.pending)}

    def _take(
        self,
        name: Hashable,
        session: Session,
        rid: int,
        load: Callable[[Session, list[int]], Mapping[int, Any]],
    ) -> Any:
        """Release ``rid``'s value of ``name``: read with the rest of the pending batch on
        first need, taken once (a second need reads again)."""
        cache = self._own.setdefault(name, {})
        read = self._read.setdefault(name, set())
        if rid not in cache:
            at = self._order.get(rid)
            if rid in read or at is None:
                ids = [rid]
            else:  # this one and the next pending ones not read yet, a window at a time
                rest = (s.release_id for s in self.pending[at:])
                ids = list(itertools.islice((r for r in rest if r not in read), PREFETCH))
            read.update(ids)
            cache.update(load(session, ids))
        return cache.pop(rid)

    def scan_marks(self, session: Session, rid: int) -> repo.ScanMarks:
        return cast("repo.ScanMarks", self._take("scan", session, rid, repo.scan_marks_by_release))

    def skipped(self, session: Session, rid: int) -> list[tuple[str, str, str]]:
        return cast(
            "list[tuple[str, str, str]]",
            self._take("skipped", session, rid, repo.skipped_by_release),
        )

    def volatile(self, session: Session, rid: int) -> dict[str, Any] | None:
        return cast(
            "dict[str, Any] | None", self._take("volatile", session, rid, repo.volatile_by_release)
        )

    def ranks(self, session: Session, rid: int) -> list[repo.StoredRank]:
        return cast(
            "list[repo.StoredRank]", self._take("ranks", session, rid, repo.stored_ranks_by_release)
        )

    def decided(self, session: Session, stamp: repo.ReleaseStamp) -> bool:
        """Whether any VEX decision reaches the release."""
        from soupwatch.store.decision_repo import candidates_by_release

        def load(session: Session, ids: list[int]) -> dict[int, bool]:
            names = {s.release_id: (s.product, s.release) for s in (*self.pending, stamp)}
            found = candidates_by_release(session, [names[i] for i in ids])
            return {i: bool(found.get(names[i])) for i in ids}

        return bool(self._take("decided", session, stamp.release_id, load))

    def findings(self, session: Session, rid: int, ids: frozenset[str]) -> list[StoredFinding]:
        """The stored findings of ``ids`` of release ``rid``."""
        from soupwatch.store.finding_tables import load_findings_by_release

        def load(session: Session, rids: list[int]) -> dict[int, list[StoredFinding]]:
            found = load_findings_by_release(session, rids, ids)
            for r, rows in found.items():
                self._refs[r] = frozenset(s.finding.component_ref for s in rows)
            return found

        return cast("list[StoredFinding]", self._take(("findings", ids), session, rid, load))

    def components(self, session: Session, rid: int, refs: frozenset[str]) -> list[Component]:
        """Release ``rid``'s components of ``refs`` (those of its changed findings), read with
        those of the pending releases whose findings were read already."""

        def load(
            session: Session, rids: list[int]
        ) -> dict[int, tuple[frozenset[str], list[Component]]]:
            wanted = {r: refs if r == rid else self._refs.get(r, frozenset()) for r in rids}
            wanted = {r: w for r, w in wanted.items() if w or r == rid}
            found = inventory.components_by_release(session, wanted)
            return {r: (wanted[r], found[r]) for r in wanted}

        read_for, found = self._take("components", session, rid, load)
        if read_for != refs:  # read ahead for other findings than those it needs now
            return inventory.components_by_ref(session, rid, refs)
        return cast("list[Component]", found)

    def newest_change(self, session: Session) -> int:
        from soupwatch.store.change_index import newest_change

        if self.upto is None:
            self.upto = newest_change(session)
        return self.upto

    def changed_ids(self, session: Session, since: int, upto: int) -> frozenset[str] | None:
        if (since, upto) not in self.changed:
            self.changed[(since, upto)] = changed_ids(session, since, upto)
        return self.changed[(since, upto)]

    def vulnerabilities(self, query: StoreIntelQuery, ids: set[str]) -> dict[str, Vulnerability]:
        missing = sorted(ids - self.records.keys())
        if missing:
            found = query.vulnerabilities(missing)
            self.records.update({i: found.get(i) for i in missing})
        return {i: v for i in ids if (v := self.records[i]) is not None}

    def eol_products(self, query: StoreIntelQuery) -> list[EolProduct]:
        if self.eol is None:
            self.eol = query.eol_products()
        return self.eol

    def feed_snapshot(self, query: StoreIntelQuery) -> tuple[DataSnapshot, ...]:
        if self.snapshot is None:
            self.snapshot = tuple(sorted(query.snapshot(), key=lambda s: s.source))
        return self.snapshot

    def learnt_dates(self, session: Session, product: str) -> dict[str, tuple[date, str]]:
        from soupwatch.risk.records import load_learnt_dates

        if product not in self.learnt:
            self.learnt[product] = load_learnt_dates(session, product)
        return self.learnt[product]

    def rubric_answers(self, session: Session, product: str) -> tuple[StoredAnswer, ...]:
        from soupwatch.risk.records import load_rubric_answers

        if product not in self.rubric:
            self.rubric[product] = load_rubric_answers(session, product)
        return self.rubric[product]


def changed_ids(session: Session, since: int, upto: int) -> frozenset[str] | None:
    """The vulnerability ids the feeds changed after change ``since`` up to ``upto``, with
    their aliases; None when a change named no ids (``EVERYTHING``)."""
    from soupwatch.store.change_index import changes_after, with_aliases
    from soupwatch.store.intel_write import EVERYTHING

    ids = changes_after(session, since, upto)
    return None if EVERYTHING in ids else frozenset(with_aliases(session, ids))


def patch_stored(
    session: Session,
    stamp: repo.ReleaseStamp,
    context: ContextRef,
    marks: repo.AssessmentMarks,
    fingerprint: str,
    now: datetime,
    shared: SharedReads | None = None,
    components_count: int | None = None,
) -> dict[str, Any] | None:
    """Update the release's stored assessment in place; its new counts, or None when only a
    full recomputation is exact (nothing written then). ``shared``: what the other releases
    of the batch read too; ``components_count``: the stored assessment's component count, when
    the caller read it (an import, the only thing that changes it, changes the base)."""
    item = PatchItem(stamp, context, marks, fingerprint, components_count)
    return patch_many(session, [item], now, shared).get(stamp.release_id)


@dataclass(frozen=True, slots=True)
class PatchItem:
    """A stale stored assessment to bring up to date: its release, device context, stored
    marks, the fingerprint it will carry and (when read) its component count."""

    stamp: repo.ReleaseStamp
    context: ContextRef
    marks: repo.AssessmentMarks
    fingerprint: str
    components_count: int | None = None


def patch_many(
    session: Session, items: Sequence[PatchItem], now: datetime, shared: SharedReads | None = None
) -> dict[int, dict[str, Any]]:
    """:func:`patch_stored` for many releases in the session's one transaction: each patch
    computed, then all written together (``store.assessments.patch_assessments``, a statement
    per table). The new counts of each release written; a release missing from the answer
    needs a full recomputation (nothing of it written)."""
    reads = shared if shared is not None else SharedReads()
    planned = {}
    for one in items:
        patch = _plan(session, one, now, reads)
        if patch is not None:
            planned[one.stamp.release_id] = patch
    written = repo.patch_assessments(session, planned)
    return {rid: planned[rid].counts for rid in written}


def _plan(
    session: Session, todo: PatchItem, now: datetime, reads: SharedReads
) -> repo.AssessmentPatch | None:
    """The patch that brings ``todo``'s stored assessment up to date (nothing written), or
    None when only a full recomputation is exact."""
    stamp, context, marks = todo.stamp, todo.context, todo.marks
    fingerprint, components_count = todo.fingerprint, todo.components_count
    from soupwatch.pipeline.assessments import learnt_earlier
    from soupwatch.risk.assess import (
        FindingInput,
        assess_findings,
        numbered,
        order_key,
        priority_fields,
    )
    from soupwatch.risk.finding import Lifecycle

    rid = stamp.release_id
    upto = reads.newest_change(session)
    scan = reads.scan_marks(session, rid)
    since = marks.intel_mark
    for seq in range(marks.findings_seq + 1, scan.findings_seq + 1):
        start = scan.partial.get(seq)
        if start is None:
            return None  # a full scan since: any finding may have changed
        since = min(since, start)
    if reads.decided(session, stamp):
        return None
    volatile = reads.volatile(session, rid)
    if volatile is None:
        return None  # stored before its volatile parts were kept apart
    ids = reads.changed_ids(session, since, upto)
    if ids is None:
        return None
    rows = reads.ranks(session, rid)
    kept = [r for r in rows if r.vuln_id not in ids]
    if any(r.score is None or r.exploitation is None for r in kept):
        return None  # stored before the priority columns existed
    dropped = frozenset(r.vuln_id for r in rows if r.vuln_id in ids)
    stored = reads.findings(session, rid, ids) if ids else []
    query = StoreIntelQuery(session)
    assessed: list[AssessedFinding] = []
    if stored:
        fresh = reads.vulnerabilities(query, {s.finding.vulnerability.id for s in stored})
        learnt = reads.learnt_dates(session, stamp.product)
        inputs = []
        for s in stored:
            newer = fresh.get(s.finding.vulnerability.id)
            f = replace(s.finding, vulnerability=newer) if newer else s.finding
            life = Lifecycle(s.first_seen, s.fix_available, s.resolved_at, s.resolved_by)
            if (known := learnt.get(str(f.vulnerability.id))) is not None:
                life = learnt_earlier(life, *known)
            inputs.append(FindingInput(f, life))
        ctx = context.load()
        components = reads.components(
            session, rid, frozenset(s.finding.component_ref for s in stored)
        )
        assessed = assess_findings(
            inputs,
            components,
            ctx.profile,
            ctx.policy,
            now,
            reads.eol_products(query),
            reads.rubric_answers(session, stamp.product),
        )
    order: list[tuple[tuple[Any, ...], int, repo.StoredRank | AssessedFinding]] = []
    for r in kept:
        order.append((order_key(_fields(r)), 0, r))
    for a in assessed:
        order.append((order_key(priority_fields(a)), 1, a))
    order.sort(key=lambda o: o[0])
    renumbered: dict[int, int] = {}
    added: list[AssessedFinding] = []
    for n, (_, _, item) in enumerate(order, start=1):
        if isinstance(item, repo.StoredRank):
            if item.priority != n:
                renumbered[item.row_id] = n
        else:
            added.append(numbered(item, n))
    unjudged = tuple((name, reason) for _, name, reason in reads.skipped(session, rid))
    skipped = repo.patched_skipped(volatile, unjudged)
    counted = [
        _Counted(FindingStatus(r.status), r.category, r.risk, r.severity, r.kev) for r in kept
    ]
    if components_count is None:
        components_count = int(repo.summaries(session, [rid])[rid].counts["components"])
    counts = count_assessed(
        [*counted, *added], components=components_count, skipped=len(skipped)
    ).as_dict()
    return repo.AssessmentPatch(
        dropped=dropped,
        added=tuple(added),
        renumbered=renumbered,
        counts=counts,
        made_at=now,
        fingerprint=fingerprint,
        marks=repo.AssessmentMarks(marks.base, upto, scan.findings_seq),
        snapshot=reads.feed_snapshot(query),
        unmatched_vex=(),
        skipped=skipped,
        expected=marks,
    )
