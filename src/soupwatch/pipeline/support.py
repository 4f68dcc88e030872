"""End of support across the portfolio: every assessed component with a known end-of-support
date, from the stored assessments (the support level and date the assessment found: SBOM, EOL
feed, recorded overrides), soonest first."""

from __future__ import annotations

from datetime import UTC, datetime

from soupwatch.pipeline.assessments import portfolio
from soupwatch.store import assessments as repo
from soupwatch.store.assessments import StoredSupportEnd as SupportEnd
from soupwatch.store.db import Store

__all__ = ["SupportEnd", "support_ends"]


def support_ends(
    store: Store, *, products: frozenset[str] | None = None, now: datetime | None = None
) -> list[SupportEnd]:
    """Components with a known end-of-support date in the releases of ``products`` (None:
    every product), soonest first. Stale assessments are recomputed first (as every view);
    the dates are then read from the stored assessments' ``assessed_support`` rows (written
    with each assessment) in one query."""
    portfolio(store, now=now or datetime.now(UTC))
    with store.session() as session:
        return repo.support_ends(session, products)
