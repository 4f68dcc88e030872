"""Partial re-matching for the incremental watch: index releases by their components' lookup
keys, and match again only the components a feed change can reach.

A component's findings depend only on the records found under its lookup keys
(``match.interface.lookup_keys``, the same keys ``ScanData.fetch`` reads) and on its release's
platform (``match.identity.platform_of``). So after a sync, matching the components under a
changed record's keys (plus those holding a finding of a changed id) in the release's platform
gives exactly the findings a full re-scan would: the other components' findings cannot change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from soupwatch.match.identity import platform_of
from soupwatch.match.interface import CompiledRecords, lookup_keys
from soupwatch.match.matcher import MatchContext, match_components
from soupwatch.pipeline.flows import display_name
from soupwatch.store import inventory
from soupwatch.store.assessments import save_scan, skipped_of
from soupwatch.store.change_index import (
    Touched,
    releases_to_index,
    set_release_keys,
)
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
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
    store: Store, touched: Touched, *, now: datetime, compiled: CompiledRecords | None = None
) -> int:
    """Match the touched components of one release again and store their findings (lifecycle
    kept; the release's other findings untouched), in one transaction. Returns how many
    components were matched."""
    rid = touched.release.id
    with store.session() as session:
        wanted = set(touched.refs) | set(touched.platform_refs)
        loaded = inventory.components_by_ref(session, rid, wanted)
        platform = [c for c in loaded if str(c.ref) in set(touched.platform_refs)]
        subset = [c for c in loaded if str(c.ref) in touched.refs]
        result = match_components(
            subset,
            StoreIntelQuery(session),
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
        )
        kept = [s for s in skipped_of(session, rid) if s[0] not in touched.refs]
        fresh = [
            (str(s.component.ref), display_name(s.component.name, s.component.version), s.reason)
            for s in result.skipped
        ]
        save_scan(session, rid, now, kept + fresh)
    return len(subset)
