"""read indexes: the stored assessments' end-of-support rows (``assessed_support``, indexed
by release), filled from the stored headers, so that the end-of-support view is one query
instead of decoding every release's header

Revision ID: 0022
Revises: 0021
"""

import json
import zlib
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _rows(release_id: int, header: bytes) -> list[dict[str, object]]:
    """The end-of-support rows of one stored header (compressed codec JSON, read as plain JSON
    so that this migration does not depend on the model classes of a later version)."""
    data = json.loads(zlib.decompress(header))
    out: list[dict[str, object]] = []
    for a in data.get("components") or ():
        support = a.get("support") or {}
        ends = support.get("end_of_support")
        if not ends:
            continue
        component = a.get("component") or {}
        out.append(
            {
                "release_id": release_id,
                "ends": date.fromisoformat(ends),
                "component_name": component.get("name", ""),
                "component_version": component.get("version"),
                "level": support.get("level", "unknown"),
                "source": support.get("source"),
                "finding": a.get("support_finding"),
            }
        )
    return out


def upgrade() -> None:
    """Create ``assessed_support`` and fill it from every stored assessment's header."""
    table = op.create_table(
        "assessed_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("component_name", sa.Text(), nullable=False),
        sa.Column("component_version", sa.Text(), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["release_id"], ["assessments.release_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessed_support_release", "assessed_support", ["release_id"])
    bind = op.get_bind()
    stored = sa.table("assessments", sa.column("release_id"), sa.column("header"))
    rows: list[dict[str, object]] = []
    for release_id, header in bind.execute(sa.select(stored.c.release_id, stored.c.header)):
        rows.extend(_rows(release_id, header))
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    """Drop ``assessed_support`` (the headers still hold everything it held)."""
    op.drop_index("ix_assessed_support_release", table_name="assessed_support")
    op.drop_table("assessed_support")
