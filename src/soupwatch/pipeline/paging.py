"""Cursors of the paged findings: opaque to callers, stable under the priority order.

A cursor names the release, the stored assessment it was cut from (its time), the filter and
the priority of the last finding served. The next page is the findings after that priority
in the same stored assessment, so paging through a release never repeats or skips a finding.
When the assessment has been recomputed since (a scan, a feed sync, a decision, a new day),
the order may have changed: the cursor is refused with :class:`~soupwatch.errors.StaleCursor`
and the caller pages again from the start, rather than silently mixing two orders.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import astuple, dataclass
from datetime import datetime

from soupwatch.errors import SoupwatchError, StaleCursor
from soupwatch.model.status import FindingFilter


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts: after ``priority`` in the assessment made at ``made``."""

    release_id: int
    made: str
    filter: str
    priority: int


def filter_digest(flt: FindingFilter) -> str:
    """A short digest of the filter (a cursor only continues the list it was cut from)."""
    text = json.dumps(astuple(flt), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def encode(cursor: Cursor) -> str:
    """The cursor as an opaque URL-safe token."""
    data = [cursor.release_id, cursor.made, cursor.filter, cursor.priority]
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad() -> SoupwatchError:
    return SoupwatchError(
        "cursor: not a cursor of this list; use the next_cursor of a page", where="cursor"
    )


def decode(token: str) -> Cursor:
    """The cursor a token names; a one-line error for anything else."""
    if len(token) > 512:
        raise _bad()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        rid, made, digest, priority = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _bad() from None
    if not (
        isinstance(rid, int) and isinstance(made, str) and isinstance(digest, str)
    ) or not isinstance(priority, int):
        raise _bad()
    return Cursor(rid, made, digest, priority)


def check(cursor: Cursor, release_id: int, made: datetime, flt: FindingFilter) -> int:
    """The priority to continue after; refused when the cursor is of another list, stale when
    the release's assessment was recomputed since."""
    if cursor.release_id != release_id or cursor.filter != filter_digest(flt):
        raise _bad()
    if cursor.made != made.isoformat():
        raise StaleCursor(
            "cursor: the release was assessed again since this page (a scan, a feed sync, a "
            "decision or a new day); page again from the start",
            where="cursor",
        )
    return cursor.priority
