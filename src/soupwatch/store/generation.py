"""The data generation: one statement that changes whenever anything the read views show does.

The views (portfolio, findings pages, the dashboard's portfolio) show stored assessments, which
are current while their fingerprint inputs hold (``pipeline/assessments.py``): the releases
(import and scan), the feeds (syncs), the audit trail (every human decision, product change and
account change appends an entry), the products' device contexts, and the day. Those inputs, the
stored assessments themselves, the products and the trend snapshots are summed up here in one
round trip: counts and newest times per table, so an insert, a delete or a newer write moves it.
What the server keeps under a generation (``server/kept.py``) is read again once it moves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soupwatch.store.assessment_tables import AssessmentRow, DeviceContextRow, ReleaseScanRow
from soupwatch.store.intel_tables import IntelFeedStateRow
from soupwatch.store.snapshot_tables import SnapshotRow
from soupwatch.store.tables import ProductRow, ReleaseRow
from soupwatch.store.vex_tables import AuditEntryRow

_INPUTS = (
    func.max(AuditEntryRow.seq),
    func.count(ProductRow.id),
    func.max(ProductRow.id),
    func.count(ReleaseRow.id),
    func.max(ReleaseRow.id),
    func.max(ReleaseRow.imported_at),
    func.count(ReleaseScanRow.release_id),
    func.max(ReleaseScanRow.scanned_at),
    func.sum(ReleaseScanRow.findings_seq),
    func.count(DeviceContextRow.product_id),
    func.max(DeviceContextRow.recorded_at),
)
"""What the unusual-activity rules' facts read (releases, their scans and so their findings,
device contexts) and the audit trail: part of the assessments' inputs."""
_SHOWN = (  # the rest of the assessments' inputs (feeds), and what the views show
    func.count(AssessmentRow.release_id),
    func.max(AssessmentRow.made_at),
    func.count(IntelFeedStateRow.source),
    func.max(IntelFeedStateRow.last_sync),
    func.max(IntelFeedStateRow.last_attempt),
    func.max(IntelFeedStateRow.sync_progress),
    func.sum(IntelFeedStateRow.records),
    func.count(SnapshotRow.id),
    func.max(SnapshotRow.recorded_at),
)


def data_generation(session: Session, *, shown: bool = True) -> tuple[Any, ...]:
    """The counts and newest times of what the read views show, in one statement (each part a
    scalar subquery over its own table); ``shown=False``: of the inputs only (releases, scans
    — every path that saves findings records a scan in the same transaction —, device
    contexts, the audit trail), without the stored assessments, feeds and snapshots."""
    parts = _INPUTS + _SHOWN if shown else _INPUTS
    row = session.execute(select(*(select(part).scalar_subquery() for part in parts))).one()
    return tuple(row)
