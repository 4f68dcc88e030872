"""SQLAlchemy tables of the risk stage: per-vulnerability rubric answers, support overrides.

Both hold human decisions that a regulator may ask about, so every write is also appended to
the hash-chained audit trail (``soupwatch.vex.audit``) by ``soupwatch.risk.records``, which
writes through ``soupwatch.store.records_repo``. ``component`` / ``version`` are ``""`` when
the decision applies to every component / version (an empty string, not NULL, so that the
unique keys hold on PostgreSQL too).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class RubricAnswerRow(Base):
    """A per-vulnerability answer to one rubric question (a modified CVSS metric) for a product."""

    __tablename__ = "risk_rubric_answers"
    __table_args__ = (
        UniqueConstraint(
            "product", "vulnerability", "component", "metric", name="uq_risk_rubric_answer"
        ),
        Index("ix_risk_rubric_answers_product", "product"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(255))
    vulnerability: Mapped[str] = mapped_column(String(64))
    component: Mapped[str] = mapped_column(String(255))
    metric: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupportOverrideRow(Base):
    """A manual level of support / end-of-support date for a component of a product."""

    __tablename__ = "risk_support_overrides"
    __table_args__ = (
        UniqueConstraint("product", "component", "version", name="uq_risk_support_override"),
        Index("ix_risk_support_overrides_product", "product"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(255))
    component: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(32))
    end_of_support: Mapped[date | None] = mapped_column(Date)
    justification: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearntDateRow(Base):
    """The day the manufacturer first learnt of a vulnerability, when earlier than soupwatch's
    first identification (an ISAO notice, a supplier's e-mail): the FDA clocks start there."""

    __tablename__ = "risk_learnt_dates"
    __table_args__ = (
        UniqueConstraint("product", "vulnerability", name="uq_risk_learnt_date"),
        Index("ix_risk_learnt_dates_product", "product"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(255))
    vulnerability: Mapped[str] = mapped_column(String(64))
    learnt_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
