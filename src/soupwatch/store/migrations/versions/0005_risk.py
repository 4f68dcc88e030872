"""risk: tables of store/risk_tables.py (per-vulnerability rubric answers, support overrides)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the risk stage's tables."""
    op.create_table(
        "risk_rubric_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("vulnerability", sa.String(length=64), nullable=False),
        sa.Column("component", sa.String(length=255), nullable=False),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "product", "vulnerability", "component", "metric", name="uq_risk_rubric_answer"
        ),
    )
    op.create_index("ix_risk_rubric_answers_product", "risk_rubric_answers", ["product"])
    op.create_table(
        "risk_support_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("component", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("end_of_support", sa.Date(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product", "component", "version", name="uq_risk_support_override"),
    )
    op.create_index("ix_risk_support_overrides_product", "risk_support_overrides", ["product"])


def downgrade() -> None:
    """Drop the risk stage's tables."""
    op.drop_index("ix_risk_support_overrides_product", table_name="risk_support_overrides")
    op.drop_table("risk_support_overrides")
    op.drop_index("ix_risk_rubric_answers_product", table_name="risk_rubric_answers")
    op.drop_table("risk_rubric_answers")
