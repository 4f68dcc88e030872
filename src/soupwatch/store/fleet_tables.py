"""SQLAlchemy tables of the fleet: deployed units, their release moves, drift, customer grants.

A unit names its installed release by id (deleting a product deletes its units). A move keeps
the release a unit left (None for its first install) and the one it went to, with the day when
it is known. Drift rows are the evidence of the latest check-in; an earlier check-in's rows get
``resolved_at``. ``fleet_customer_teams`` maps a team to the customers (hospitals) whose units a
hospital-customer member of the team sees.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from soupwatch.store.tables import Base


class UnitRow(Base):
    """One deployed unit (a serial number) of a product."""

    __tablename__ = "fleet_units"
    __table_args__ = (
        Index("ix_fleet_units_release", "release_id", "customer", "site"),  # covers impact
        Index("ix_fleet_units_product", "product_id"),
        Index("ix_fleet_units_customer", "customer"),
        Index("ix_fleet_units_site", "site"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(128), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(255))
    customer: Mapped[str] = mapped_column(String(255))
    location: Mapped[str | None] = mapped_column(String(255))
    network_zone: Mapped[str | None] = mapped_column(String(255))
    installed_on: Mapped[date | None] = mapped_column(Date)
    release_since: Mapped[date | None] = mapped_column(Date)
    last_check_in: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(32))
    reported: Mapped[list[Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UnitMoveRow(Base):
    """A unit put on a release: first install, update campaign, or a check-in's report."""

    __tablename__ = "fleet_moves"
    __table_args__ = (Index("ix_fleet_moves_unit", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("fleet_units.id", ondelete="CASCADE"))
    from_release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL")
    )
    to_release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    moved_on: Mapped[date | None] = mapped_column(Date)
    how: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DriftRow(Base):
    """A component a unit reported that differs from its release's SBOM."""

    __tablename__ = "fleet_drift"
    __table_args__ = (Index("ix_fleet_drift_unit", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("fleet_units.id", ondelete="CASCADE"))
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    component: Mapped[str] = mapped_column(Text)
    expected: Mapped[list[Any]] = mapped_column(JSON)
    reported: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CustomerTeamRow(Base):
    """A customer (hospital) whose units the team's hospital-customer members see."""

    __tablename__ = "fleet_customer_teams"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    customer: Mapped[str] = mapped_column(String(255), primary_key=True)
