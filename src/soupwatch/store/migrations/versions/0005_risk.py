"""risk: tables of store/risk_tables.py (per-vulnerability rubric answers, support overrides)

Revision ID: 0005
Revises: 0004
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create this stage's tables (filled in by the stage that owns them)."""


def downgrade() -> None:
    """Drop this stage's tables."""
