"""Importing a big archive in chunks, each chunk one transaction with its resume cursor.

The cursor is ``{"file", "sha", "next"}``: a rerun on the same archive (same SHA-256) skips
the chunks already committed. The last chunk also drops the records the archive no longer
holds (``delete_stale``) and marks the archive done, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from sqlalchemy.orm import Session

from soupwatch.errors import FeedFormatError
from soupwatch.intel.records import ParsedRecord
from soupwatch.intel.run import FeedRun
from soupwatch.intel.writer import delete_stale, write_records

CHUNK_MEMBERS = 1000
Parser = Callable[[str, bytes], list[ParsedRecord]]


def _chunked(items: Iterator[tuple[str, bytes]], size: int) -> Iterator[list[tuple[str, bytes]]]:
    while part := list(islice(items, size)):
        yield part


def import_members(
    run: FeedRun,
    *,
    name: str,
    sha: str,
    members: Iterable[tuple[str, bytes]],
    total: int,
    parse: Parser,
    source: str,
    chunk: int = CHUNK_MEMBERS,
) -> None:
    """Parse and write archive members chunk by chunk, resuming where a killed run stopped."""
    start = 0
    if run.cursor.get("file") == name and run.cursor.get("sha") == sha:
        start = int(run.cursor.get("next") or 0)
        run.resumed = start > 0
    position = 0
    pending: list[ParsedRecord] = []
    for part in _chunked(iter(members), chunk):
        position += len(part)
        if position <= start:
            continue
        pending = []
        for member, data in part:
            try:
                pending.extend(parse(member, data))
            except FeedFormatError as err:
                run.warn(str(err))
        if position < total:
            run.unit(
                _writer(pending, run.feed, source, name, sha, last=False),
                cursor={"file": name, "sha": sha, "next": position},
            )
            pending = []
            run.tell(position, total, name)
    last = pending if position > start else []
    run.unit(_writer(last, run.feed, source, name, sha, last=True), file=name, sha256=sha)
    run.tell(total, total, name)


def _writer(
    records: list[ParsedRecord],
    feed: str,
    source: str,
    origin: str,
    stamp: str,
    *,
    last: bool,
) -> Callable[[Session], int]:
    def write(session: Session) -> int:
        count = write_records(
            session, records, source=source, feed=feed, origin=origin, stamp=stamp
        )
        if last:
            delete_stale(session, feed=feed, origin=origin, stamp=stamp)
        return count

    return write
