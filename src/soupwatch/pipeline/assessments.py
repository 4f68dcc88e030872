"""Stored assessments: made when an input changes, read by every view.

An assessment's inputs are the release (its import and its last scan), the feeds (their last
syncs), the human decisions (VEX, rubric answers, support overrides: the audit trail's head),
the product's device context (profile and policy) and the day (clocks and support horizons
cross dates). Their fingerprint is stored with the assessment; a view whose fingerprint differs
recomputes it (in-process) and stores the new one. Every view — ``assess``, the FDA package,
the main job, the API and the dashboard — reads the same stored result.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from soupwatch.errors import RiskError
from soupwatch.model.assessment import AssessedFinding, Assessment
from soupwatch.model.codec import decode, encode
from soupwatch.model.status import FindingFilter
from soupwatch.model.vulnerability import Finding
from soupwatch.store import assessments as repo
from soupwatch.store import inventory
from soupwatch.store.db import Store

if TYPE_CHECKING:
    from soupwatch.pipeline.assessment_patch import SharedReads
    from soupwatch.risk.finding import Lifecycle
    from soupwatch.risk.policy import Policy
    from soupwatch.risk.profile import DeviceProfile
    from soupwatch.store.db import Session

ASSESSMENT_VERSION = "5"
"""Bumped when the risk rules change, so that every stored assessment is recomputed."""

SYSTEM_ACTOR = "soupwatch"


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """A product's device profile and response policy, and whether it was recorded."""

    profile: DeviceProfile
    policy: Policy
    recorded: bool
    fingerprint: str


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _context_data(profile: DeviceProfile, policy: Policy) -> tuple[dict[str, Any], dict[str, Any]]:
    return encode(replace(profile, source=None)), encode(replace(policy, source="recorded"))


@functools.cache
def default_context() -> DeviceContext:
    """The context of a product with none recorded: a profile that states nothing (immutable:
    made once per process)."""
    from soupwatch.risk.policy import Policy
    from soupwatch.risk.profile import default_profile

    profile, policy = default_profile(), Policy()
    return DeviceContext(profile, policy, False, _digest(_context_data(profile, policy)))


def _decoded_context(stored: repo.StoredContext) -> DeviceContext:
    from soupwatch.risk.policy import Policy
    from soupwatch.risk.profile import DeviceProfile

    return DeviceContext(
        decode(DeviceProfile, stored.profile),
        decode(Policy, stored.policy),
        True,
        stored.fingerprint,
    )


def record_context(
    store: Store,
    product: str,
    profile: DeviceProfile,
    policy: Policy | None = None,
    *,
    now: datetime,
    actor: str = SYSTEM_ACTOR,
) -> DeviceContext:
    """Record the profile (and policy) a product is assessed with from now on."""
    from soupwatch.risk.policy import Policy

    if profile.product and profile.product != product:
        raise RiskError(
            f"the profile describes product {profile.product!r}, not {product!r}",
            path=profile.source,
            where="device.product",
        )
    policy = policy or Policy()
    prof, pol = _context_data(profile, policy)
    fingerprint = _digest([prof, pol])
    with store.session() as session:
        pid = inventory.product_id(session, product)
        repo.save_context(session, pid, prof, pol, fingerprint=fingerprint, now=now, actor=actor)
    return DeviceContext(profile, policy, True, fingerprint)


def device_context(store: Store, product: str) -> DeviceContext:
    """The product's recorded device context, or the default one."""
    with store.session() as session:
        pid = inventory.product_id(session, product)
        stored = repo.contexts(session, [pid]).get(pid)
    return _decoded_context(stored) if stored else default_context()


VEX_SUBJECT = re.compile(r"^vex:\S+ (?:.*) (release|product|component):(.*)$", re.S)
"""``vex:<vuln> <component> <scope>:<target>`` (``soupwatch.vex.statements.subject``)."""


