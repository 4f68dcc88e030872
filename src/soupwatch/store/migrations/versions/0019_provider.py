"""CSAF provider documents and coordinated vulnerability disclosure reports
(store/provider_tables.py)

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the provider-documents and disclosure-reports tables."""
    op.create_table(
        "provider_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=False),
        sa.Column("tracking_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("released", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sha512", sa.String(length=128), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tlp", "path", name="uq_provider_document_path"),
    )
    op.create_index(
        "ix_provider_documents_product", "provider_documents", ["product"], unique=False
    )
    op.create_table(
        "disclosure_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_digest", sa.String(length=64), nullable=False),
        sa.Column("client_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), nullable=False),
        sa.Column("reporter_contact", sa.String(length=320), nullable=False),
        sa.Column("product_hint", sa.String(length=255), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("vulnerability", sa.String(length=64), nullable=True),
        sa.Column("public_note", sa.Text(), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_digest"),
    )
    op.create_index(
        "ix_disclosure_reports_client",
        "disclosure_reports",
        ["client_digest", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_disclosure_reports_client", table_name="disclosure_reports")
    op.drop_table("disclosure_reports")
    op.drop_index("ix_provider_documents_product", table_name="provider_documents")
    op.drop_table("provider_documents")
