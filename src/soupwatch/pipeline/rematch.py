"""Partial re-matching for the incremental watch: index releases by their components' lookup
keys, and match again only the components a feed change can reach.

A component's findings depend only on the records found under its lookup keys
(``match.interface.lookup_keys``, the same keys ``ScanData.fetch`` reads) and on its release's
platform (``match.identity.platform_of``). So after a sync, matching the components under a
changed record's keys (plus those holding a finding of a changed id) in the release's platform
gives exactly the findings a full re-scan would: the other components' findings cannot change.
Within those components only the changed ids are judged again (``match.changed_only``): a
finding of an unchanged vulnerability cannot change either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.changed_only import ChangedOnly
from soupwatch.match.cpe import Platform
from soupwatch.match.identity import platform_of
from soupwatch.match.interface import CompiledRecords, lookup_keys
from soupwatch.match.matcher import MatchContext, MatchResult, match_components
from soupwatch.model import Component, ComponentRef, Finding
from soupwatch.pipeline.flows import display_name
from soupwatch.store import inventory
from soupwatch.store.assessments import save_scan, save_scans, skipped_by_release, skipped_of
from soupwatch.store.change_index import (
    Touched,
    releases_to_index,
    set_release_keys,
)
from soupwatch.store.db import Session, Store
from soupwatch.store.finding_tables import ScanFindings, save_findings, save_findings_many
from soupwatch.store.intel_query import StoreIntelQuery

Progress = Callable[[int, int, str], None]
"""(done, total, what)."""


def index_releases(store: Store, progress: Progress | None = None) -> int:
    """Index every release whose components' keys are missing or older than its import.

    Returns how many releases were (re)indexed; each is its own transaction.
    """
    with store.session() as session:
        todo = releases_to_index(session)
    for done, ref in enumerate(todo, 1):
        with store.session() as session:
            rel = inventory.get_release(session, ref.product, ref.version)
            keys = {str(c.ref): lookup_keys(c) for c in rel.components}
            platform = [str(c.ref) for c in rel.components if platform_of((c,)).names]
            set_release_keys(session, ref.id, keys, platform)
        if progress is not None:
            progress(done, len(todo), f"indexed {ref.product} {ref.version}")
    return len(todo)


def rematch_components(
    store: Store,
    touched: Touched,
    *,
    now: datetime,
    compiled: CompiledRecords | None = None,
    since: int | None = None,
    only_vulns: frozenset[str] | None = None,
) -> int:
    """Match the touched components of one release again and store their findings (lifecycle
    kept; the release's other findings untouched), in one transaction. Returns how many
    components were matched. ``since``: the feed change after which the changes that touched
    them start (recorded with the scan: a stored assessment then updates only the findings of
    the vulnerabilities changed since, ``pipeline.assessment_patch``). ``only_vulns``: judge
    only these vulnerability ids (the changed ones, with their aliases: ``match.changed_only``);
    the findings of the others stay as they are."""
    rid = touched.release.id
    with store.session() as session:
        wanted = set(touched.refs) | set(touched.platform_refs)
        loaded = inventory.components_by_ref(session, rid, wanted)
        platform = [c for c in loaded if str(c.ref) in set(touched.platform_refs)]
        subset = [c for c in loaded if str(c.ref) in touched.refs]
        result = match_components(
            subset,
            _query(session, only_vulns),
            context=MatchContext(platform_of(tuple(platform))),
            compiled=compiled,
        )
        save_findings(
            session,
            touched.release.product,
            touched.release.version,
            result.findings,
            now,
            only_refs=touched.refs,
            only_vulns=only_vulns,
            known_id=rid,
        )
        kept = [s for s in skipped_of(session, rid) if s[0] not in touched.refs]
        fresh = [
            (str(s.component.ref), display_name(s.component.name, s.component.version), s.reason)
            for s in result.skipped
        ]
        save_scan(session, rid, now, kept + fresh, partial_from=since)
    return len(subset)


def _query(session: Session, only_vulns: frozenset[str] | None) -> IntelQuery:
    query = StoreIntelQuery(session, only_vulns)
    return query if only_vulns is None else ChangedOnly(query, only_vulns)


BATCH_RELEASES = 200
"""Touched releases matched together and written in one transaction (:func:`rematch_releases`)."""


def rematch_releases(
    store: Store,
    touched: Sequence[Touched],
    *,
    now: datetime,
    compiled: CompiledRecords | None = None,
    since: int | None = None,
    only_vulns: frozenset[str] | None = None,
) -> int:
    """:func:`rematch_components` for many releases at once, with the same result.

    Releases on the same platform are matched in one ``match_components`` call (so a
    component identity that many releases carry is judged once), and the findings of up to
    :data:`BATCH_RELEASES` releases are written in one transaction. Returns how many
    components were matched.
    """
    compiled = compiled if compiled is not None else CompiledRecords()
    matched = 0
    for start in range(0, len(touched), BATCH_RELEASES):
        with store.session() as session:
            matched += _rematch_batch(
                session, touched[start : start + BATCH_RELEASES], now, compiled, since, only_vulns
            )
    return matched


def _tagged(index: int, c: Component) -> Component:
    return c.with_changes(ref=ComponentRef(f"{index}\t{c.ref}"))


def _untag(ref: str) -> tuple[int, ComponentRef]:
    index, _, own = ref.partition("\t")
    return int(index), ComponentRef(own)


def _rematch_batch(
    session: Session,
    batch: Sequence[Touched],
    now: datetime,
    compiled: CompiledRecords,
    since: int | None,
    only_vulns: frozenset[str] | None,
) -> int:
    by_platform: dict[Platform, list[Component]] = {}
    every = inventory.components_by_release(
        session, {item.release.id: set(item.refs) | set(item.platform_refs) for item in batch}
    )
    for i, item in enumerate(batch):
        loaded = every[item.release.id]
        platform = platform_of(tuple(c for c in loaded if str(c.ref) in set(item.platform_refs)))
        by_platform.setdefault(platform, []).extend(
            _tagged(i, c) for c in loaded if str(c.ref) in item.refs
        )
    findings: list[list[Finding]] = [[] for _ in batch]
    skipped: list[list[tuple[str, str, str]]] = [[] for _ in batch]
    query = _query(session, only_vulns)
    matched = 0
    for platform, subset in by_platform.items():
        matched += len(subset)
        result: MatchResult = match_components(
            subset, query, context=MatchContext(platform), compiled=compiled
        )
        for f in result.findings:
            i, own = _untag(f.component_ref)
            findings[i].append(replace(f, component_ref=own))
        for sk in result.skipped:
            i, own = _untag(sk.component.ref)
            c = sk.component
            skipped[i].append((str(own), display_name(c.name, c.version), sk.reason))
    before = skipped_by_release(session, [item.release.id for item in batch])
    scans = [
        ScanFindings(i.release.product, i.release.version, findings[n], i.refs, i.release.id)
        for n, i in enumerate(batch)
    ]
    save_findings_many(session, scans, now, only_vulns=only_vulns)
    unjudged = {
        item.release.id: [s for s in before[item.release.id] if s[0] not in item.refs] + skipped[n]
        for n, item in enumerate(batch)
    }
    save_scans(session, unjudged, now, partial_from=since)
    return matched
