"""The two walkthroughs of docs/extending.md as edits: a column on Statement, and a new entity.

Each `Edit` is one change to one file of the project, exactly as the guide shows it; the test
applies them to a copy of the project and checks that everything derived from the declarations
has the new field and the new entity. A new file is an edit with neither anchor.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edit:
    path: str
    text: str
    after: str | None = None
    """Insert `text` right after this text, which must occur once in the file."""
    before: str | None = None
    """Insert `text` right before this text, which must occur once in the file."""
    at_end: bool = False
    """Append `text` to the file."""

    def apply(self, root: Path) -> None:
        target = root / self.path
        if self.at_end:
            with target.open("a", encoding="utf-8") as file:
                file.write(self.text)
            return
        if self.after is None and self.before is None:
            if target.exists():
                raise FileExistsError(f"{self.path} exists: an edit with no anchor makes a file")
            target.write_text(self.text, encoding="utf-8")
            return
        content = target.read_text(encoding="utf-8")
        anchor = self.after if self.after is not None else self.before
        assert anchor is not None
        if content.count(anchor) != 1:
            raise LookupError(f"{self.path}: the anchor occurs {content.count(anchor)} times")
        at = content.index(anchor) + (len(anchor) if self.after is not None else 0)
        target.write_text(content[:at] + self.text + content[at:], encoding="utf-8")


# ---------------------------------------------------------------- a column on Statement

NOTE_MIGRATION = '''"""Statements get an editor's note (docs/extending.md, the first walkthrough).

Revision ID: 0901
Revises: {head}
"""

import sqlalchemy as sa

from alembic import op

revision = "0901"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "statements",
        sa.Column("note", sa.Text(), nullable=True, comment="an editor's note on the statement"),
    )


def downgrade() -> None:
    op.drop_column("statements", "note")
'''

FIELD = (
    Edit(
        "api/db/tables.py",
        '    Column("note", Text, comment="an editor\'s note on the statement"),\n',
        after='    Column("said_on", Date),\n',
    ),
    Edit(
        "api/store/entities.py",
        '            "note": ScalarField("note", ScalarKind.STRING, "Conditions on the note."),\n',
        after='                "said_on", ScalarKind.DATE, "Conditions on the day it was said."\n'
        "            ),\n",
    ),
    Edit(
        "schema/types/statement.py",
        '    note: str | None = column("An editor\'s note on the statement.")\n',
        after='    said_on: date | None = column("The day it was said, when known.")\n',
    ),
)
"""Exposed, filterable, loaded from fixture files and exported: three files and a migration."""

# ---------------------------------------------------------------- a new entity

VENUE_TABLES = """

# ---------------------------------------------------------------- venues

venues = Table(
    "venues",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    reference("host_id", "participants", nullable=True),
    *kept_by_database(),
)
Index("ix_venues_host_id", venues.c.host_id)
venue_names = names_table("venue_names", "venue_id", "venues")
"""

VENUE_ENTITY = """    Entity.VENUE: EntitySpec(
        tables.venues,
        "Venue",
        "venues",
        "Venues; by default by name.",
        {
            "id": ID,
            "slug": SLUG,
            "name": VENUE_NAMES,
            "host": SingleRelation(Entity.PARTICIPANT, "host_id", "Conditions on its host."),
        },
        names=VENUE_NAMES,
        search=Searchable("Venues, by any name."),
    ),
"""

VENUE_ORDERING = """    Entity.VENUE: EntityOrdering(
        VenueOrderField,
        {
            VenueOrderField.NAME: OrderKey(
                primary_name_key(Entity.VENUE), "The primary name, ignoring case and accents."
            ),
        },
        (Order(VenueOrderField.NAME),),
    ),
"""

VENUE_TYPE = '''"""Venue: a place where events are held, named in many languages."""

from api.store.entities import VENUE_NAMES, Entity
from schema.fields import column, entity_type, localized_name, reference
from schema.types.node import Node
from schema.types.participant import Participant


@entity_type(Entity.VENUE, description="A place where events are held.")
class Venue(Node):
    slug: str = column("A stable, human-readable key.")
    name: str = localized_name(
        VENUE_NAMES, "The best name in the language asked for, else the primary name."
    )
    host: Participant | None = reference(
        "host_id", Entity.PARTICIPANT, "The country or organisation it belongs to."
    )
'''

VENUE_MODEL = '''@with_columns(tables.venues)
class Venue(FixtureModel):
    """A place where events are held."""

    slug: Slug
    names: Names
    host: Slug | None = Field(default=None, description="Slug of a participant.")


'''

VENUE_MIGRATION = '''"""Venues, named in many languages (docs/extending.md, the second walkthrough).

