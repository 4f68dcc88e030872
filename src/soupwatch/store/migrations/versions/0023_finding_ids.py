"""finding ids: every id a stored finding answers to (its vulnerability id and aliases,
upper-cased) in an indexed table, so that ``impact`` finds a vulnerability's findings by
index instead of scanning every finding's alias JSON; filled from the stored findings

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``finding_ids`` and fill it from every stored finding."""
    table = op.create_table(
        "finding_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("vuln_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_ids_vuln", "finding_ids", ["vuln_id"])
    bind = op.get_bind()
    stored = sa.table(
        "findings", sa.column("id"), sa.column("vuln_id"), sa.column("aliases", sa.JSON())
    )
    rows: list[dict[str, object]] = []
    for finding_id, vuln_id, aliases in bind.execute(
        sa.select(stored.c.id, stored.c.vuln_id, stored.c.aliases)
    ).all():
        ids = {str(v).upper()[:255] for v in (vuln_id, *(aliases or ()))}
        rows.extend({"finding_id": finding_id, "vuln_id": v} for v in sorted(ids))
        if len(rows) >= 5000:
            op.bulk_insert(table, rows)
            rows = []
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    """Drop ``finding_ids`` (the findings still hold their ids and aliases)."""
    op.drop_index("ix_finding_ids_vuln", table_name="finding_ids")
    op.drop_table("finding_ids")
