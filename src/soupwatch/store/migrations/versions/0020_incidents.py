"""Incidents, the units they touch and their playbook steps (store/incident_tables.py)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the incidents, incident-units and incident-steps tables."""
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("vulnerability", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("learnt_on", sa.Date(), nullable=False),
        sa.Column("communicate_by", sa.Date(), nullable=False),
        sa.Column("fix_by", sa.Date(), nullable=False),
        sa.Column("clock_basis", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("part806_reportable", sa.Boolean(), nullable=True),
        sa.Column("part806_rationale", sa.Text(), nullable=True),
        sa.Column("part806_by", sa.String(length=255), nullable=True),
        sa.Column("part806_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("isao_organisation", sa.String(length=255), nullable=True),
        sa.Column("isao_shared_on", sa.Date(), nullable=True),
        sa.Column("isao_reference", sa.String(length=255), nullable=True),
        sa.Column("isao_by", sa.String(length=255), nullable=True),
        sa.Column("isao_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incidents_product", "incidents", ["product"], unique=False)
    op.create_table(
        "incident_units",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=128), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("release", sa.String(length=255), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("why", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("incident_id", "serial"),
    )
    op.create_index("ix_incident_units_customer", "incident_units", ["customer"], unique=False)
    op.create_table(
        "incident_steps",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("done_by", sa.String(length=255), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("incident_id", "step"),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("incident_steps")
    op.drop_index("ix_incident_units_customer", table_name="incident_units")
    op.drop_table("incident_units")
    op.drop_index("ix_incidents_product", table_name="incidents")
    op.drop_table("incidents")