def learnt_earlier(life: Lifecycle, day: date, why: str) -> Lifecycle:
    """The lifecycle with the clocks' start moved to a recorded earlier day (never later)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    if life.first_seen is not None and life.first_seen <= start:
        return life
    return replace(life, first_seen=start, first_seen_source=f"first learnt {day}, {why}")


def _product_of(subject: str, products: set[str]) -> str | None:
    """The product an audited decision is about; None when it may reach any product.

    VEX subjects name their scope's target; rubric answers and support overrides start with
    ``<product>/``. Anything not recognisably one product's counts for every product, so a
    decision can make assessments stale that it does not touch, never the other way round.
    """
    m = VEX_SUBJECT.match(subject)
    if m:
        scope, target = m.groups()
        name = {"product": target, "release": target.rpartition("/")[0]}.get(scope)
    else:
        name = subject.split("/", 1)[0] if "/" in subject else None
    return name if name in products else None


@dataclass(frozen=True, slots=True)
class SharedStamp:
    """The inputs that releases share: the feeds, and the newest human decision per product."""

    feeds: dict[str, str]
    heads: dict[str, int]
    everywhere: int
    """The newest decision that may reach any product (component scope, unrecognised)."""

    def for_product(self, product: str) -> dict[str, str]:
        """What a release of ``product`` depends on."""
        head = max(self.heads.get(product, 0), self.everywhere)
        return {**self.feeds, "decisions": str(head)}


NOT_ASSESSED_SUBJECTS = (
    "user:",
    "team:",
    "key:",
    "job:",
    "notify-rule:",
    "notify-channel:",
    "alert:",
    "alert_rules:",
    "disclosure:",
    "incident:",
    "advisory:",
    "unit:",
    "fleet:",
)
"""Audit subjects that no assessment reads (users, teams and grants, API keys, jobs,
notification rules and channels, device alerts and their rules, disclosure reports, incidents,
published advisories, deployed units and their imports): a change to one leaves every stored
assessment current. An assessment reads findings, components, VEX decisions and their
verdicts, rubric answers, learnt dates, support overrides and the device context; anything
else audited (unknown to this list) makes every assessment stale, never the other way round.

