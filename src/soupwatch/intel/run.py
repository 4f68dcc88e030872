"""One sync of one feed: units handed to the sink with their progress mark, warnings, the end.

Kill-safety is the sink's promise (:class:`~soupwatch.intel.interface.IntelSink`): each unit
(a file, a page, a chunk of a zip) is committed together with how far the sync got, so a sync
killed at any moment leaves the last committed unit and all older data, and the next run
resumes from :attr:`FeedRun.cursor` or skips the files :meth:`FeedRun.is_done` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from soupwatch.intel.interface import (
    Dataset,
    FeedEnding,
    IntelSink,
    ProgressCallback,
    SyncResult,
    UnitData,
    UnitMark,
)


class FeedRun:
    """Bookkeeping of one feed's sync: call :meth:`unit` per unit, then :meth:`finish`."""

    def __init__(
        self,
        sink: IntelSink,
        feed: str,
        clock: Callable[[], datetime],
        progress: ProgressCallback | None = None,
    ) -> None:
        self.sink = sink
        self.feed = feed
        self.clock = clock
        self.progress = progress
        self.warnings: list[str] = []
        self.records = 0
        self.resumed = False
        self.started = clock()
        state = sink.start(feed, self.started)
        self.cursor: dict[str, Any] = dict(state.cursor or {})
        self.previous_sync = state.last_sync

    def warn(self, message: str) -> None:
        """Record a warning: counted in ``db status``, listed in the sync result."""
        self.warnings.append(message)

    def tell(self, done: int, total: int | None, what: str) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(done, total, what)

    def is_done(self, file: str, sha256: str) -> bool:
        """True when this exact file (same SHA-256) was imported completely before."""
        return self.sink.is_done(self.feed, file, sha256)

    def unit(
        self,
        data: UnitData,
        *,
        file: str | None = None,
        sha256: str | None = None,
        cursor: Mapping[str, Any] | None = None,
    ) -> int:
        """Hand one unit and its progress mark to the sink (one transaction); returns records."""
        mark = UnitMark(file=file, sha256=sha256, cursor=cursor)
        count = self.sink.put(self.feed, data, mark, self.clock())
        self.cursor = dict(cursor or {})
        self.records += count
        return count

    def finish(
        self,
        dataset: Dataset = Dataset.RECORDS,
        error: str | None = None,
        *,
        advance: bool = True,
    ) -> SyncResult:
        """Store counts, newest record, last sync (only when ``advance``), warnings, error."""
        ending = FeedEnding(
            dataset=dataset,
            started=self.started,
            advance=advance,
            warnings=tuple(self.warnings),
            error=error,
            finished=self.clock(),
        )
        state = self.sink.finish(self.feed, ending)
        return SyncResult(
            source=self.feed,
            records=self.records,
            warnings=tuple(self.warnings),
            resumed=self.resumed,
            newest=state.newest_record,
        )
