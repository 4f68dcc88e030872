"""Importing a big archive in chunks, each chunk one transaction with its resume cursor.

The cursor is ``{"file", "sha", "next"}``: a rerun on the same archive (same SHA-256) skips
the chunks already committed. The last chunk also drops the records the archive no longer
holds (``delete_stale``) and marks the archive done, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from soupwatch.errors import FeedFormatError
from soupwatch.intel.interface import RecordBatch
from soupwatch.intel.records import ParsedRecord
from soupwatch.intel.run import FeedRun

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
                RecordBatch(pending, source=source, origin=name, stamp=sha),
                cursor={"file": name, "sha": sha, "next": position},
            )
            pending = []
            run.tell(position, total, name)
    last = pending if position > start else []
    batch = RecordBatch(last, source=source, origin=name, stamp=sha, drop_stale=True)
    run.unit(batch, file=name, sha256=sha)
    run.tell(total, total, name)
