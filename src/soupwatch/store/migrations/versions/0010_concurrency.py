"""concurrency: a version per VEX decision (optimistic concurrency) and how each feed's last
sync went (started, finished, complete), so a partial sync is never shown as complete

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``vex_decisions.version`` and the sync bookkeeping of ``intel_feed_state``."""
    with op.batch_alter_table("vex_decisions") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    with op.batch_alter_table("intel_feed_state") as batch:
        batch.add_column(sa.Column("sync_started", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sync_finished", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sync_progress", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("sync_complete", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("intel_feed_state") as batch:
        batch.drop_column("sync_complete")
        batch.drop_column("sync_progress")
        batch.drop_column("sync_finished")
        batch.drop_column("sync_started")
    with op.batch_alter_table("vex_decisions") as batch:
        batch.drop_column("version")
