"""One sync of one feed: per-unit transactions with the cursor, warnings, and the final state.

Kill-safety: every unit (a file, a page, a chunk of a zip) is written in ONE transaction that
also records how far the sync got (``intel_feed_files`` for whole files, ``cursor`` for
partial ones). A sync killed at any moment leaves the last committed unit and all older data
intact; the next run skips the units already done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soupwatch.intel.interface import ProgressCallback, SyncResult
from soupwatch.intel.records import as_utc
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelFeedFileRow, IntelFeedStateRow, IntelRecordRow

MAX_KEPT_WARNINGS = 200
Writer = Callable[[Session], int]


class FeedRun:
    """Bookkeeping of one feed's sync: call :meth:`unit` per unit, then :meth:`finish`."""

    def __init__(
        self,
        store: Store,
        feed: str,
        clock: Callable[[], datetime],
        progress: ProgressCallback | None = None,
    ) -> None:
        self.store = store
        self.feed = feed
        self.clock = clock
        self.progress = progress
        self.warnings: list[str] = []
        self.records = 0
        self.resumed = False
        self.started = clock()
        with store.session() as session:
            state = self._state(session)
            state.last_attempt = self.started
            self.cursor: dict[str, Any] = dict(state.cursor or {})
            self.previous_sync = as_utc(state.last_sync)

    def _state(self, session: Session) -> IntelFeedStateRow:
        state = session.get(IntelFeedStateRow, self.feed)
        if state is None:
            state = IntelFeedStateRow(source=self.feed, records=0, warnings=0, warning_messages=[])
            session.add(state)
        return state

    def warn(self, message: str) -> None:
        """Record a warning: counted in ``db status``, listed in the sync result."""
        self.warnings.append(message)

    def tell(self, done: int, total: int | None, what: str) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(done, total, what)

    def is_done(self, file: str, sha256: str) -> bool:
        """True when this exact file (same SHA-256) was imported completely before."""
        with self.store.session() as session:
            row = session.get(IntelFeedFileRow, (self.feed, file))
            return row is not None and row.sha256 == sha256

    def unit(
        self,
        write: Writer,
        *,
        file: str | None = None,
        sha256: str | None = None,
        cursor: dict[str, Any] | None = None,
    ) -> int:
        """Write one unit and its progress marker in a single transaction; returns records."""
        with self.store.session() as session:
            count = write(session)
            if file is not None and sha256 is not None:
                row = session.get(IntelFeedFileRow, (self.feed, file))
                if row is None:
                    session.add(
                        IntelFeedFileRow(
                            source=self.feed,
                            file=file,
                            sha256=sha256,
                            records=count,
                            imported_at=self.clock(),
                        )
                    )
                else:
                    row.sha256, row.records, row.imported_at = sha256, count, self.clock()
            state = self._state(session)
            state.cursor = cursor
            self.cursor = dict(cursor or {})
        self.records += count
        return count

    def finish(
        self,
        counter: Callable[[Session], tuple[int, datetime | None]] | None = None,
        error: str | None = None,
        *,
        advance: bool = True,
    ) -> SyncResult:
        """Store counts, newest record, last sync (only when ``advance``), warnings, error."""
        with self.store.session() as session:
            records, newest = (counter or self.record_counter)(session)
            state = self._state(session)
            state.records = records
            state.newest_record = newest
            if advance and error is None:
                state.last_sync = self.started
                state.cursor = None
            state.warnings = len(self.warnings)
            state.warning_messages = self.warnings[:MAX_KEPT_WARNINGS]
            state.last_error = error
        return SyncResult(
            source=self.feed,
            records=self.records,
            warnings=tuple(self.warnings),
            resumed=self.resumed,
            newest=newest,
        )

    def record_counter(self, session: Session) -> tuple[int, datetime | None]:
        """Records this feed wrote to ``intel_records`` and the newest ``modified``."""
        count, newest = session.execute(
            select(func.count(), func.max(IntelRecordRow.modified)).where(
                IntelRecordRow.feed == self.feed
            )
        ).one()
        return int(count), as_utc(newest)
