"""Repository of the CSAF provider directory and of disclosure reports.

Deciding what may be published, and who may read what, is :mod:`soupwatch.disclosure`'s job;
this module only stores and reads rows (see :mod:`soupwatch.store.provider_tables`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from soupwatch.errors import NotFoundError
from soupwatch.model.disclosure import (
    DisclosureReport,
    DisclosureStatus,
    DocumentKind,
    PublishedDocument,
    Tlp,
)
from soupwatch.store.provider_tables import DisclosureReportRow, ProviderDocumentRow


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _document(row: ProviderDocumentRow) -> PublishedDocument:
    return PublishedDocument(
        path=row.path,
        tlp=Tlp(row.tlp),
        kind=DocumentKind(row.kind),
        product=row.product,
        tracking_id=row.tracking_id,
        version=row.version,
        released=_utc(row.released),
        body=bytes(row.body),
        sha256=row.sha256,
        sha512=row.sha512,
        signature=row.signature,
        published_at=_utc(row.published_at),
        published_by=row.published_by,
    )


def document(session: Session, tlp: Tlp, path: str) -> PublishedDocument | None:
    """The file at ``<tlp>/<path>``, if published."""
    row = session.scalars(
        select(ProviderDocumentRow).where(
            ProviderDocumentRow.tlp == tlp.value, ProviderDocumentRow.path == path
        )
    ).one_or_none()
    return None if row is None else _document(row)


def documents(
    session: Session, tlp: Tlp | None = None, products: Iterable[str] | None = None
) -> list[PublishedDocument]:
    """Published files (of one TLP directory; of ``products`` only), by TLP and path."""
    query = select(ProviderDocumentRow)
    if tlp is not None:
        query = query.where(ProviderDocumentRow.tlp == tlp.value)
    if products is not None:
        query = query.where(ProviderDocumentRow.product.in_(sorted(products)))
    rows = session.scalars(query.order_by(ProviderDocumentRow.tlp, ProviderDocumentRow.path))
    return [_document(r) for r in rows]


def put_document(session: Session, doc: PublishedDocument) -> None:
    """Store ``doc`` at its TLP and path, replacing an earlier version of the file."""
    row = session.scalars(
        select(ProviderDocumentRow).where(
            ProviderDocumentRow.tlp == doc.tlp.value, ProviderDocumentRow.path == doc.path
        )
    ).one_or_none()
    if row is None:
        row = ProviderDocumentRow(tlp=doc.tlp.value, path=doc.path)
        session.add(row)
    row.kind = doc.kind.value
    row.product = doc.product
    row.tracking_id = doc.tracking_id
    row.version = doc.version
    row.released = doc.released
    row.body = doc.body
    row.sha256 = doc.sha256
    row.sha512 = doc.sha512
    row.signature = doc.signature
    row.published_at = doc.published_at
    row.published_by = doc.published_by
    session.flush()


def _report(row: DisclosureReportRow) -> DisclosureReport:
    return DisclosureReport(
        number=row.id,
        status=DisclosureStatus(row.status),
        title=row.title,
        description=row.description,
        reporter_name=row.reporter_name,
        reporter_contact=row.reporter_contact,
        product_hint=row.product_hint,
        product=row.product,
        vulnerability=row.vulnerability,
        public_note=row.public_note,
        internal_note=row.internal_note,
        received_at=_utc(row.received_at),
        updated_at=_utc(row.updated_at),
    )


def add_report(
    session: Session,
    *,
    tracking_digest: str,
    client_digest: str,
    title: str,
    description: str,
    reporter_name: str,
    reporter_contact: str,
    product_hint: str,
    now: datetime,
) -> DisclosureReport:
    """Store a new report (status ``received``)."""
    row = DisclosureReportRow(
        tracking_digest=tracking_digest,
        client_digest=client_digest,
        status=DisclosureStatus.RECEIVED.value,
        title=title,
        description=description,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        product_hint=product_hint,
        product=None,
        vulnerability=None,
        public_note="",
        internal_note="",
        received_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return _report(row)


def reports_since(session: Session, client_digest: str, since: datetime) -> int:
    """How many reports came from one client address since ``since``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(DisclosureReportRow)
            .where(
                DisclosureReportRow.client_digest == client_digest,
                DisclosureReportRow.received_at >= since,
            )
        )
        or 0
    )


def forget_clients(session: Session, before: datetime) -> None:
    """Blank the client-address digest of reports received before ``before`` (past the rate
    limit's window it has no use)."""
    session.execute(
        update(DisclosureReportRow)
        .where(DisclosureReportRow.received_at < before, DisclosureReportRow.client_digest != "")
        .values(client_digest="")
    )


def report_by_tracking(session: Session, tracking_digest: str) -> DisclosureReport | None:
    """The report whose tracking id has this digest, if any."""
    row = session.scalars(
        select(DisclosureReportRow).where(DisclosureReportRow.tracking_digest == tracking_digest)
    ).one_or_none()
    return None if row is None else _report(row)


def report(session: Session, number: int) -> DisclosureReport:
    """Report ``number``; NotFoundError when there is none."""
    row = session.get(DisclosureReportRow, number)
    if row is None:
        raise NotFoundError(f"no disclosure report number {number}")
    return _report(row)


def reports(session: Session) -> list[DisclosureReport]:
    """Every report, newest first."""
    rows = session.scalars(
        select(DisclosureReportRow).order_by(
            DisclosureReportRow.received_at.desc(), DisclosureReportRow.id.desc()
        )
    )
    return [_report(r) for r in rows]


def update_report(session: Session, changed: DisclosureReport) -> None:
    """Write triage's fields (status, links, notes, updated time) of ``changed``."""
    row = session.get(DisclosureReportRow, changed.number)
    if row is None:
        raise NotFoundError(f"no disclosure report number {changed.number}")
    row.status = changed.status.value
    row.product = changed.product
    row.vulnerability = changed.vulnerability
    row.public_note = changed.public_note
    row.internal_note = changed.internal_note
    row.updated_at = changed.updated_at
    session.flush()
