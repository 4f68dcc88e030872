"""SQLAlchemy tables of postmarket communication (migration ``0019_provider``): the files of
the CSAF provider directory and coordinated vulnerability disclosure reports.

A published file keeps the exact bytes served, so the digests and signature always match what
an aggregator downloads. A disclosure report keeps only the SHA-256 of its tracking id (the
reporter's bearer secret, like an API key) and of the client address it came from (enough
to rate-limit, without keeping addresses).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class ProviderDocumentRow(Base):
    """One file of the provider directory: ``/.well-known/csaf/<tlp>/<path>``."""

    __tablename__ = "provider_documents"
    __table_args__ = (UniqueConstraint("tlp", "path", name="uq_provider_document_path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tlp: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    product: Mapped[str] = mapped_column(String(255), index=True)
    tracking_id: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(32))
    released: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    sha512: Mapped[str] = mapped_column(String(128))
    signature: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(255))


class DisclosureReportRow(Base):
    """A coordinated vulnerability disclosure report and its triage."""

    __tablename__ = "disclosure_reports"
    __table_args__ = (Index("ix_disclosure_reports_client", "client_digest", "received_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_digest: Mapped[str] = mapped_column(String(64), unique=True)
    client_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    reporter_name: Mapped[str] = mapped_column(String(200))
    reporter_contact: Mapped[str] = mapped_column(String(320))
    product_hint: Mapped[str] = mapped_column(String(255))
    product: Mapped[str | None] = mapped_column(String(255))
    vulnerability: Mapped[str | None] = mapped_column(String(64))
    public_note: Mapped[str] = mapped_column(Text)
    internal_note: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
