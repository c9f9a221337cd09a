"""Many sources: source kinds and syndication, claims on fields, renderings of statements.

- sources: `kind` (REPORT for the rows already stored), `reprint_of_id` (the wire story a report
  reprints), `note`; `source_based_on` (the sources a source cites without reprinting them);
- events: `commitment`; statements: `translation` (UNKNOWN for the rows already stored) and
  `distortion` of the main rendering, `statement_renderings` (the other renderings),
  `statement_may_be_same_as` (statements that may report the same words);
- `event_claims`, `statement_claims`, `treaty_claims`, `participant_claims`: one source's claim of
  one value for one field, or one item of a list field.

Every new table is owned by a node: its rows' changes are logged as changes of their owner, under
the list's fixture field name (`api.db.change_log.owned_triggers`). The new columns of entity
tables are logged by the triggers those tables have.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.db.change_log import owned_triggers

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_KINDS = ("REPORT", "WIRE_STORY", "OFFICIAL")
COMMITMENTS = ("EXPECTED", "INTENDED", "INVITED", "ACCEPTED", "CONFIRMED")
QUALIFIERS = ("EXACT", "ABOUT", "NEARLY", "AT_LEAST", "AT_MOST", "BY_END_OF", "INFERRED")
TRANSLATIONS = ("ORIGINAL", "TRANSLATION", "TRANSCRIPTION", "UNKNOWN")
STATEMENT_KINDS = ("DIRECT_QUOTE", "PARAPHRASE")

CLAIMS = (
    ("event_claims", "events", "event_id"),
    ("statement_claims", "statements", "statement_id"),
    ("treaty_claims", "treaties", "treaty_id"),
    ("participant_claims", "participants", "participant_id"),
)
OWNED = (
    ("source_based_on", "sources", "source_id", "based_on"),
    ("statement_renderings", "statements", "statement_id", "renderings"),
    ("statement_may_be_same_as", "statements", "statement_id", "may_be_same_as"),
    *((table, owner_table, owner_column, "claims") for table, owner_table, owner_column in CLAIMS),
)


def _names(name: str, values: tuple[str, ...]) -> sa.Enum:
    """A vocabulary column's type; its check constraint is made apart (`_check`)."""
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=False)


def _check(table: str, column: str, name: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{name}"))


def _vocabulary_column(
    table: str, column: str, name: str, values: tuple[str, ...], *, nullable: bool
) -> tuple[sa.Column[str], sa.CheckConstraint]:
    return (
        sa.Column(column, _names(name, values), nullable=nullable),
        _check(table, column, name, values),
    )


def _add_vocabulary_column(
    table: str,
    column: str,
    name: str,
    values: tuple[str, ...],
    *,
    default: str | None = None,
    comment: str | None = None,
) -> None:
    """A vocabulary column on a table with rows: a NOT NULL one gets `default`, for those rows
    and for inserts that predate it."""
    op.add_column(
        table,
        sa.Column(
            column,
            _names(name, values),
            nullable=default is None,
            server_default=None if default is None else sa.text(f"'{default}'"),
            comment=comment,
        ),
    )
    listed = ", ".join(f"'{value}'" for value in values)
    op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, f"{column} IN ({listed})")


