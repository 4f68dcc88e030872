"""Cross-release reads of stored findings: every release a vulnerability (or an alias) touches.

``watch.impact`` judges what these rows mean (open, closed by VEX, sort order); this module
only finds them, in one query over every product and release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soupwatch.store.finding_tables import (
    FindingIdRow,
    FindingRow,
    StoredFinding,
    finding_from_dict,
)
from soupwatch.store.tables import ProductRow, ReleaseRow


@dataclass(frozen=True, slots=True)
class ReleaseFinding:
    """A stored finding with the product and release it belongs to."""

    product: str
    release: str
    stored: StoredFinding


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; we store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def findings_of_vulnerability(session: Session, vuln_id: str) -> list[ReleaseFinding]:
    """Every stored finding (open or resolved) of ``vuln_id`` or listing it as an alias.

    The id is compared case-insensitively, through the ``finding_ids`` index (a finding's id
    and aliases, upper-cased), then checked exactly against the finding itself.
    Unsorted: the caller decides the order it reports.
    """
    wanted = vuln_id.upper()
    query = (
        select(
            FindingRow.evidence,
            FindingRow.aliases,
            FindingRow.first_seen,
            FindingRow.last_seen,
            FindingRow.fix_available,
            FindingRow.resolved_at,
            FindingRow.resolved_by,
            ProductRow.name,
            ReleaseRow.version,
        )
        .join(FindingIdRow, FindingIdRow.finding_id == FindingRow.id)
        .join(ReleaseRow, ReleaseRow.id == FindingRow.release_id)
        .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
        .where(FindingIdRow.vuln_id == wanted[:255])
    )
    out: list[ReleaseFinding] = []
    # Columns, not ORM rows: a CVE in 400 releases reads in a third of the time.
    for evidence, aliases, first, last, fix, resolved, by, product, release in session.execute(
        query
    ):
        finding = finding_from_dict(evidence)
        ids = {finding.vulnerability.id.upper(), *(str(a).upper() for a in aliases or ())}
        if wanted not in ids:
            continue
        stored = StoredFinding(
            finding,
            _aware(first),
            _aware(last),
            _aware(fix) if fix else None,
            _aware(resolved) if resolved else None,
            by,
        )
        out.append(ReleaseFinding(product=product, release=release, stored=stored))
    return out
