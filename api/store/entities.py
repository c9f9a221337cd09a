"""The entity registry: each entity's table and the fields its filter offers, and how each compiles.

One table drives the one filter compiler (`api.store.filters`), so adding a filterable field is
one line here. Field names are the snake_case names of the GraphQL filter inputs.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Table

from api.db import tables
from api.vocabulary import EventFormat, EventKind, EventStatus, ParticipantKind, StatementKind


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
    enum: type[Enum] | None = None


@dataclass(frozen=True)
class SingleRelation:
    """A reference held by this entity's row (`column`), filtered with the target's filter."""

    target: Entity
    column: str


@dataclass(frozen=True)
class ListRelation:
    """Rows of `target` linked through `link`: `link.own_column` = this id, and
    `link.target_column` = the target's id (`link` is the target table itself when the target
    holds the reference, with `target_column` = "id")."""

    target: Entity
    link: Table
    own_column: str
    target_column: str


@dataclass(frozen=True)
class NameField:
    """Any of the entity's names or labels, in any language."""

    names: Table
    owner_column: str


@dataclass(frozen=True)
class SearchField:
    """Full-text search (see `api.store.search`)."""


@dataclass(frozen=True)
class TreatyStatusField:
    """The status of a treaty derived from its milestones as of today (see `api.store.treaties`)."""


Field = ScalarField | SingleRelation | ListRelation | NameField | SearchField | TreatyStatusField


@dataclass(frozen=True)
class EntitySpec:
    table: Table
    fields: Mapping[str, Field]
    names: NameField | None = None
    """The names or labels table, whose primary entry is the entity's display and sort name."""


def entity_columns(table: FromClause) -> list[ColumnElement[Any]]:
    """The columns a read returns: all of them but the search vector, which nobody reads."""
    return [column for column in table.c if column.key != "search_vector"]


ID = ScalarField("id", ScalarKind.ID)
SLUG = ScalarField("slug", ScalarKind.STRING)
UPDATED_AT = ScalarField("updated_at", ScalarKind.DATETIME)

PARTICIPANT_NAMES = NameField(tables.participant_names, "participant_id")
TREATY_NAMES = NameField(tables.treaty_names, "treaty_id")
TOPIC_LABELS = NameField(tables.topic_labels, "topic_id")

ENTITIES: Mapping[Entity, EntitySpec] = {
    Entity.EVENT: EntitySpec(
        tables.events,
        {
            "id": ID,
            "slug": SLUG,
            "title": ScalarField("title", ScalarKind.STRING),
            "kind": ScalarField("kind", ScalarKind.ENUM, EventKind),
            "format": ScalarField("format", ScalarKind.ENUM, EventFormat),
            "status": ScalarField("status", ScalarKind.ENUM, EventStatus),
            "start_date": ScalarField("start_date", ScalarKind.DATE),
            "end_date": ScalarField("end_date", ScalarKind.DATE),
            "duration_minutes": ScalarField("duration_minutes", ScalarKind.INT),
            "participants": ListRelation(
                Entity.PARTICIPANT, tables.event_participants, "event_id", "participant_id"
            ),
            "topics": ListRelation(Entity.TOPIC, tables.event_topics, "event_id", "topic_id"),
            "treaties": ListRelation(Entity.TREATY, tables.event_treaties, "event_id", "treaty_id"),
            "statements": ListRelation(Entity.STATEMENT, tables.statements, "event_id", "id"),
            "search": SearchField(),
            "updated_at": UPDATED_AT,
        },
    ),
    Entity.STATEMENT: EntitySpec(
        tables.statements,
        {
            "id": ID,
            "text": ScalarField("text", ScalarKind.STRING),
            "language": ScalarField("language", ScalarKind.STRING),
            "kind": ScalarField("kind", ScalarKind.ENUM, StatementKind),
            "speaker": SingleRelation(Entity.PARTICIPANT, "speaker_id"),
            "reported_by": SingleRelation(Entity.PARTICIPANT, "reported_by_id"),
            "event": SingleRelation(Entity.EVENT, "event_id"),
            "topics": ListRelation(
                Entity.TOPIC, tables.statement_topics, "statement_id", "topic_id"
            ),
            "mentions": ListRelation(
                Entity.PARTICIPANT, tables.statement_mentions, "statement_id", "participant_id"
            ),
            "treaties": ListRelation(
                Entity.TREATY, tables.statement_treaties, "statement_id", "treaty_id"
            ),
            "said_on": ScalarField("said_on", ScalarKind.DATE),
            "search": SearchField(),
            "updated_at": UPDATED_AT,
        },
    ),
    Entity.PARTICIPANT: EntitySpec(
        tables.participants,
        {
            "id": ID,
            "slug": SLUG,
            "kind": ScalarField("kind", ScalarKind.ENUM, ParticipantKind),
            "name": PARTICIPANT_NAMES,
            "country": SingleRelation(Entity.PARTICIPANT, "country_id"),
            "events": ListRelation(
                Entity.EVENT, tables.event_participants, "participant_id", "event_id"
            ),
            "updated_at": UPDATED_AT,
        },
        names=PARTICIPANT_NAMES,
    ),
    Entity.TREATY: EntitySpec(
        tables.treaties,
        {
            "id": ID,
            "slug": SLUG,
            "name": TREATY_NAMES,
            "status": TreatyStatusField(),
            "signed_on": ScalarField("signed_on", ScalarKind.DATE),
            "expires_on": ScalarField("expires_on", ScalarKind.DATE),
            "parties": ListRelation(
                Entity.PARTICIPANT, tables.treaty_parties, "treaty_id", "participant_id"
            ),
            "updated_at": UPDATED_AT,
        },
        names=TREATY_NAMES,
    ),
    Entity.TOPIC: EntitySpec(
        tables.topics,
        {
            "id": ID,
            "slug": SLUG,
            "label": TOPIC_LABELS,
            "parent": SingleRelation(Entity.TOPIC, "parent_id"),
        },
        names=TOPIC_LABELS,
    ),
    Entity.SOURCE: EntitySpec(
        tables.sources,
        {
            "id": ID,
            "publisher": ScalarField("publisher", ScalarKind.STRING),
            "language": ScalarField("language", ScalarKind.STRING),
            "published_at": ScalarField("published_at", ScalarKind.DATETIME),
        },
    ),
}
