"""ssvc: the SSVC judgements ADPs publish in CVE records (store/intel_tables.py IntelSsvcRow)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the SSVC table."""
    op.create_table(
        "intel_ssvc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("exploitation", sa.String(length=16), nullable=True),
        sa.Column("automatable", sa.String(length=16), nullable=True),
        sa.Column("technical_impact", sa.String(length=16), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_ssvc_record", "intel_ssvc", ["record_key"], unique=False)
    op.create_index("ix_intel_ssvc_vuln", "intel_ssvc", ["vuln_id"], unique=False)


def downgrade() -> None:
    """Drop the SSVC table."""
    op.drop_index("ix_intel_ssvc_vuln", table_name="intel_ssvc")
    op.drop_index("ix_intel_ssvc_record", table_name="intel_ssvc")
    op.drop_table("intel_ssvc")
