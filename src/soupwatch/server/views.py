"""What the API and the dashboard show, read from stored assessments (one call each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from soupwatch import pipeline
from soupwatch.model import Severity
from soupwatch.model.assessment import AssessedComponent, Assessment, RiskLevel
from soupwatch.model.shapes import assessed_finding_json
from soupwatch.model.status import FindingFilter
from soupwatch.store.db import Store

SEVERITY_ORDER = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
RISK_ORDER = tuple(r.value for r in RiskLevel)
MAX_PAGE = 500
"""The largest page of findings one request returns."""


def summary_json(s: pipeline.ReleaseSummary) -> dict[str, Any]:
    """One release's headline: the stored assessment's counts, when and with what profile."""
    return {
        "product": s.product,
        "manufacturer": s.manufacturer,
        "release": s.release,
        "profile": s.profile_name,
        "assessed_at": s.assessed_at.isoformat(),
        "counts": s.counts,
    }


def portfolio(store: Store) -> list[dict[str, Any]]:
    """Every release's headline counts (stored assessments; stale ones recomputed first)."""
    return [summary_json(s) for s in pipeline.portfolio(store)]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a release's findings."""

    summary: dict[str, Any]
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]
    header: Assessment | None = None
    """The assessment without its findings (the dashboard's components), when asked for."""
    next_cursor: str | None = None
    """Paged by cursor: the cursor of the next page (None: the last page, or offset paging)."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON of a page: the release headline, the paging, the findings."""
        return {
            "release": self.summary,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "next_cursor": self.next_cursor,
            "items": self.items,
        }


def findings(
    store: Store,
    product: str,
    release: str,
    flt: FindingFilter,
    offset: int,
    limit: int,
    *,
    header: bool = False,
    cursor: str | None = None,
    paged: bool = False,
) -> Page:
    """A page of a release's assessed findings, in priority order (by ``offset``, or by
    ``cursor``/``paged``: see :func:`soupwatch.pipeline.findings_page`)."""
    limit = max(1, min(limit, MAX_PAGE))
    got = pipeline.findings_page(
        store,
        product,
        release,
        flt,
        offset=max(0, offset),
        limit=limit,
        header=header,
        cursor=cursor,
        paged=paged,
    )
    items = [assessed_finding_json(a) for a in got.items]
    shown = 0 if cursor is not None or paged else offset
    return Page(
        summary_json(got.summary), got.total, shown, limit, items, got.header, got.next_cursor
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def support_json(a: AssessedComponent | None) -> dict[str, Any] | None:
    """A component's assessed support (None: the assessment could not name the component)."""
    if a is None:
        return None
    return {
        "level": a.support.level.value,
        "end_of_support": a.support.end_of_support.isoformat()
        if a.support.end_of_support
        else None,
        "source": a.support.source,
        "finding": a.support_finding,
    }
