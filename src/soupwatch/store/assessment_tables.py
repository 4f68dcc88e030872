"""Tables of stored assessments: each release's latest scan stamp, each product's device context
(profile and policy), and each release's stored assessment with one row per assessed finding.

An assessment is stored with the fingerprint of its inputs (``soupwatch.pipeline.assessments``
computes it); every view reads the stored one and a stale one is recomputed. Finding bodies
are the model codec's JSON, zlib-compressed, with the parts that findings share (vulnerability
records, rubric answers) stored once in ``assessment_parts``; the columns beside them are what
lists filter, sort and page on.
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
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class ReleaseScanRow(Base):
    """When a release was last matched, and the components the matcher could not judge."""

    __tablename__ = "release_scans"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    skipped: Mapped[list[Any]] = mapped_column(JSON)
    """``[[component ref, display name, reason], …]``."""
    findings_seq: Mapped[int | None] = mapped_column(Integer)
    """Counts the writes of the release's findings (each scan or partial re-match)."""
    partial: Mapped[list[Any] | None] = mapped_column(JSON)
    """``[[findings_seq, from_mark], …]``: the partial re-matches since the last full scan,
    each with the feed change after which its changes start (a full scan empties it)."""


class DeviceContextRow(Base):
    """The device profile and response policy a product is assessed with."""

    __tablename__ = "device_contexts"
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(255))


class AssessmentRow(Base):
    """A release's stored assessment: fingerprint, when, headline counts, and the rest."""

    __tablename__ = "assessments"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    profile_name: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    header: Mapped[bytes] = mapped_column(LargeBinary)
    """The assessment without its findings (compressed codec JSON)."""
    dictionary: Mapped[bytes] = mapped_column(LargeBinary)
    """The zlib preset dictionary its finding bodies are compressed with (a few of its own
    findings: most of a finding's text repeats across the release's findings)."""
    base: Mapped[str | None] = mapped_column(String(64))
    """The digest of its inputs other than the feeds and the scan (None: not recorded)."""
    intel_mark: Mapped[int | None] = mapped_column(Integer)
    """The newest feed change (``intel_changes.id``) recorded before its inputs were read."""
    findings_seq: Mapped[int | None] = mapped_column(Integer)
    """The release's ``release_scans.findings_seq`` when its findings were read."""
    volatile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The header parts a feed change moves (``VOLATILE``: assessed_at, snapshot, skipped,
    unmatched_vex; codec JSON), which override the header's: an update after a feed change
    rewrites these without the header (None: the header's are current)."""


class AssessedFindingRow(Base):
    """One assessed finding of a stored assessment."""

    __tablename__ = "assessed_findings"
    __table_args__ = (
        Index("ix_assessed_findings_release_priority", "release_id", "priority"),
        Index("ix_assessed_findings_vuln", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.release_id", ondelete="CASCADE")
    )
    priority: Mapped[int] = mapped_column(Integer)
    vuln_id: Mapped[str] = mapped_column(String(128))
    component_ref: Mapped[str] = mapped_column(Text)
    component_name: Mapped[str] = mapped_column(Text)
    component_version: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    risk: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    is_open: Mapped[bool] = mapped_column(Boolean)
    kev: Mapped[bool] = mapped_column(Boolean)
    epss: Mapped[float | None] = mapped_column(Float)
    exploitation: Mapped[str | None] = mapped_column(String(8))
    """``active``, ``poc`` or ``none`` (:class:`soupwatch.model.status.Exploitation`)."""
    due: Mapped[date | None] = mapped_column(Date)
    """The earliest clock of the finding (:attr:`AssessedFinding.due`); None: no clock."""
    score: Mapped[float | None] = mapped_column(Float)
    """The score the priority order ranks by (``risk.assess.priority_score``)."""
    body: Mapped[bytes] = mapped_column(LargeBinary)
    """The finding (compressed codec JSON); its priority is the ``priority`` column's."""


class AssessedSupportRow(Base):
    """A component of a stored assessment with a known end-of-support date, as the assessment
    found it: written and replaced with the assessment (one transaction), so that the
    end-of-support view reads one indexed query instead of every release's header."""

    __tablename__ = "assessed_support"
    __table_args__ = (Index("ix_assessed_support_release", "release_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.release_id", ondelete="CASCADE")
    )
    ends: Mapped[date] = mapped_column(Date)
    component_name: Mapped[str] = mapped_column(Text)
    component_version: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[str | None] = mapped_column(Text)
    """The assessment's end-of-support finding text (unsupported or soon unsupported)."""


class AssessmentPartRow(Base):
    """A piece of assessed findings that many findings share, stored once by its content hash:
    a vulnerability record (the same in every release that has it) or a set of rubric answers
    (the same for every finding with the same vectors). Finding bodies refer to it by hash."""

    __tablename__ = "assessment_parts"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