Before jobs were listed here, every job's start entry (``job:N``) made every stored
assessment of every product stale and changed its base, so the incremental watch's own
re-match job recomputed each touched assessment from scratch instead of updating it."""
NOT_ASSESSED_ACTIONS = ("vex.comment",)
"""Audit actions that change nothing an assessment shows (a comment on a decision; its
verdict does count: reports show the approval state)."""


def _shared(session: Session, products: Iterable[str] | None = None) -> SharedStamp:
    """The shared stamp (``products``: every product's name, when the caller has them)."""
    products = set(inventory.manufacturers(session) if products is None else products)
    heads: dict[str, int] = {}
    everywhere = 0
    entries = repo.audit_heads(
        session, skip_prefixes=NOT_ASSESSED_SUBJECTS, skip_actions=NOT_ASSESSED_ACTIONS
    )
    for subject, seq in entries:
        product = _product_of(subject, products)
        if product is None:
            everywhere = max(everywhere, seq)
        else:
            heads[product] = max(heads.get(product, 0), seq)
    return SharedStamp(repo.feed_stamp(session), heads, everywhere)


def _fingerprint(stamp: repo.ReleaseStamp, shared: SharedStamp, context: str, now: datetime) -> str:
    return _fingerprint_of(
        stamp.release_id,
        stamp.imported_at,
        stamp.scanned_at,
        stamp.findings_seq,
        tuple(sorted(shared.for_product(stamp.product).items())),
        context,
        now.date().isoformat(),
    )


@functools.lru_cache(maxsize=4096)
def _fingerprint_of(
    release_id: int,
    imported_at: datetime | None,
    scanned_at: datetime | None,
    findings_seq: int,
    shared: tuple[tuple[str, str], ...],
    context: str,
    day: str,
) -> str:
    """The digest of a release's inputs (a pure function of its arguments: kept per process,
    the portfolio computes hundreds per view). The findings sequence besides the scan time:
    two scans stamped with the same clock (a job's fixed ``SOUPWATCH_NOW``, a coarse clock)
    still change it."""
    return _digest(
        {
            "version": ASSESSMENT_VERSION,
            "release": [release_id, imported_at, scanned_at, findings_seq],
            "shared": dict(shared),
            "context": context,
            "day": day,
        }
    )


def _base(stamp: repo.ReleaseStamp, shared: SharedStamp, context: str, now: datetime) -> str:
    """The digest of a release's inputs other than the feeds and its scan: an assessment with
    the same base can be brought up to date finding by finding (:mod:`.assessment_patch`)."""
    decisions = shared.for_product(stamp.product)["decisions"]
    return _base_of(stamp.release_id, stamp.imported_at, decisions, context, now.date().isoformat())


@functools.lru_cache(maxsize=4096)
def _base_of(
    release_id: int, imported_at: datetime | None, decisions: str, context: str, day: str
) -> str:
    return _digest(
        {
            "version": ASSESSMENT_VERSION,
            "release": [release_id, imported_at],
            "decisions": decisions,
            "context": context,
            "day": day,
        }
    )


def _gather(
    session: Session, stamp: repo.ReleaseStamp, context: DeviceContext, now: datetime
) -> tuple[Assessment, int, int]:
    """Read every input of one release's assessment and build it (risk stage, pure); with the
    newest feed change and the release's findings sequence, read before anything else (so the
    assessment covers at least those)."""
    from soupwatch.store.change_index import newest_change

    intel_mark = newest_change(session)
    findings_seq = repo.scan_marks(session, stamp.release_id).findings_seq
    from soupwatch.risk.assess import FindingInput, build_assessment
    from soupwatch.risk.finding import Lifecycle
    from soupwatch.risk.records import (
        load_learnt_dates,
        load_rubric_answers,
        load_support_overrides,
    )
    from soupwatch.store.finding_tables import load_findings
    from soupwatch.store.intel_query import StoreIntelQuery
    from soupwatch.vex.decisions import decisions_for

    rel = inventory.get_release(session, stamp.product, stamp.release)
    query = StoreIntelQuery(session)
    stored = load_findings(session, stamp.product, stamp.release)
    fresh = query.vulnerabilities(sorted({s.finding.vulnerability.id for s in stored}))
    findings: list[Finding] = []
    for s in stored:
        newer = fresh.get(s.finding.vulnerability.id)
        findings.append(replace(s.finding, vulnerability=newer) if newer else s.finding)
    lookup = decisions_for(session, stamp.product, stamp.release, findings, now)
    learnt = load_learnt_dates(session, stamp.product)
    inputs = []
    for s, f in zip(stored, findings, strict=True):
        d = lookup.for_finding(f)
        life = Lifecycle(s.first_seen, s.fix_available, s.resolved_at, s.resolved_by)
        if (known := learnt.get(str(f.vulnerability.id))) is not None:
            life = learnt_earlier(life, *known)
        inputs.append(FindingInput(f, life, d.statement if d else None, bool(d and d.needs_review)))
    made = build_assessment(
        product=stamp.product,
        release=stamp.release,
        components=rel.components,
        findings=inputs,
        profile=context.profile,
        policy=context.policy,
        now=now,
        eol_products=query.eol_products(),
        snapshot=query.snapshot(),
        stored_answers=load_rubric_answers(session, stamp.product),
        overrides=load_support_overrides(session, stamp.product),
        unmatched_vex=lookup.unmatched,
        unjudged=tuple(
            (name, reason) for _, name, reason in repo.skipped_of(session, stamp.release_id)
        ),
    )
    return made, intel_mark, findings_seq


def _stamp(session: Session, product: str, release: str) -> repo.ReleaseStamp:
    found = repo.release_stamps(session, product, release)
    if not found:
        inventory.release_id(session, product, release)  # NotFoundError names what is missing
    return found[0]


def _context_for(
    store: Store,
    product: str,
    profile: DeviceProfile | None,
    policy: Policy | None,
    now: datetime,
    actor: str,
) -> DeviceContext:
    """The context to assess with: what is given replaces what is recorded, the rest stays."""
    current = device_context(store, product)
    if profile is None and policy is None:
        return current
    return record_context(
        store,
        product,
        profile or current.profile,
        policy or current.policy,
        now=now,
        actor=actor,
    )


def _current(
    store: Store,
    stamp: repo.ReleaseStamp,
    context: ContextRef,
    shared: SharedStamp,
    stored: repo.AssessmentSummary | None,
    maker: str | None,
    now: datetime,
    reads: SharedReads | None = None,
    patch: bool = True,
) -> tuple[ReleaseSummary, Assessment | None]:
    """The one staleness rule: the stored summary when its fingerprint still holds, else the
    assessment recomputed and stored (returned too). Only a recomputation decodes the context.
    ``reads``: what the other releases of a batch read too (``assessment_patch.SharedReads``);
    ``patch``: False when a patch was tried already (:func:`_patch_stale`)."""
    fingerprint = _fingerprint(stamp, shared, context.fingerprint, now)
    if stored is not None and stored.fingerprint == fingerprint:
        made, name = stored.made_at, stored.profile_name
        return _summary(stamp, maker, stored.counts, made, name, False), None
    base = _base(stamp, shared, context.fingerprint, now)
    if patch and stored is not None and stored.marks is not None and stored.marks.base == base:
        from soupwatch.pipeline.assessment_patch import patch_stored

        with store.session() as session:
            counts = patch_stored(
                session,
                stamp,
                context,
                stored.marks,
                fingerprint,
                now,
                reads,
                int(stored.counts["components"]),
            )
        if counts is not None:
            name = stored.profile_name
            return _summary(stamp, maker, counts, now, name, True), None
    with store.session() as session:
        result, intel_mark, seq = _gather(session, stamp, context.load(), now)
        marks = repo.AssessmentMarks(base, intel_mark, seq)
        repo.save_assessment(session, stamp.release_id, result, fingerprint, marks)
    counts = result.counts.as_dict()
    return _summary(stamp, maker, counts, result.assessed_at, result.profile_name, True), result


@dataclass(frozen=True, slots=True)
class ContextRef:
    """A product's device context as the staleness check needs it: its fingerprint, and how
    to get the context itself (decoded only when an assessment is recomputed)."""

    fingerprint: str
    load: Callable[[], DeviceContext]


def _ref(context: DeviceContext) -> ContextRef:
    return ContextRef(context.fingerprint, lambda: context)


def _stored_ref(store: Store, product: str, fingerprint: str | None) -> ContextRef:
    """The product's recorded context by its fingerprint (None: none recorded, the default)."""
    if fingerprint is None:
        return _ref(default_context())
    return ContextRef(fingerprint, lambda: device_context(store, product))


@dataclass(frozen=True, slots=True)
class _Check:
    """What one release's staleness check reads (one session)."""

    stamp: repo.ReleaseStamp
    shared: SharedStamp
    stored: repo.AssessmentSummary | None
    maker: str | None
    context: str | None
    """The fingerprint of the product's recorded context (None: none recorded)."""


def _check(session: Session, product: str, release: str) -> _Check:
    stamp = _stamp(session, product, release)
    makers = inventory.manufacturers(session)
    return _Check(
        stamp,
        _shared(session, makers),
        repo.summaries(session, [stamp.release_id]).get(stamp.release_id),
        makers.get(product),
        repo.context_fingerprints(session, [stamp.product_id]).get(stamp.product_id),
    )


def _ensure(
    store: Store,
    product: str,
    release: str,
    context: DeviceContext | None = None,
    now: datetime | None = None,
) -> tuple[ReleaseSummary, Assessment | None]:
    """Make one release's stored assessment current; the new one when it was recomputed.
    ``context``: the one to assess with (None: the product's recorded one)."""
    with store.session() as session:
        got = _check(session, product, release)
    ref = _ref(context) if context is not None else _stored_ref(store, product, got.context)
    return _current(store, got.stamp, ref, got.shared, got.stored, got.maker, now or _utcnow())


def _utcnow() -> datetime:
    return datetime.now(UTC)


def assessment(
    store: Store,
    product: str,
    release: str,
    *,
    now: datetime | None = None,
    profile: DeviceProfile | None = None,
    policy: Policy | None = None,
    actor: str = SYSTEM_ACTOR,
) -> Assessment:
    """The release's current assessment: the stored one, or recomputed and stored when stale.

    Given a ``profile`` (and/or ``policy``), they are first recorded as the product's device
    context, so that every later view assesses with the same ones.
    """
    now = now or datetime.now(UTC)
    context = _context_for(store, product, profile, policy, now, actor)
    _, made = _ensure(store, product, release, context, now)
    if made is not None:
        return made
    with store.session() as session:
        loaded = repo.load_assessment(session, inventory.release_id(session, product, release))
    assert loaded is not None  # _ensure just found it current
    return loaded


def release_summary(
    store: Store, product: str, release: str, *, now: datetime | None = None
) -> ReleaseSummary:
    """The release's headline counts from its current stored assessment (no findings read)."""
    now = now or datetime.now(UTC)
    summary, _ = _ensure(store, product, release, None, now)
    return summary


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    """One release's headline counts from its stored assessment."""

    product: str
    manufacturer: str | None
    release: str
    profile_name: str | None
    assessed_at: datetime
    counts: dict[str, Any]
    recomputed: bool


def _summary(
    stamp: repo.ReleaseStamp,
    maker: str | None,
    counts: dict[str, Any],
    made: datetime,
    name: str | None,
    recomputed: bool,
) -> ReleaseSummary:
    return ReleaseSummary(stamp.product, maker, stamp.release, name, made, counts, recomputed)


COUNTS_KEPT = 5000
"""Stored assessments' headline counts kept per process (:func:`_summaries`)."""
_counts: dict[tuple[int, str, datetime], dict[str, Any]] = {}


def _summaries(session: Session, release_ids: list[int]) -> dict[int, repo.AssessmentSummary]:
    """The stored summaries of these releases, their counts read only for assessments not met
    before: counts are kept under the stored assessment's identity (release, fingerprint,
    time made), which a recomputation changes, so a kept one cannot disagree."""
    found = repo.summaries(session, release_ids, counts=False)
    new = [rid for rid, s in found.items() if (rid, s.fingerprint, s.made_at) not in _counts]
    if new:
        # read again with the counts: what is stored now (if recomputed since, the newer one)
        found.update(repo.summaries(session, new))
        if len(_counts) + len(new) > COUNTS_KEPT:
            _counts.clear()
        _counts.update(
            ((rid, found[rid].fingerprint, found[rid].made_at), found[rid].counts) for rid in new
        )
    out: dict[int, repo.AssessmentSummary] = {}
    for rid, s in found.items():
        counts = _counts.get((rid, s.fingerprint, s.made_at), s.counts)
        out[rid] = replace(s, counts=counts)
    return out


def portfolio(store: Store, *, now: datetime | None = None) -> list[ReleaseSummary]:
    """Every release's counts, from stored assessments (stale ones are recomputed first)."""
    return _summaries_of(store, None, now or datetime.now(UTC))


def release_summaries(
    store: Store, releases: Iterable[tuple[str, str]], *, now: datetime | None = None
) -> list[ReleaseSummary]:
    """:func:`release_summary` of each (product, release), in the portfolio's order, reading
    what they share (feeds, decision heads, device contexts) once, as :func:`portfolio` does."""
    return _summaries_of(store, set(releases), now or datetime.now(UTC))


def _summaries_of(
    store: Store, wanted: set[tuple[str, str]] | None, now: datetime
) -> list[ReleaseSummary]:
    with store.session() as session:
        stamps = repo.release_stamps(session)
        if wanted is not None:
            stamps = [s for s in stamps if (s.product, s.release) in wanted]
        makers = inventory.manufacturers(session)
        shared = _shared(session, makers)
        ctx_fps = repo.context_fingerprints(session, {s.product_id for s in stamps})
        stored = _summaries(session, [s.release_id for s in stamps])
    names = {s.product_id: s.product for s in stamps}
    refs = {pid: _stored_ref(store, name, ctx_fps.get(pid)) for pid, name in names.items()}
    from soupwatch.pipeline.assessment_patch import SharedReads

    stale = tuple(
        stamp
        for stamp in stamps
        if (had := stored.get(stamp.release_id)) is not None
        and had.fingerprint != _fingerprint(stamp, shared, refs[stamp.product_id].fingerprint, now)
    )
    reads = SharedReads(pending=stale)
    patched, tried = _patch_stale(store, stale, stored, refs, shared, now, reads)
    out = []
    for stamp in stamps:
        rid, maker = stamp.release_id, makers.get(stamp.product)
        if rid in patched:
            name = stored[rid].profile_name
            out.append(_summary(stamp, maker, patched[rid], now, name, True))
            continue
        had = stored.get(rid)
        context = refs[stamp.product_id]
        out.append(
            _current(store, stamp, context, shared, had, maker, now, reads, rid not in tried)[0]
        )
    return out


PATCHED_TOGETHER = 100
"""Stale stored assessments brought up to date in one transaction (:func:`_patch_stale`)."""


def _patch_stale(
    store: Store,
    stale: Sequence[repo.ReleaseStamp],
    stored: Mapping[int, repo.AssessmentSummary],
    refs: Mapping[int, ContextRef],
    shared: SharedStamp,
    now: datetime,
    reads: SharedReads,
) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Bring the ``stale`` stored assessments a patch can update up to date, a batch per
    transaction (``assessment_patch.patch_many``): the new counts of those written, and the
    releases tried (a tried one not written needs a full recomputation)."""
    from soupwatch.pipeline.assessment_patch import PatchItem, patch_many

    todo = []
    for stamp in stale:
        had, context = stored[stamp.release_id], refs[stamp.product_id]
        if had.marks is None or had.marks.base != _base(stamp, shared, context.fingerprint, now):
            continue
        fingerprint = _fingerprint(stamp, shared, context.fingerprint, now)
        count = int(had.counts["components"])
        todo.append(PatchItem(stamp, context, had.marks, fingerprint, count))
    patched: dict[int, dict[str, Any]] = {}
    for start in range(0, len(todo), PATCHED_TOGETHER):
        with store.session() as session:
            patched.update(patch_many(session, todo[start : start + PATCHED_TOGETHER], now, reads))
    return patched, {t.stamp.release_id for t in todo}


def data_generation(store: Store, *, now: datetime | None = None) -> str:
    """A digest that changes whenever anything a read view shows may have: every input of the
    stored assessments (and the day, which their clocks cross), the stored assessments, the
    products and the trend snapshots (:func:`soupwatch.store.generation.data_generation`, one
    query). What is kept under it cannot disagree with the store while it holds."""
    from soupwatch.store.generation import data_generation as read

    day = (now or datetime.now(UTC)).date().isoformat()
    with store.session() as session:
        parts = read(session)
    return _digest([ASSESSMENT_VERSION, day, parts])


def _header(store: Store, product: str, release: str, made: Assessment | None) -> Assessment:
    if made is not None:
        return replace(made, findings=())
    with store.session() as session:
        header = repo.load_header(session, inventory.release_id(session, product, release))
    assert header is not None  # the caller just found it current
    return header


def assessment_header(
    store: Store, product: str, release: str, *, now: datetime | None = None
) -> Assessment:
    """The current assessment without its findings (components with support, snapshot, skipped);
    ``release_summary`` gives the counts."""
    now = now or datetime.now(UTC)
    _, made = _ensure(store, product, release, None, now)
    return _header(store, product, release, made)


FINDINGS_KEPT = 5000
"""Findings kept in pages per process (:func:`findings_page`), to bound the memory they hold:
past it, the kept pages are dropped."""
_Kept = tuple[int, tuple[AssessedFinding, ...], str | None, Any]
_pages: dict[tuple[Any, ...], _Kept] = {}
"""Pages read from a current stored assessment, under its identity (release, fingerprint and
time made: a recomputed assessment is a new key) and the page's parameters. A stored
assessment's rows are never changed in place (``save_assessment`` replaces them and the
time made together), so a kept page cannot disagree with the stored one."""


def _keep_page(key: tuple[Any, ...], kept: _Kept) -> None:
    held = sum(len(k[1]) + 1 for k in list(_pages.values()))
    if held + len(kept[1]) > FINDINGS_KEPT:
        _pages.clear()
    _pages[key] = kept


@dataclass(frozen=True, slots=True)
class FindingsPage:
    """One page of a release's assessed findings, in priority order."""

    summary: ReleaseSummary
    total: int
    items: list[AssessedFinding]
    header: Assessment | None = None
    """The assessment without its findings, when asked for (one staleness check for both)."""
    next_cursor: str | None = None
    """Paged by cursor: the cursor of the next page (None: this is the last one)."""


