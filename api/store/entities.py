"""The entity registry: each entity declared once, with its table, its name, and its fields.

Everything that lists the entities reads this registry: the one filter compiler
(`api.store.filters`) and the search (`api.store.search`); on the GraphQL side, the filter
inputs, node lookup, the search's type enum and union, the root lookups and lists, and plurals.
Adding a filterable field is one line here; adding an entity is one `EntitySpec`. Field names are
the snake_case names of the GraphQL filter inputs, and each field's `description` says what its
condition tests (the filter input's documentation).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Table

from api.db import tables
from api.store.sources import STATEMENT_SOURCE_LINKS
from api.vocabulary import (
    EventFormat,
    EventKind,
    EventStatus,
    ParticipantKind,
    SourceKind,
    StatementKind,
)


class Row(Protocol):
    """A result row (an asyncpg Record, or a dict): the entity's columns by name (never the
    search vector), plus documented extras."""

    def __getitem__(self, key: str, /) -> Any: ...


FilterSpec = Mapping[str, Any]
"""A filter as a dict mirroring the GraphQL input, with snake_case keys."""

PARENT_KEY = "batch_parent_id"
"""The row key naming the parent a batched row was loaded for (`parent_id` is a topic column)."""


class Entity(Enum):
    EVENT = "EVENT"
    STATEMENT = "STATEMENT"
    PARTICIPANT = "PARTICIPANT"
    TREATY = "TREATY"
    TOPIC = "TOPIC"
    SOURCE = "SOURCE"


class ScalarKind(Enum):
    """Which operators a column offers and which Python values they take."""

    ID = "ID"
    STRING = "STRING"
    INT = "INT"
    DATE = "DATE"
    DATETIME = "DATETIME"
    ENUM = "ENUM"


@dataclass(frozen=True)
class ScalarField:
    column: str
    kind: ScalarKind
    description: str
    enum: type[Enum] | None = None


@dataclass(frozen=True)
class SingleRelation:
    """A reference held by this entity's row (`column`), filtered with the target's filter."""

    target: Entity
    column: str
    description: str


@dataclass(frozen=True)
class ListRelation:
    """Rows of `target` linked through `link`: `link.own_column` = this id, and
    `link.target_column` = the target's id (`link` is the target table itself when the target
    holds the reference, with `target_column` = "id"; or a union of links, such as a
    statement's sources)."""

    target: Entity
    link: FromClause
    own_column: str
    target_column: str
    description: str = ""


@dataclass(frozen=True)
class NameField:
    """Any of the entity's names or labels, in any language."""

    names: Table
    owner_column: str
    description: str = ""


@dataclass(frozen=True)
class SearchField:
    """Full-text search (see `api.store.search`)."""

    description: str


@dataclass(frozen=True)
class TreatyStatusField:
    """The status of a treaty derived from its milestones as of today (see `api.store.treaties`)."""

    description: str


@dataclass(frozen=True)
class IndependentSourcesField:
    """How many independent sources report it (see `api.store.sources`)."""

    description: str


@dataclass(frozen=True)
class DisputedField:
    """Whether some field of it is disputed by its claims (see `api.store.claims`): a bare
    Boolean, true for the disputed, false for the others."""

    description: str


@dataclass(frozen=True)
class RenderingLanguageField:
    """The language of any of a statement's renderings, its main one included."""

    description: str


Field = (
    ScalarField
    | SingleRelation
    | ListRelation
    | NameField
    | SearchField
    | TreatyStatusField
    | IndependentSourcesField
    | DisputedField
    | RenderingLanguageField
)


@dataclass(frozen=True)
class Searchable:
    """The entity is found by the ranked search (`Query.search`); `description` says by what.
    Unless `by_default`, only a search that names it in its types finds it."""

    description: str
    by_default: bool = True


@dataclass(frozen=True)
class EntitySpec:
    table: Table
    type_name: str
    """The name of its GraphQL type, which its global IDs carry."""
    plural: str
    """What a list of them is called: the root list's field name, the words of descriptions."""
    listed: str
    """What its root list is, and its default order, in a sentence."""
    fields: Mapping[str, Field]
    names: NameField | None = None
    """The names or labels table, whose primary entry is the entity's display and sort name."""
    search: Searchable | None = None

    @property
    def by_slug(self) -> bool:
        """Whether people refer to it by its slug: its filter offers it, its lookup takes it."""
        return "slug" in self.fields


