"""assessments: tables of store/assessment_tables.py (scan stamps, device contexts, stored
assessments and their findings)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the stored-assessment tables."""
    op.create_table(
        "release_scans",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id"),
    )
    op.create_table(
        "device_contexts",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_table(
        "assessments",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("profile_name", sa.Text(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("header", sa.LargeBinary(), nullable=False),
        sa.Column("dictionary", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id"),
    )
    op.create_table(
        "assessed_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("component_ref", sa.Text(), nullable=False),
        sa.Column("component_name", sa.Text(), nullable=False),
        sa.Column("component_version", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("kev", sa.Boolean(), nullable=False),
        sa.Column("epss", sa.Float(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["assessments.release_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assessed_findings_release_priority", "assessed_findings", ["release_id", "priority"]
    )
    op.create_index("ix_assessed_findings_vuln", "assessed_findings", ["vuln_id"])
    op.create_table(
        "assessment_parts",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )


def downgrade() -> None:
    """Drop the stored-assessment tables."""
    op.drop_table("assessment_parts")
    op.drop_index("ix_assessed_findings_vuln", table_name="assessed_findings")
    op.drop_index("ix_assessed_findings_release_priority", table_name="assessed_findings")
    op.drop_table("assessed_findings")
    op.drop_table("assessments")
    op.drop_table("device_contexts")
    op.drop_table("release_scans")
