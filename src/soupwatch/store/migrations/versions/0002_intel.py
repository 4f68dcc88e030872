"""intel: tables of store/intel_tables.py (vulnerability intelligence: feeds, CPE/OSV ranges, CVSS, KEV, EPSS, EOL)

Revision ID: 0002
Revises: 0001
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create this stage's tables (filled in by the stage that owns them)."""


def downgrade() -> None:
    """Drop this stage's tables."""
