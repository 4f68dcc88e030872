"""SQLAlchemy tables of the inventory: products, releases, components.

Other stages keep their tables in their own modules of this package (``intel_tables``,
``finding_tables``, ``vex_tables``), all on the one ``Base`` declared here so that Alembic
sees a single metadata.
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
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base shared by every soupwatch table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProductRow(Base):
    """A device model."""

    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    manufacturer: Mapped[str | None] = mapped_column(String(255))
    device_class: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleaseRow(Base):
    """A release of a product."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("product_id", "version", name="uq_release_product_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(Text)
    sbom_format: Mapped[str | None] = mapped_column(String(64))
    metadata_component: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    properties: Mapped[list[Any] | None] = mapped_column(JSON)


class ComponentRow(Base):
    """A component of a release (at any nesting depth)."""

    __tablename__ = "components"
    __table_args__ = (
        Index("ix_components_release", "release_id"),
        Index("ix_components_name", "name"),
        Index("ix_components_purl", "purl"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    group: Mapped[str | None] = mapped_column("group_name", Text)
    supplier: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    purl: Mapped[str | None] = mapped_column(Text)
    cpe: Mapped[str | None] = mapped_column(Text)
    hashes: Mapped[list[Any]] = mapped_column(JSON)
    licenses: Mapped[list[Any]] = mapped_column(JSON)
    copyright: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[list[Any]] = mapped_column(JSON)
    parent_ref: Mapped[str | None] = mapped_column(Text)
    depends_on: Mapped[list[Any]] = mapped_column(JSON)
    support_level: Mapped[str] = mapped_column(String(32))
    end_of_support: Mapped[date | None] = mapped_column(Date)
    support_source: Mapped[str | None] = mapped_column(Text)
    provenance: Mapped[list[Any]] = mapped_column(JSON)
    extra_identifiers: Mapped[list[Any]] = mapped_column(JSON)
