"""End of support across the portfolio: every assessed component with a known end-of-support
date, from the stored assessments (the support level and date the assessment found: SBOM, EOL
feed, recorded overrides), soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from soupwatch.model.assessment import AssessedComponent
from soupwatch.pipeline.assessments import portfolio
from soupwatch.store import assessments as repo
from soupwatch.store.db import Store


@dataclass(frozen=True, slots=True)
class SupportEnd:
    """A component of one release and the day its support ends."""

    product: str
    release: str
    ends: date
    assessed: AssessedComponent


def support_ends(
    store: Store, *, products: frozenset[str] | None = None, now: datetime | None = None
) -> list[SupportEnd]:
    """Components with a known end-of-support date in the releases of ``products`` (None:
    every product), soonest first. Stale assessments are recomputed first (as every view);
    the headers are then read in one session."""
    portfolio(store, now=now or datetime.now(UTC))
    found: list[SupportEnd] = []
    with store.session() as session:
        for stamp in repo.release_stamps(session):
            if products is not None and stamp.product not in products:
                continue
            header = repo.load_header(session, stamp.release_id)
            for a in header.components if header else ():
                if a.support.end_of_support is not None:
                    found.append(
                        SupportEnd(stamp.product, stamp.release, a.support.end_of_support, a)
                    )
    found.sort(key=lambda s: (s.ends, s.assessed.component.name, s.product, s.release))
    return found
