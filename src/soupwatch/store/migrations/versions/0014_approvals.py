"""approvals: comments on and review verdicts of VEX decisions (store/vex_tables.py), and the
exploitation and due-date columns that findings are filtered on (store/assessment_tables.py)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``vex_approvals`` and ``vex_comments``; add ``assessed_findings.exploitation`` and
    ``.due`` (stored assessments are recomputed: the assessment version changed)."""
    op.create_table(
        "vex_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["vex_decisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "decision_version", name="uq_vex_approval_version"),
    )
    op.create_table(
        "vex_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["vex_decisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_vex_comments_decision", "vex_comments", ["decision_id"])
    with op.batch_alter_table("assessed_findings") as batch:
        batch.add_column(sa.Column("exploitation", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("due", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop what :func:`upgrade` made."""
    with op.batch_alter_table("assessed_findings") as batch:
        batch.drop_column("due")
        batch.drop_column("exploitation")
    op.drop_index("ix_vex_comments_decision", table_name="vex_comments")
    op.drop_table("vex_comments")
    op.drop_table("vex_approvals")
