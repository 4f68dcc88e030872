"""watch: the table of store/watch_tables.py (one row per portfolio re-scan)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the watch stage's table."""
    op.create_table(
        "watch_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("products", sa.JSON(), nullable=True),
        sa.Column("releases", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("kev_added", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_watch_runs_ran_at", "watch_runs", ["ran_at"])


def downgrade() -> None:
    """Drop the watch stage's table."""
    op.drop_index("ix_watch_runs_ran_at", table_name="watch_runs")
    op.drop_table("watch_runs")
