"""learnt dates: the day a manufacturer first learnt of a vulnerability, when it is earlier than
soupwatch's first identification (store/risk_tables.py LearntDateRow)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the learnt-dates table."""
    op.create_table(
        "risk_learnt_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("vulnerability", sa.String(length=64), nullable=False),
        sa.Column("learnt_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product", "vulnerability", name="uq_risk_learnt_date"),
    )
    op.create_index("ix_risk_learnt_dates_product", "risk_learnt_dates", ["product"], unique=False)


def downgrade() -> None:
    """Drop the learnt-dates table."""
    op.drop_index("ix_risk_learnt_dates_product", table_name="risk_learnt_dates")
    op.drop_table("risk_learnt_dates")