def _claims_table(table: str, owner_table: str, owner_column: str) -> None:
    qualifier, qualifier_check = _vocabulary_column(
        table, "qualifier", "claimqualifier", QUALIFIERS, nullable=False
    )
    op.create_table(
        table,
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(owner_column, sa.UUID(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        qualifier,
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=True),
        sa.Column("attributed_to_id", sa.UUID(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        qualifier_check,
        sa.CheckConstraint("field <> ''", name=op.f(f"ck_{table}_field_not_empty")),
        sa.ForeignKeyConstraint(
            [owner_column],
            [f"{owner_table}.id"],
            name=op.f(f"fk_{table}_{owner_column}_{owner_table}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f(f"fk_{table}_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["attributed_to_id"],
            ["participants.id"],
            name=op.f(f"fk_{table}_attributed_to_id_participants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(f"ix_{table}_{owner_column}", table, [owner_column, "position"])
    op.create_index(f"ix_{table}_source_id", table, ["source_id"])
    op.create_index(f"ix_{table}_attributed_to_id", table, ["attributed_to_id"])


def upgrade() -> None:
    _add_vocabulary_column("sources", "kind", "sourcekind", SOURCE_KINDS, default="REPORT")
    op.add_column("sources", sa.Column("reprint_of_id", sa.UUID(), nullable=True))
    op.add_column(
        "sources",
        sa.Column("note", sa.Text(), nullable=True, comment="about the capture or the date"),
    )
    op.create_foreign_key(
        op.f("fk_sources_reprint_of_id_sources"),
        "sources",
        "sources",
        ["reprint_of_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_check_constraint(
        op.f("ck_sources_not_own_reprint"),
        "sources",
        "reprint_of_id IS NULL OR reprint_of_id <> id",
    )
    op.create_index("ix_sources_kind", "sources", ["kind"])
    op.create_index("ix_sources_reprint_of_id", "sources", ["reprint_of_id"])
    op.create_table(
        "source_based_on",
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("based_on_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "source_id <> based_on_id", name=op.f("ck_source_based_on_not_own_basis")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_based_on_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["sources.id"],
            name=op.f("fk_source_based_on_based_on_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("source_id", "based_on_id", name=op.f("pk_source_based_on")),
    )
    op.create_index(
        "ix_source_based_on_based_on_id", "source_based_on", ["based_on_id", "source_id"]
    )

    _add_vocabulary_column(
        "events", "commitment", "commitment", COMMITMENTS, comment="for a planned event"
    )
    _add_vocabulary_column(
        "statements", "translation", "translationstatus", TRANSLATIONS, default="UNKNOWN"
    )
    op.add_column(
        "statements",
        sa.Column(
            "distortion",
            sa.Text(),
            nullable=True,
            comment="how the main rendering misrenders the original",
        ),
    )

    kind, kind_check = _vocabulary_column(
        "statement_renderings", "kind", "statementkind", STATEMENT_KINDS, nullable=False
    )
    translation, translation_check = _vocabulary_column(
        "statement_renderings", "translation", "translationstatus", TRANSLATIONS, nullable=False
    )
    op.create_table(
        "statement_renderings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        kind,
        sa.Column("source_id", sa.UUID(), nullable=False),
        translation,
        sa.Column("distortion", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        kind_check,
        translation_check,
        sa.CheckConstraint("text <> ''", name=op.f("ck_statement_renderings_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_renderings_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_statement_renderings_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_renderings")),
    )
    op.create_index(
        "ix_statement_renderings_statement_id",
        "statement_renderings",
        ["statement_id", "position"],
    )
    op.create_index("ix_statement_renderings_source_id", "statement_renderings", ["source_id"])
    op.create_index("ix_statement_renderings_language", "statement_renderings", ["language"])
    op.create_table(
        "statement_may_be_same_as",
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("may_be_same_as_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_may_be_same_as_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["may_be_same_as_id"],
            ["statements.id"],
            name=op.f("fk_statement_may_be_same_as_may_be_same_as_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "statement_id", "may_be_same_as_id", name=op.f("pk_statement_may_be_same_as")
        ),
    )
    op.create_index(
        "ix_statement_may_be_same_as_may_be_same_as_id",
        "statement_may_be_same_as",
        ["may_be_same_as_id", "statement_id"],
    )

    for table, owner_table, owner_column in CLAIMS:
        _claims_table(table, owner_table, owner_column)
    for table, owner_table, owner_column, field in OWNED:
        for statement in owned_triggers(table, owner_table, owner_column, field):
            op.execute(statement)


def downgrade() -> None:
    for table, _, _ in CLAIMS:
        op.drop_table(table)
    op.drop_table("statement_may_be_same_as")
    op.drop_table("statement_renderings")
    op.drop_constraint(op.f("ck_statements_translationstatus"), "statements", type_="check")
    op.drop_column("statements", "distortion")
    op.drop_column("statements", "translation")
    op.drop_constraint(op.f("ck_events_commitment"), "events", type_="check")
    op.drop_column("events", "commitment")
    op.drop_table("source_based_on")
    op.drop_index("ix_sources_reprint_of_id", table_name="sources")
    op.drop_index("ix_sources_kind", table_name="sources")
    op.drop_constraint(op.f("ck_sources_not_own_reprint"), "sources", type_="check")
    op.drop_constraint(op.f("fk_sources_reprint_of_id_sources"), "sources", type_="foreignkey")
    op.drop_constraint(op.f("ck_sources_sourcekind"), "sources", type_="check")
    op.drop_column("sources", "note")
    op.drop_column("sources", "reprint_of_id")
    op.drop_column("sources", "kind")
