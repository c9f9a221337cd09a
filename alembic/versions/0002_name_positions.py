"""Names and labels keep their place in the owner's list: the first listed in a language is shown.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_TABLES = {
    "participant_names": "participant_id",
    "treaty_names": "treaty_id",
    "topic_labels": "topic_id",
}


def upgrade() -> None:
    for table, owner in NAME_TABLES.items():
        op.add_column(table, sa.Column("position", sa.Integer(), nullable=True))
        # Rows loaded before this revision keep the order they were read back in: the primary
        # first, then by language and value. The next fixture load sets the files' order.
        op.execute(
            f"UPDATE {table} SET position = numbered.position FROM ("
            f"  SELECT id, row_number() OVER ("
            f"    PARTITION BY {owner} ORDER BY is_primary DESC, language, value"
            f"  ) - 1 AS position FROM {table}"
            f") AS numbered WHERE numbered.id = {table}.id"
        )
        op.alter_column(table, "position", nullable=False)


def downgrade() -> None:
    for table in NAME_TABLES:
        op.drop_column(table, "position")