def findings_page(
    store: Store,
    product: str,
    release: str,
    flt: FindingFilter,
    *,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
    header: bool = False,
    cursor: str | None = None,
    paged: bool = False,
) -> FindingsPage:
    """The current assessment's summary, how many findings match, one page of them (and, with
    ``header``, the assessment without its findings).

    With ``cursor`` (the ``next_cursor`` of the previous page) or ``paged`` (the first page),
    pages are cut by cursor (:mod:`soupwatch.pipeline.paging`): the page after the cursor's
    last finding, and ``next_cursor`` for the one after it; ``offset`` is then ignored.
    """
    from soupwatch.pipeline import paging

    now = now or datetime.now(UTC)
    token = paging.decode(cursor) if cursor is not None else None
    with_cursor = paged or token is not None

    def read(
        session: Session, rid: int, summary: ReleaseSummary
    ) -> tuple[int, list[AssessedFinding], str | None]:
        after = None
        if token is not None:
            after = paging.check(token, rid, summary.assessed_at, flt)
        total, page = repo.finding_page(
            session,
            rid,
            flt,
            offset=0 if with_cursor else offset,
            limit=limit + 1 if with_cursor else limit,
            after=after,
        )
        following = None
        if with_cursor and len(page) > limit:
            page = page[:limit]
            last = paging.Cursor(
                rid, summary.assessed_at.isoformat(), paging.filter_digest(flt), page[-1].priority
            )
            following = paging.encode(last)
        return total, page, following

    # The usual case, a current stored assessment, is checked and read in one session.
    with store.session() as session:
        got = _check(session, product, release)
        ref = _stored_ref(store, product, got.context)
        rid = got.stamp.release_id
        fingerprint = _fingerprint(got.stamp, got.shared, ref.fingerprint, now)
        if got.stored is not None and got.stored.fingerprint == fingerprint:
            s = got.stored
            summary = _summary(got.stamp, got.maker, s.counts, s.made_at, s.profile_name, False)
            key = (rid, s.fingerprint, s.made_at, flt, offset, limit, cursor, paged, header)
            kept = _pages.get(key)
            if kept is None:
                total, page, following = read(session, rid, summary)
                top = repo.load_header(session, rid) if header else None
                kept = (total, tuple(page), following, top)
                _keep_page(key, kept)
            total, items, following, top = kept
            return FindingsPage(summary, total, list(items), top, following)
    summary, made = _current(store, got.stamp, ref, got.shared, got.stored, got.maker, now)
    with store.session() as session:
        total, page, following = read(session, rid, summary)
    top = _header(store, product, release, made) if header else None
    return FindingsPage(summary, total, page, top, following)
