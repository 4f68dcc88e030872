"""assessment volatile parts: the header parts a feed change moves (assessed_at, snapshot,
skipped components, unmatched VEX) kept beside the compressed header, so that an update after a
feed change rewrites them without decoding and re-encoding the whole header

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column (empty on existing rows: their header is current)."""
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("volatile", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("volatile")
