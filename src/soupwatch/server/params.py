"""Path parameters that name a stored row by number: one definition, with its bounds.

A number past the database's integer range is answered 422 (the problem document) before a
query is built: SQLite cannot bind an integer over 2^63 (``OverflowError``) and PostgreSQL
refuses one over its column's range, both of which surfaced as 500 before (found by the
``api-request-body`` fuzzing family). Row ids and numbers are 32-bit columns everywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2**31 - 1
"""The largest id or number a stored row can have (PostgreSQL ``integer``)."""

DecisionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The decision's id.")]
AlertId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The alert's id.")]
IncidentNumber = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The incident's number.")]
ReportNumber = Annotated[
    int, Path(ge=1, le=MAX_ROW_ID, description="The disclosure report's number.")
]
RuleId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The notification rule's id.")]
JobId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The job's id.")]


def whole_number(raw: str | None, *, most: int = MAX_ROW_ID) -> int | None:
    """A form or query field read as a whole number from 0 to ``most`` (ASCII digits only:
    ``str.isdigit`` also accepts ``²``, which ``int`` refuses, and 100,000 digits, which
    ``int`` refuses too); None when it is not one."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > len(str(most)):
        return None
    value = int(raw)
    return value if value <= most else None
