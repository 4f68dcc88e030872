"""snapshots: each release's open, uncontrolled and overdue counts per day, the dashboard's
trend history (store/snapshot_tables.py SnapshotRow)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the snapshots table."""
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("release", sa.String(length=255), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("uncontrolled", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "product", "release", name="uq_snapshot_day_release"),
    )
    op.create_index("ix_snapshots_day", "snapshots", ["day"], unique=False)


def downgrade() -> None:
    """Drop the snapshots table."""
    op.drop_index("ix_snapshots_day", table_name="snapshots")
    op.drop_table("snapshots")
