"""intel: tables of store/intel_tables.py (feeds, CPE/OSV/CNA indexes, CVSS, KEV, EPSS, EOL)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the intelligence tables and their lookup indexes (mirrors store/intel_tables.py)."""
    op.create_table(
        "intel_eol_products",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "intel_epss",
        sa.Column("cve", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("percentile", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("score_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("cve"),
    )
    op.create_table(
        "intel_feed_files",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "file"),
    )
    op.create_table(
        "intel_feed_state",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("newest_record", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=True),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("warning_messages", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_table(
        "intel_kev",
        sa.Column("cve", sa.String(length=64), nullable=False),
        sa.Column("date_added", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("known_ransomware", sa.Boolean(), nullable=False),
        sa.Column("vendor", sa.Text(), nullable=True),
        sa.Column("product", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("required_action", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("cve"),
    )
    op.create_table(
        "intel_records",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("stamp", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("assigner", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_intel_records_feed", "intel_records", ["feed", "origin"], unique=False)
    op.create_index("ix_intel_records_vuln", "intel_records", ["vuln_id"], unique=False)
    op.create_table(
        "intel_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("alias", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_aliases_alias", "intel_aliases", ["alias"], unique=False)
    op.create_index("ix_intel_aliases_record", "intel_aliases", ["record_key"], unique=False)
    op.create_index("ix_intel_aliases_vuln", "intel_aliases", ["vuln_id"], unique=False)
    op.create_table(
        "intel_cna_affected",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("lookup", sa.String(length=512), nullable=False),
        sa.Column("assigner", sa.String(length=255), nullable=False),
        sa.Column("affected", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_cna_affected_key", "intel_cna_affected", ["lookup"], unique=False)
    op.create_index(
        "ix_intel_cna_affected_record", "intel_cna_affected", ["record_key"], unique=False
    )
    op.create_table(
        "intel_cpe_configs",
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("configurations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("record_key"),
    )
    op.create_table(
        "intel_cpe_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vendor", sa.String(length=255), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_intel_cpe_index_key", "intel_cpe_index", ["vendor", "product"], unique=False
    )
    op.create_index("ix_intel_cpe_index_record", "intel_cpe_index", ["record_key"], unique=False)
    op.create_table(
        "intel_cvss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("vector", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scorer", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_cvss_record", "intel_cvss", ["record_key"], unique=False)
    op.create_index("ix_intel_cvss_vuln", "intel_cvss", ["vuln_id"], unique=False)
    op.create_table(
        "intel_cwes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("cwe", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_cwes_record", "intel_cwes", ["record_key"], unique=False)
    op.create_index("ix_intel_cwes_vuln", "intel_cwes", ["vuln_id"], unique=False)
    op.create_table(
        "intel_eol_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(length=128), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("eol", sa.String(length=16), nullable=True),
        sa.Column("support", sa.String(length=16), nullable=True),
        sa.Column("extended_support", sa.String(length=16), nullable=True),
        sa.Column("lts", sa.Boolean(), nullable=False),
        sa.Column("latest", sa.String(length=128), nullable=True),
        sa.Column("latest_release_date", sa.Date(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["product"], ["intel_eol_products.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_eol_cycles_product", "intel_eol_cycles", ["product"], unique=False)
    op.create_table(
        "intel_osv_affected",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("ecosystem", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("affected", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_intel_osv_affected_pkg", "intel_osv_affected", ["ecosystem", "name"], unique=False
    )
    op.create_index(
        "ix_intel_osv_affected_record", "intel_osv_affected", ["record_key"], unique=False
    )
    op.create_table(
        "intel_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.Column("vuln_id", sa.String(length=128), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["record_key"], ["intel_records.key"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intel_references_record", "intel_references", ["record_key"], unique=False)
    op.create_index("ix_intel_references_vuln", "intel_references", ["vuln_id"], unique=False)


def downgrade() -> None:
    """Drop the intelligence tables."""
    op.drop_index("ix_intel_references_vuln", table_name="intel_references")
    op.drop_index("ix_intel_references_record", table_name="intel_references")
    op.drop_table("intel_references")
    op.drop_index("ix_intel_osv_affected_record", table_name="intel_osv_affected")
    op.drop_index("ix_intel_osv_affected_pkg", table_name="intel_osv_affected")
    op.drop_table("intel_osv_affected")
    op.drop_index("ix_intel_eol_cycles_product", table_name="intel_eol_cycles")
    op.drop_table("intel_eol_cycles")
    op.drop_index("ix_intel_cwes_vuln", table_name="intel_cwes")
    op.drop_index("ix_intel_cwes_record", table_name="intel_cwes")
    op.drop_table("intel_cwes")
    op.drop_index("ix_intel_cvss_vuln", table_name="intel_cvss")
    op.drop_index("ix_intel_cvss_record", table_name="intel_cvss")
    op.drop_table("intel_cvss")
    op.drop_index("ix_intel_cpe_index_record", table_name="intel_cpe_index")
    op.drop_index("ix_intel_cpe_index_key", table_name="intel_cpe_index")
    op.drop_table("intel_cpe_index")
    op.drop_table("intel_cpe_configs")
    op.drop_index("ix_intel_cna_affected_record", table_name="intel_cna_affected")
    op.drop_index("ix_intel_cna_affected_key", table_name="intel_cna_affected")
    op.drop_table("intel_cna_affected")
    op.drop_index("ix_intel_aliases_vuln", table_name="intel_aliases")
    op.drop_index("ix_intel_aliases_record", table_name="intel_aliases")
    op.drop_index("ix_intel_aliases_alias", table_name="intel_aliases")
    op.drop_table("intel_aliases")
    op.drop_index("ix_intel_records_vuln", table_name="intel_records")
    op.drop_index("ix_intel_records_feed", table_name="intel_records")
    op.drop_table("intel_records")
    op.drop_table("intel_kev")
    op.drop_table("intel_feed_state")
    op.drop_table("intel_feed_files")
    op.drop_table("intel_epss")
    op.drop_table("intel_eol_products")
