"""vex_audit: tables of store/vex_tables.py (VEX decisions and the hash-chained audit log)

Revision ID: 0004
Revises: 0003
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create this stage's tables (filled in by the stage that owns them)."""


def downgrade() -> None:
    """Drop this stage's tables."""