Revision ID: 0902
Revises: 0901
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op
from api.db.change_log import entity_triggers, owned_triggers

revision = "0902"
down_revision = "0901"
branch_labels = None
depends_on = None

NEW_ID = sa.text("gen_random_uuid()")
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "venues",
        sa.Column("id", postgresql.UUID(), server_default=NEW_ID, nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("host_id", postgresql.UUID(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(["host_id"], ["participants.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("ix_venues_host_id", "venues", ["host_id"])
    op.create_table(
        "venue_names",
        sa.Column("id", postgresql.UUID(), server_default=NEW_ID, nullable=False),
        sa.Column("venue_id", postgresql.UUID(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("value <> ''", name="value_not_empty"),
        sa.ForeignKeyConstraint(["venue_id"], ["venues.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("venue_id", "language", "value"),
    )
    op.create_index(
        "ix_venue_names_one_primary",
        "venue_names",
        ["venue_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
    )
    op.create_index(
        "ix_venue_names_value_trgm",
        "venue_names",
        [sa.text("eventgraph_fold(value) gin_trgm_ops")],
        postgresql_using="gin",
    )
    # As every entity table: updated_at kept by the database, every change logged.
    op.execute(
        "CREATE TRIGGER venues_touch_updated_at BEFORE UPDATE ON venues "
        "FOR EACH ROW EXECUTE FUNCTION eventgraph_touch_updated_at()"
    )
    for statement in entity_triggers("venues", "VENUE") + owned_triggers(
        "venue_names", "venues", "venue_id", "names"
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("venue_names")
    op.drop_table("venues")
'''

ENTITY = (
    Edit("api/db/tables.py", VENUE_TABLES, at_end=True),
    Edit("api/store/entities.py", '    VENUE = "VENUE"\n', after='    SOURCE = "SOURCE"\n'),
    Edit(
        "api/store/entities.py",
        'VENUE_NAMES = NameField(tables.venue_names, "venue_id", "Conditions on any name.")\n\n',
        before="ENTITIES: Mapping[Entity, EntitySpec] = {",
    ),
    Edit("api/store/entities.py", VENUE_ENTITY, before="}\n\nSEARCHABLE = "),
    Edit(
        "api/store/ordering.py",
        '\n\nclass VenueOrderField(Enum):\n    NAME = "NAME"\n',
        after='class SourceOrderField(Enum):\n    """Not offered by the API (sources have one '
        'order); it keeps the mechanism uniform."""\n\n    PUBLISHED_AT = "PUBLISHED_AT"\n',
    ),
    Edit("api/store/ordering.py", "    | VenueOrderField\n", after="    | SourceOrderField\n"),
    Edit("api/store/ordering.py", VENUE_ORDERING, before='}\n"""Each entity\'s orderings'),
    Edit("schema/types/venue.py", VENUE_TYPE),
    Edit("api/fixtures/models.py", VENUE_MODEL, before="class FixtureFile(FixtureModel):"),
    Edit(
        "api/fixtures/models.py",
        "    venues: list[Venue] = Field(default_factory=list)\n",
        after="    statements: list[Statement] = Field(default_factory=list)\n",
    ),
    Edit(
        "api/fixtures/corpus.py",
        "from api.fixtures.models import Venue\n",
        after="from api.fixtures.models import Event, Participant, Source, Statement, Topic, "
        "Treaty\n",
    ),
    Edit(
        "api/fixtures/corpus.py",
        "    venues: list[Venue] = field(default_factory=list)\n",
        after="    statements: list[Statement] = field(default_factory=list)\n",
    ),
)
"""Searchable, orderable, filterable, fetched by id or slug, loaded and exported: six files and a
migration (the table, the registry, the ordering, the type, the fixture model, the validated
corpus's list)."""

MIGRATIONS = {
    "alembic/versions/0901_statement_note.py": NOTE_MIGRATION,
    "alembic/versions/0902_venues.py": VENUE_MIGRATION,
}
