"""Mutations' idempotency keys: one row per API key and idempotencyKey, with the first answer.

A retry with the same key and input gets that answer again instead of a second change; rows
older than `idempotency_key_hours` are pruned by the writes themselves (`api.write.idempotency`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.Text(), nullable=False, comment="the API key's id, or 'anonymous'"),
        sa.Column("key", sa.Text(), nullable=False, comment="the client's idempotencyKey"),
        sa.Column(
            "request_sha256",
            sa.LargeBinary(),
            nullable=False,
            comment="of the mutation and its input",
        ),
        sa.Column(
            "answer",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="what the first request was answered",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("owner", "key"),
        comment="mutations' idempotency keys, kept idempotency_key_hours, with their first answer",
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
