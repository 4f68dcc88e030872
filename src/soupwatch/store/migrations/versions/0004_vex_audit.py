"""vex_audit: tables of store/vex_tables.py (VEX decisions and the hash-chained audit log)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``vex_decisions`` and ``audit_log`` (mirrors store/vex_tables.py)."""
    op.create_table(
        "vex_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("vulnerability", sa.String(length=255), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.String(length=64), nullable=True),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("release", sa.String(length=255), nullable=True),
        sa.Column("component_name", sa.Text(), nullable=True),
        sa.Column("component_version", sa.Text(), nullable=True),
        sa.Column("component_purl", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_vex_decisions_vuln", "vex_decisions", ["vulnerability"])
    op.create_index("ix_vex_decisions_product", "vex_decisions", ["product", "release"])
    op.create_index(
        "ix_vex_decisions_component", "vex_decisions", ["component_name", "component_version"]
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    """Drop this stage's tables."""
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_vex_decisions_component", table_name="vex_decisions")
    op.drop_index("ix_vex_decisions_product", table_name="vex_decisions")
    op.drop_index("ix_vex_decisions_vuln", table_name="vex_decisions")
    op.drop_table("vex_decisions")
