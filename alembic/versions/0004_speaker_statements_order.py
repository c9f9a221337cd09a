"""A participant's statements come newest first from an index, not from a sort of all of them.

`Participant.statements` orders by `said_on DESC NULLS LAST, id DESC`; with an index on the
speaker alone, PostgreSQL read and sorted every statement of the speaker for each page. The new
index leads with the speaker, so it also serves what the old one did.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_statements_speaker_id_said_on",
        "statements",
        ["speaker_id", sa.text("said_on DESC NULLS LAST"), sa.text("id DESC")],
    )
    op.drop_index("ix_statements_speaker_id", table_name="statements")


def downgrade() -> None:
    op.create_index("ix_statements_speaker_id", "statements", ["speaker_id"])
    op.drop_index("ix_statements_speaker_id_said_on", table_name="statements")
