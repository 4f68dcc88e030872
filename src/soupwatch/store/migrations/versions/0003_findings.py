"""findings: tables of store/finding_tables.py (findings and their lifecycle timestamps)

Revision ID: 0003
Revises: 0002
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create this stage's tables (filled in by the stage that owns them)."""


def downgrade() -> None:
    """Drop this stage's tables."""
