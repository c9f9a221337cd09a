"""Budget refunds: the points a request did not use, owed to its bucket at its next debit.

The statement that debits a bucket and runs the document knows the actual cost only after the
row's update; PostgreSQL cannot update that row twice in one statement, so the difference is
written here and the next debit of the same bucket takes it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_refunds",
        sa.Column("bucket_key", sa.Text(), nullable=False),
        sa.Column("points", sa.Double(), nullable=False),
        comment="cost points a request did not use, owed to its bucket at its next debit",
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_rate_limit_refunds_bucket_key", "rate_limit_refunds", ["bucket_key"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_refunds_bucket_key", table_name="rate_limit_refunds")
    op.drop_table("rate_limit_refunds")
