"""kernel triage: table of store/triage_tables.py (each release's latest applied kernel-config
triage summary)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the kernel triage table."""
    op.create_table(
        "kernel_triage",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id"),
    )


def downgrade() -> None:
    """Drop the kernel triage table."""
    op.drop_table("kernel_triage")
