"""Partner access: API keys (hashed), shared rate-limit buckets, trusted documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False, comment="shown, never secret"),
        sa.Column("secret_sha256", sa.LargeBinary(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "budget_capacity", sa.Integer(), nullable=True, comment="null: the configured default"
        ),
        sa.Column(
            "budget_restore_per_second",
            sa.Double(),
            nullable=True,
            comment="null: the configured default",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_used_at", sa.DateTime(timezone=True), nullable=True, comment="to the minute"
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("name <> ''", name=op.f("ck_api_keys_name_not_empty")),
        sa.CheckConstraint(
            "octet_length(secret_sha256) = 32", name=op.f("ck_api_keys_sha256_length")
        ),
        sa.CheckConstraint(
            "cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'admin']::text[]",
            name=op.f("ck_api_keys_known_scopes"),
        ),
        sa.CheckConstraint(
            "budget_capacity IS NULL OR budget_capacity > 0",
            name=op.f("ck_api_keys_positive_capacity"),
        ),
        sa.CheckConstraint(
            "budget_restore_per_second IS NULL OR budget_restore_per_second > 0",
            name=op.f("ck_api_keys_positive_restore"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_keys_secret_sha256")),
        comment="partner API keys; only a SHA-256 of each key is kept, the key itself is shown once",
    )
    op.create_index(
        "ix_api_keys_active_name",
        "api_keys",
        ["name"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "rate_limit_buckets",
        sa.Column("bucket_key", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "full_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="when pruning may drop it",
        ),
        sa.PrimaryKeyConstraint("bucket_key", name=op.f("pk_rate_limit_buckets")),
        prefixes=["UNLOGGED"],
        comment="one token bucket of cost points per API key or anonymous network",
    )
    op.create_table(
        "trusted_documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("operation_name", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "sha256 = encode(sha256(convert_to(document, 'UTF8')), 'hex')",
            name=op.f("ck_trusted_documents_sha256_of_document"),
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_trusted_documents")),
        comment="registered operations: what runs in trusted-documents mode, by the hash clients send",
    )


def downgrade() -> None:
    op.drop_table("trusted_documents")
    op.drop_table("rate_limit_buckets")
    op.drop_index("ix_api_keys_active_name", table_name="api_keys")
    op.drop_table("api_keys")
