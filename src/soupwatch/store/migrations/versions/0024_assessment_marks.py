"""assessment marks: what a stored assessment covers, so that a feed change updates it finding
by finding instead of recomputing it: the digest of its inputs other than the feeds and the
scan (``base``), the newest feed change it saw (``intel_mark``), the release's findings
sequence it read (``findings_seq``); each assessed finding's priority score; each release's
findings sequence and the partial re-matches since its last full scan

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns (empty on existing rows: those assessments are recomputed in full once)."""
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("base", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("intel_mark", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("findings_seq", sa.Integer(), nullable=True))
    with op.batch_alter_table("assessed_findings") as batch:
        batch.add_column(sa.Column("score", sa.Float(), nullable=True))
    with op.batch_alter_table("release_scans") as batch:
        batch.add_column(sa.Column("findings_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partial", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("release_scans") as batch:
        batch.drop_column("partial")
        batch.drop_column("findings_seq")
    with op.batch_alter_table("assessed_findings") as batch:
        batch.drop_column("score")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("findings_seq")
        batch.drop_column("intel_mark")
        batch.drop_column("base")