def entity_columns(table: FromClause) -> list[ColumnElement[Any]]:
    """The columns a read returns: all of them but the search vector, which nobody reads."""
    return [column for column in table.c if column.key != "search_vector"]


ID = ScalarField("id", ScalarKind.ID, "Conditions on the global ID.")
SLUG = ScalarField("slug", ScalarKind.STRING, "Conditions on the slug.")
UPDATED_AT = ScalarField("updated_at", ScalarKind.DATETIME, "When it was last changed.")
KIND = "Conditions on the kind."
LANGUAGE = "Conditions on the BCP 47 language tag."

PARTICIPANT_NAMES = NameField(
    tables.participant_names,
    "participant_id",
    "Conditions on any name or alias, in any language.",
)
TREATY_NAMES = NameField(
    tables.treaty_names, "treaty_id", "Conditions on any name, in any language."
)
TOPIC_LABELS = NameField(
    tables.topic_labels, "topic_id", "Conditions on any label, in any language."
)

ENTITIES: Mapping[Entity, EntitySpec] = {
    Entity.EVENT: EntitySpec(
        tables.events,
        "Event",
        "events",
        "Events; by default the latest first.",
        {
            "id": ID,
            "slug": SLUG,
            "title": ScalarField("title", ScalarKind.STRING, "Conditions on the title."),
            "kind": ScalarField("kind", ScalarKind.ENUM, KIND, EventKind),
            "format": ScalarField(
                "format", ScalarKind.ENUM, "Conditions on the format.", EventFormat
            ),
            "status": ScalarField(
                "status", ScalarKind.ENUM, "Conditions on the status.", EventStatus
            ),
            "start_date": ScalarField(
                "start_date", ScalarKind.DATE, "Conditions on the first day of the event's period."
            ),
            "end_date": ScalarField(
                "end_date", ScalarKind.DATE, "Conditions on the last day of the event's period."
            ),
            "duration_minutes": ScalarField(
                "duration_minutes", ScalarKind.INT, "Conditions on the duration, in minutes."
            ),
            "participants": ListRelation(
                Entity.PARTICIPANT,
                tables.event_participants,
                "event_id",
                "participant_id",
                "Conditions on its participants.",
            ),
            "topics": ListRelation(
                Entity.TOPIC,
                tables.event_topics,
                "event_id",
                "topic_id",
                "Conditions on its topics.",
            ),
            "treaties": ListRelation(
                Entity.TREATY,
                tables.event_treaties,
                "event_id",
                "treaty_id",
                "Conditions on the treaties at stake.",
            ),
            "statements": ListRelation(
                Entity.STATEMENT,
                tables.statements,
                "event_id",
                "id",
                "Conditions on its statements.",
            ),
            "sources": ListRelation(
                Entity.SOURCE,
                tables.event_sources,
                "event_id",
                "source_id",
                "Conditions on the sources it is reported in.",
            ),
            "independent_sources": IndependentSourcesField(
                "Conditions on how many independent sources report it (copies of one wire "
                "story count once)."
            ),
            "disputed": DisputedField(
                "True: only events whose sources disagree on some field; false: only the others."
            ),
            "search": SearchField("Full text over title, summary and the event's statements."),
            "updated_at": UPDATED_AT,
        },
        search=Searchable("Events, by title and summary."),
    ),
    Entity.STATEMENT: EntitySpec(
        tables.statements,
        "Statement",
        "statements",
        "Statements; by default the latest first.",
        {
            "id": ID,
            "text": ScalarField("text", ScalarKind.STRING, "Conditions on the text, as published."),
            "language": ScalarField("language", ScalarKind.STRING, LANGUAGE),
            "kind": ScalarField("kind", ScalarKind.ENUM, KIND, StatementKind),
            "speaker": SingleRelation(
                Entity.PARTICIPANT, "speaker_id", "Conditions on the speaker."
            ),
            "reported_by": SingleRelation(
                Entity.PARTICIPANT, "reported_by_id", "Conditions on who relayed it."
            ),
            "event": SingleRelation(
                Entity.EVENT, "event_id", "Conditions on the event it was said at or about."
            ),
            "topics": ListRelation(
                Entity.TOPIC,
                tables.statement_topics,
                "statement_id",
                "topic_id",
                "Conditions on its topics.",
            ),
            "mentions": ListRelation(
                Entity.PARTICIPANT,
                tables.statement_mentions,
                "statement_id",
                "participant_id",
                "Conditions on the participants it is about.",
            ),
            "treaties": ListRelation(
                Entity.TREATY,
                tables.statement_treaties,
                "statement_id",
                "treaty_id",
                "Conditions on the treaties it is about.",
            ),
            "said_on": ScalarField(
                "said_on", ScalarKind.DATE, "Conditions on the day it was said."
            ),
            "sources": ListRelation(
                Entity.SOURCE,
                STATEMENT_SOURCE_LINKS,
                "statement_id",
                "source_id",
                "Conditions on the sources of its renderings, the main one included.",
            ),
            "rendering_language": RenderingLanguageField(
                "Conditions on the BCP 47 language tag of any of its renderings, the main one "
                "included."
            ),
            "independent_sources": IndependentSourcesField(
                "Conditions on how many independent sources report it (copies of one wire "
                "story count once)."
            ),
            "search": SearchField("Full text, stemmed in the statement's own language."),
            "updated_at": UPDATED_AT,
        },
        search=Searchable("Statements, by text."),
    ),
    Entity.PARTICIPANT: EntitySpec(
        tables.participants,
        "Participant",
        "participants",
        "Participants; by default by name.",
        {
            "id": ID,
            "slug": SLUG,
            "kind": ScalarField("kind", ScalarKind.ENUM, KIND, ParticipantKind),
            "name": PARTICIPANT_NAMES,
            "country": SingleRelation(
                Entity.PARTICIPANT, "country_id", "Conditions on the country it belongs to."
            ),
            "events": ListRelation(
                Entity.EVENT,
                tables.event_participants,
                "participant_id",
                "event_id",
                "Conditions on the events it took part in.",
            ),
            "updated_at": UPDATED_AT,
        },
        names=PARTICIPANT_NAMES,
        search=Searchable("Participants, by any name or alias."),
    ),
    Entity.TREATY: EntitySpec(
        tables.treaties,
        "Treaty",
        "treaties",
        "Treaties; by default by name.",
        {
            "id": ID,
            "slug": SLUG,
            "name": TREATY_NAMES,
            "status": TreatyStatusField("Conditions on the status as of today."),
            "signed_on": ScalarField(
                "signed_on", ScalarKind.DATE, "Conditions on the day it was signed."
            ),
            "expires_on": ScalarField(
                "expires_on", ScalarKind.DATE, "Conditions on its current expiry date."
            ),
            "parties": ListRelation(
                Entity.PARTICIPANT,
                tables.treaty_parties,
                "treaty_id",
                "participant_id",
                "Conditions on its parties.",
            ),
            "updated_at": UPDATED_AT,
        },
        names=TREATY_NAMES,
        search=Searchable("Treaties, by any name."),
    ),
    Entity.TOPIC: EntitySpec(
        tables.topics,
        "Topic",
        "topics",
        "Topics, by slug.",
        {
            "id": ID,
            "slug": SLUG,
            "label": TOPIC_LABELS,
            "parent": SingleRelation(Entity.TOPIC, "parent_id", "Conditions on the parent topic."),
        },
        names=TOPIC_LABELS,
        search=Searchable("Topics, by any label."),
    ),
    Entity.SOURCE: EntitySpec(
        tables.sources,
        "Source",
        "sources",
        "Sources; the latest published first.",
        {
            "id": ID,
            "kind": ScalarField("kind", ScalarKind.ENUM, KIND, SourceKind),
            "reprint_of": SingleRelation(
                Entity.SOURCE,
                "reprint_of_id",
                "Conditions on the wire story it reprints (any condition: only copies).",
            ),
            "publisher": ScalarField(
                "publisher", ScalarKind.STRING, "Conditions on the publisher."
            ),
            "language": ScalarField("language", ScalarKind.STRING, LANGUAGE),
            "published_at": ScalarField(
                "published_at", ScalarKind.DATETIME, "Conditions on when it was published."
            ),
        },
        # Not by default: a search that names no types answers what it answered before sources
        # could be found.
        search=Searchable(
            "Sources, by title or publisher (only when `types` names them).", by_default=False
        ),
    ),
}

SEARCHABLE = tuple(entity for entity, spec in ENTITIES.items() if spec.search is not None)
"""The entities the ranked search finds, in the order it lists them."""
SEARCHED_BY_DEFAULT = tuple(
    entity for entity in SEARCHABLE if (search := ENTITIES[entity].search) and search.by_default
)
"""The entities a search that names no types finds."""
