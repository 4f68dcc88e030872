"""``StoreIntelSink``: the store's side of a feed sync (implements ``intel.interface.IntelSink``).

Kill-safety: every unit (a file, a page, a chunk of a zip) is written in ONE transaction that
also records how far the sync got (``intel_feed_files`` for whole files, ``cursor`` in
``intel_feed_state`` for partial ones). A sync killed at any moment leaves the last committed
unit and all older data intact; the next run skips the units already done.

Partial syncs are never shown as complete: :meth:`StoreIntelSink.start` marks the feed's sync
started and not complete, and only a :meth:`StoreIntelSink.finish` that advances without an
error marks it complete; a killed sync leaves it started and unfinished, a failed one finished
and not complete.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import assert_never

from sqlalchemy.orm import Session

from soupwatch.intel.interface import (
    Dataset,
    EolCatalogue,
    EpssScores,
    FeedEnding,
    FeedState,
    KevCatalogue,
    RecordBatch,
    UnitData,
    UnitMark,
)
from soupwatch.intel.records import as_utc
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelFeedFileRow, IntelFeedStateRow
from soupwatch.store.intel_write import (
    EVERYTHING,
    count_eol,
    count_epss,
    count_kev,
    count_records,
    delete_stale,
    kev_state,
    note_changes,
    replace_eol,
    replace_epss,
    replace_kev,
    stale_ids,
    write_records,
)

MAX_KEPT_WARNINGS = 200
"""Warning messages kept in ``intel_feed_state`` (all are counted)."""


def state_row(session: Session, feed: str) -> IntelFeedStateRow:
    """The feed's state row, added (empty) when the feed never ran."""
    state = session.get(IntelFeedStateRow, feed)
    if state is None:
        state = IntelFeedStateRow(source=feed, records=0, warnings=0, warning_messages=[])
        session.add(state)
    return state


def feed_state(row: IntelFeedStateRow) -> FeedState:
    """A state row as the intelligence stage's value."""
    return FeedState(
        source=row.source,
        records=row.records or 0,
        newest_record=as_utc(row.newest_record),
        last_sync=as_utc(row.last_sync),
        cursor=dict(row.cursor) if row.cursor else None,
        warnings=row.warnings or 0,
        warning_messages=tuple(str(m) for m in row.warning_messages or ()),
        last_error=row.last_error,
        sync_started=as_utc(row.sync_started),
        sync_finished=as_utc(row.sync_finished),
        sync_progress=as_utc(row.sync_progress),
        sync_complete=row.sync_complete is not False,
    )


def _counter(dataset: Dataset, feed: str) -> Callable[[Session], tuple[int, datetime | None]]:
    match dataset:
        case Dataset.RECORDS:
            return lambda session: count_records(session, feed)
        case Dataset.KEV:
            return count_kev
        case Dataset.EPSS:
            return count_epss
        case Dataset.EOL:
            return count_eol
        case _ as unreachable:
            assert_never(unreachable)


def _write(session: Session, feed: str, data: UnitData, now: datetime) -> int:
    """Write one unit and note the vulnerability ids it changed (``intel_changes``)."""
    match data:
        case RecordBatch():
            changed = {r.vuln_id for r in data.records}
            if data.drop_stale:
                changed |= stale_ids(session, feed=feed, origin=data.origin, stamp=data.stamp)
            note_changes(session, feed, changed, now)
            count = write_records(
                session,
                data.records,
                source=data.source,
                feed=feed,
                origin=data.origin,
                stamp=data.stamp,
            )
            if data.drop_stale:
                delete_stale(session, feed=feed, origin=data.origin, stamp=data.stamp)
            return count
        case KevCatalogue():
            before = kev_state(session)
            after = {e.cve: e.date_added for e in data.entries}
            moved = {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
            note_changes(session, feed, moved, now)
            return replace_kev(session, data)
        case EpssScores():
            note_changes(session, feed, [EVERYTHING], now)
            return replace_epss(session, data)
        case EolCatalogue():
            note_changes(session, feed, [EVERYTHING], now)
            return replace_eol(session, data)
        case _ as unreachable:
            assert_never(unreachable)


class StoreIntelSink:
    """Writes what feeds parse into the intelligence tables, one transaction per unit."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self, feed: str, now: datetime) -> FeedState:
        """Note the attempt and return the feed's state (cursor, last sync) as stored.

        From here until :meth:`finish` records a complete sync, the feed reads as incomplete
        (:attr:`~soupwatch.intel.interface.FeedState.incomplete`): a killed sync stays so.
        """
        with self.store.session() as session:
            state = state_row(session, feed)
            before = feed_state(state)
            state.last_attempt = now
            state.sync_started, state.sync_finished, state.sync_progress = now, None, None
            state.sync_complete = False
            session.flush()
            return before

    def is_done(self, feed: str, file: str, sha256: str) -> bool:
        """True when this exact file (same SHA-256) was imported completely before."""
        with self.store.session() as session:
            row = session.get(IntelFeedFileRow, (feed, file))
            return row is not None and row.sha256 == sha256

    def put(self, feed: str, data: UnitData, mark: UnitMark, now: datetime) -> int:
        """Write one unit and its progress mark in one transaction; returns records written."""
        with self.store.session() as session:
            count = _write(session, feed, data, now)
            if mark.file is not None and mark.sha256 is not None:
                row = session.get(IntelFeedFileRow, (feed, mark.file))
                if row is None:
                    session.add(
                        IntelFeedFileRow(
                            source=feed,
                            file=mark.file,
                            sha256=mark.sha256,
                            records=count,
                            imported_at=now,
                        )
                    )
                else:
                    row.sha256, row.records, row.imported_at = mark.sha256, count, now
            state = state_row(session, feed)
            state.cursor = dict(mark.cursor) if mark.cursor else None
            state.sync_progress = now
        return count

    def finish(self, feed: str, ending: FeedEnding) -> FeedState:
        """Recount the dataset, store the outcome (warnings, error, last sync); the new state."""
        with self.store.session() as session:
            records, newest = _counter(ending.dataset, feed)(session)
            state = state_row(session, feed)
            state.records = records
            state.newest_record = newest
            if ending.advance and ending.error is None:
                state.last_sync = ending.started
                state.cursor = None
            state.warnings = len(ending.warnings)
            state.warning_messages = list(ending.warnings[:MAX_KEPT_WARNINGS])
            state.last_error = ending.error
            state.sync_finished = ending.finished or ending.started
            state.sync_complete = ending.complete
            session.flush()
            return feed_state(state)

    def record_failure(self, feed: str, message: str, now: datetime) -> None:
        """Keep a failed sync's error without touching its data, cursor or last sync.

        The feed reads as incomplete (failed at ``now``) until a sync of it completes.
        """
        with self.store.session() as session:
            state = state_row(session, feed)
            state.last_attempt = now
            state.last_error = message
            state.sync_started = state.sync_started or now
            state.sync_finished = now
            state.sync_complete = False
