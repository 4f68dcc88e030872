"""fleet: deployed units, their release moves, drift evidence, customer ↔ team mapping
(store/fleet_tables.py)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the fleet tables."""
    op.create_table(
        "fleet_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=128), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("network_zone", sa.String(length=255), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("release_since", sa.Date(), nullable=True),
        sa.Column("last_check_in", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reported", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("serial"),
    )
    op.create_index(
        "ix_fleet_units_release", "fleet_units", ["release_id", "customer", "site"], unique=False
    )
    op.create_index("ix_fleet_units_product", "fleet_units", ["product_id"], unique=False)
    op.create_index("ix_fleet_units_customer", "fleet_units", ["customer"], unique=False)
    op.create_index("ix_fleet_units_site", "fleet_units", ["site"], unique=False)
    op.create_table(
        "fleet_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("from_release_id", sa.Integer(), nullable=True),
        sa.Column("to_release_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=True),
        sa.Column("how", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["fleet_units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_release_id"], ["releases.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["to_release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fleet_moves_unit", "fleet_moves", ["unit_id"], unique=False)
    op.create_table(
        "fleet_drift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("component", sa.Text(), nullable=False),
        sa.Column("expected", sa.JSON(), nullable=False),
        sa.Column("reported", sa.Text(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["fleet_units.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fleet_drift_unit", "fleet_drift", ["unit_id"], unique=False)
    op.create_table(
        "fleet_customer_teams",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "customer"),
    )


def downgrade() -> None:
    """Drop the fleet tables."""
    op.drop_table("fleet_customer_teams")
    op.drop_index("ix_fleet_drift_unit", table_name="fleet_drift")
    op.drop_table("fleet_drift")
    op.drop_index("ix_fleet_moves_unit", table_name="fleet_moves")
    op.drop_table("fleet_moves")
    for name in ("site", "customer", "product", "release"):
        op.drop_index(f"ix_fleet_units_{name}", table_name="fleet_units")
    op.drop_table("fleet_units")
