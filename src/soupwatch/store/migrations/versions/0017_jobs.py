"""jobs: the job queue's table, the changed vulnerability ids of each feed sync, the index from
component lookup keys to releases, and the incremental watch's mark (store/job_tables.py)

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the job, change and release-key tables; mark watch runs with the last change."""
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("idem_key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=True),
        sa.Column("output_name", sa.String(length=255), nullable=True),
        sa.Column("output_type", sa.String(length=128), nullable=True),
        sa.Column("output", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idem_key"),
    )
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"], unique=False)
    op.create_index("ix_jobs_state", "jobs", ["state"], unique=False)
    op.create_table(
        "intel_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "release_keys",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "kind", "key", "ref"),
    )
    op.create_index("ix_release_keys_key", "release_keys", ["kind", "key"], unique=False)
    op.create_table(
        "release_key_state",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("platform_refs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id"),
    )
    with op.batch_alter_table("watch_runs") as batch:
        batch.add_column(sa.Column("changes_upto", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop what upgrade created."""
    with op.batch_alter_table("watch_runs") as batch:
        batch.drop_column("changes_upto")
    op.drop_table("release_key_state")
    op.drop_index("ix_release_keys_key", table_name="release_keys")
    op.drop_table("release_keys")
    op.drop_table("intel_changes")
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_index("ix_jobs_created_at", table_name="jobs")
    op.drop_table("jobs")
