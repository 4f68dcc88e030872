"""SQLAlchemy tables of incidents (migration ``0020_incidents``): the incident with its owner,
clocks' start, Part 806 decision and ISAO record; the units it touches (as found when it was
opened, with why); the playbook steps done. The timeline is the audit trail (``incident:<n>``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class IncidentRow(Base):
    """One incident."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_product", "product"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(128))
    product: Mapped[str | None] = mapped_column(String(255))
    vulnerability: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(255))
    learnt_on: Mapped[date] = mapped_column(Date)
    communicate_by: Mapped[date] = mapped_column(Date)
    fix_by: Mapped[date] = mapped_column(Date)
    clock_basis: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    part806_reportable: Mapped[bool | None] = mapped_column(Boolean)
    part806_rationale: Mapped[str | None] = mapped_column(Text)
    part806_by: Mapped[str | None] = mapped_column(String(255))
    part806_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    isao_organisation: Mapped[str | None] = mapped_column(String(255))
    isao_shared_on: Mapped[date | None] = mapped_column(Date)
    isao_reference: Mapped[str | None] = mapped_column(String(255))
    isao_by: Mapped[str | None] = mapped_column(String(255))
    isao_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IncidentUnitRow(Base):
    """A unit an incident touches (a snapshot: the unit may move on later)."""

    __tablename__ = "incident_units"
    __table_args__ = (Index("ix_incident_units_customer", "customer"),)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    serial: Mapped[str] = mapped_column(String(128), primary_key=True)
    product: Mapped[str] = mapped_column(String(255))
    release: Mapped[str] = mapped_column(String(255))
    customer: Mapped[str] = mapped_column(String(255))
    site: Mapped[str] = mapped_column(String(255))
    why: Mapped[str] = mapped_column(String(255))


class IncidentStepRow(Base):
    """A playbook step done."""

    __tablename__ = "incident_steps"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    done_by: Mapped[str] = mapped_column(String(255))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text)
