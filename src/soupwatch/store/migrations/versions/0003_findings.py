"""findings: tables of store/finding_tables.py (findings and their lifecycle timestamps)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the findings table and its indexes (mirrors store/finding_tables.py)."""
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("component_ref", sa.Text(), nullable=False),
        sa.Column("component_name", sa.Text(), nullable=False),
        sa.Column("component_version", sa.Text(), nullable=True),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("fixed_versions", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fix_available", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("release_id", "component_ref", "vuln_id", name="uq_finding"),
    )
    op.create_index("ix_findings_release", "findings", ["release_id"])
    op.create_index(
        "ix_findings_carry", "findings", ["component_name", "component_version", "vuln_id"]
    )


def downgrade() -> None:
    """Drop the findings table."""
    op.drop_index("ix_findings_carry", table_name="findings")
    op.drop_index("ix_findings_release", table_name="findings")
    op.drop_table("findings")
