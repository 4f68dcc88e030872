"""SQLAlchemy tables of the intelligence stage: vulnerability records and their indexes.

One ``intel_records`` row per (source, vulnerability id); every detail table hangs off it by
``record_key`` (``"<source>:<id>"``) with ``ON DELETE CASCADE``, so replacing a record is one
delete plus inserts. The lookup tables (``intel_cpe_index``, ``intel_osv_affected``,
``intel_cna_affected``) are indexed on the matcher's keys: a lookup is one index probe per key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class IntelRecordRow(Base):
    """One vulnerability record as one source states it."""

    __tablename__ = "intel_records"
    __table_args__ = (
        Index("ix_intel_records_vuln", "vuln_id"),
        Index("ix_intel_records_feed", "feed", "origin"),
    )
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    feed: Mapped[str] = mapped_column(String(32))
    vuln_id: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(255))
    stamp: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    assigner: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(64))


def _record_fk() -> Mapped[str]:
    return mapped_column(String(160), ForeignKey("intel_records.key", ondelete="CASCADE"))


class IntelAliasRow(Base):
    """An alias of a record (CVE ↔ GHSA ↔ PYSEC …)."""

    __tablename__ = "intel_aliases"
    __table_args__ = (
        Index("ix_intel_aliases_record", "record_key"),
        Index("ix_intel_aliases_alias", "alias"),
        Index("ix_intel_aliases_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    alias: Mapped[str] = mapped_column(String(128))


class IntelCvssRow(Base):
    """One CVSS assessment (v2, v3.0, v3.1, v4.0) with its source and type."""

    __tablename__ = "intel_cvss"
    __table_args__ = (
        Index("ix_intel_cvss_record", "record_key"),
        Index("ix_intel_cvss_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(8))
    vector: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    scorer: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))


class IntelCweRow(Base):
    """A weakness (CWE id) of a record."""

    __tablename__ = "intel_cwes"
    __table_args__ = (
        Index("ix_intel_cwes_record", "record_key"),
        Index("ix_intel_cwes_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    cwe: Mapped[str] = mapped_column(String(64))


class IntelSsvcRow(Base):
    """An SSVC judgement an ADP published for a record's CVE (CISA Vulnrichment)."""

    __tablename__ = "intel_ssvc"
    __table_args__ = (
        Index("ix_intel_ssvc_record", "record_key"),
        Index("ix_intel_ssvc_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(64))
    feed: Mapped[str] = mapped_column(String(32))
    exploitation: Mapped[str | None] = mapped_column(String(16))
    automatable: Mapped[str | None] = mapped_column(String(16))
    technical_impact: Mapped[str | None] = mapped_column(String(16))
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[str | None] = mapped_column(String(16))


class IntelReferenceRow(Base):
    """A reference URL of a record."""

    __tablename__ = "intel_references"
    __table_args__ = (
        Index("ix_intel_references_record", "record_key"),
        Index("ix_intel_references_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(Text)


class IntelCpeConfigRow(Base):
    """NVD configurations of a CVE, in the API 2.0 shape."""

    __tablename__ = "intel_cpe_configs"
    record_key: Mapped[str] = mapped_column(
        String(160), ForeignKey("intel_records.key", ondelete="CASCADE"), primary_key=True
    )
    vuln_id: Mapped[str] = mapped_column(String(128))
    configurations: Mapped[list[Any]] = mapped_column(JSON)


class IntelCpeIndexRow(Base):
    """(vendor, product) named by a CVE's configurations, lower-cased, CPE escapes kept."""

    __tablename__ = "intel_cpe_index"
    __table_args__ = (
        Index("ix_intel_cpe_index_key", "vendor", "product"),
        Index("ix_intel_cpe_index_record", "record_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vendor: Mapped[str] = mapped_column(String(255))
    product: Mapped[str] = mapped_column(String(255))
    vuln_id: Mapped[str] = mapped_column(String(128))


class IntelOsvAffectedRow(Base):
    """One OSV ``affected`` item, indexed by (ecosystem, package name) as OSV spells them."""

    __tablename__ = "intel_osv_affected"
    __table_args__ = (
        Index("ix_intel_osv_affected_pkg", "ecosystem", "name"),
        Index("ix_intel_osv_affected_record", "record_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    ecosystem: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(512))
    affected: Mapped[dict[str, Any]] = mapped_column(JSON)


class IntelCnaAffectedRow(Base):
    """One CVE JSON 5 CNA ``affected`` item, indexed by lower(product) and lower(packageName)."""

    __tablename__ = "intel_cna_affected"
    __table_args__ = (
        Index("ix_intel_cna_affected_key", "lookup"),
        Index("ix_intel_cna_affected_record", "record_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = _record_fk()
    vuln_id: Mapped[str] = mapped_column(String(128))
    lookup: Mapped[str] = mapped_column(String(512))
    assigner: Mapped[str] = mapped_column(String(255))
    affected: Mapped[dict[str, Any]] = mapped_column(JSON)


class IntelKevRow(Base):
    """A CISA KEV catalogue entry."""

    __tablename__ = "intel_kev"
    cve: Mapped[str] = mapped_column(String(64), primary_key=True)
    date_added: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    known_ransomware: Mapped[bool] = mapped_column(Boolean)
    vendor: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    required_action: Mapped[str | None] = mapped_column(Text)


class IntelEpssRow(Base):
    """An EPSS score of a CVE."""

    __tablename__ = "intel_epss"
    cve: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    percentile: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(64))
    score_date: Mapped[date | None] = mapped_column(Date)


class IntelEolProductRow(Base):
    """An endoflife.date product with its identifiers (purl / cpe / repology)."""

    __tablename__ = "intel_eol_products"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    label: Mapped[str | None] = mapped_column(Text)
    identifiers: Mapped[list[Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)


class IntelEolCycleRow(Base):
    """A release cycle; ``eol``/``support``/``extended_support`` are ISO dates, true or false."""

    __tablename__ = "intel_eol_cycles"
    __table_args__ = (Index("ix_intel_eol_cycles_product", "product"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(
        String(128), ForeignKey("intel_eol_products.name", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[str] = mapped_column(String(128))
    release_date: Mapped[date | None] = mapped_column(Date)
    eol: Mapped[str | None] = mapped_column(String(16))
    support: Mapped[str | None] = mapped_column(String(16))
    extended_support: Mapped[str | None] = mapped_column(String(16))
    lts: Mapped[bool] = mapped_column(Boolean)
    latest: Mapped[str | None] = mapped_column(String(128))
    latest_release_date: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(Text)


class IntelFeedStateRow(Base):
    """Per source: what was imported, when, how far (cursor), and what went wrong."""

    __tablename__ = "intel_feed_state"
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    records: Mapped[int] = mapped_column(Integer, default=0)
    newest_record: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    warning_messages: Mapped[list[Any]] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)
    sync_started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the newest sync started."""
    sync_finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When it ended (None: still running, or killed)."""
    sync_progress: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When it last committed a unit of data."""
    sync_complete: Mapped[bool] = mapped_column(Boolean, server_default=true())
    """False from the start of a sync until one ends completely (killed or failed: stays False)."""


class IntelFeedFileRow(Base):
    """A feed file (or page) imported completely: skipped on the next sync if unchanged."""

    __tablename__ = "intel_feed_files"
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    file: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
