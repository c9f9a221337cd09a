"""The relations the GraphQL types load in batches: paged connections and small bounded lists.

A `Connection` is paged (`Store.list_by_parent`); a `Related` list is read whole
(`Store.related`). Each compiles to one statement for all the parents of a request.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    case,
    literal_column,
    select,
    type_coerce,
    union_all,
)

from api.db import tables
from api.store.entities import (
    ENTITIES,
    PARENT_KEY,
    Entity,
    ListRelation,
    entity_columns,
    id_array,
)
from api.store.ordering import (
    EventOrderField,
    Order,
    ParticipantOrderField,
    SourceOrderField,
    StatementOrderField,
    TopicOrderField,
    TreatyOrderField,
    resolve_ordering,
)
from api.vocabulary import INVERSE_RELATION, EventRelationKind, ParticipationRole


class Connection(Enum):
    EVENT_STATEMENTS = "EVENT_STATEMENTS"
    PARTICIPANT_EVENTS = "PARTICIPANT_EVENTS"
    PARTICIPANT_STATEMENTS = "PARTICIPANT_STATEMENTS"
    TREATY_EVENTS = "TREATY_EVENTS"
    TREATY_STATEMENTS = "TREATY_STATEMENTS"
    TOPIC_EVENTS = "TOPIC_EVENTS"
    TOPIC_STATEMENTS = "TOPIC_STATEMENTS"
    SOURCE_STATEMENTS = "SOURCE_STATEMENTS"


@dataclass(frozen=True)
class ConnectionSpec:
    relation: ListRelation
    default_order: tuple[Order, ...] | None = None
    """When None, the child entity's own default."""


IN_SOURCE_ORDER = (Order(StatementOrderField.POSITION),)

CONNECTIONS: Mapping[Connection, ConnectionSpec] = {
    Connection.EVENT_STATEMENTS: ConnectionSpec(
        ListRelation(Entity.STATEMENT, tables.statements, "event_id", "id"), IN_SOURCE_ORDER
    ),
    Connection.PARTICIPANT_EVENTS: ConnectionSpec(
        ListRelation(Entity.EVENT, tables.event_participants, "participant_id", "event_id")
    ),
    Connection.PARTICIPANT_STATEMENTS: ConnectionSpec(
        ListRelation(Entity.STATEMENT, tables.statements, "speaker_id", "id")
    ),
    Connection.TREATY_EVENTS: ConnectionSpec(
        ListRelation(Entity.EVENT, tables.event_treaties, "treaty_id", "event_id")
    ),
    Connection.TREATY_STATEMENTS: ConnectionSpec(
        ListRelation(Entity.STATEMENT, tables.statement_treaties, "treaty_id", "statement_id")
    ),
    Connection.TOPIC_EVENTS: ConnectionSpec(
        ListRelation(Entity.EVENT, tables.event_topics, "topic_id", "event_id")
    ),
    Connection.TOPIC_STATEMENTS: ConnectionSpec(
        ListRelation(Entity.STATEMENT, tables.statement_topics, "topic_id", "statement_id")
    ),
    Connection.SOURCE_STATEMENTS: ConnectionSpec(
        ListRelation(Entity.STATEMENT, tables.statements, "source_id", "id"), IN_SOURCE_ORDER
    ),
}


def linked_rows(relation: ListRelation) -> tuple[FromClause, ColumnElement[UUID]]:
    """The FROM clause reaching the related rows, and the expression holding their parent id."""
    target = ENTITIES[relation.target].table
    if relation.link is target:
        return target, target.c[relation.own_column]
    link = relation.link
    joined = target.join(link, link.c[relation.target_column] == target.c.id)
    return joined, link.c[relation.own_column]


class Related(Enum):
    EVENT_PARTICIPANTS = "EVENT_PARTICIPANTS"
    EVENT_TOPICS = "EVENT_TOPICS"
    EVENT_TREATIES = "EVENT_TREATIES"
    EVENT_SOURCES = "EVENT_SOURCES"
    EVENT_RELATIONS = "EVENT_RELATIONS"
    STATEMENT_TOPICS = "STATEMENT_TOPICS"
    STATEMENT_MENTIONS = "STATEMENT_MENTIONS"
    STATEMENT_TREATIES = "STATEMENT_TREATIES"
    PARTICIPANT_NAMES = "PARTICIPANT_NAMES"
    PARTICIPANT_ROLES = "PARTICIPANT_ROLES"
    PARTICIPANT_TREATIES = "PARTICIPANT_TREATIES"
    TREATY_NAMES = "TREATY_NAMES"
    TREATY_MILESTONES = "TREATY_MILESTONES"
    TREATY_PARTIES = "TREATY_PARTIES"
    TOPIC_LABELS = "TOPIC_LABELS"
    TOPIC_CHILDREN = "TOPIC_CHILDREN"
    SOURCE_EVENTS = "SOURCE_EVENTS"


# The order of related entities: chronological events, names alphabetically.
RELATED_ORDERS: Mapping[Entity, Order] = {
    Entity.EVENT: Order(EventOrderField.START_DATE),
    Entity.PARTICIPANT: Order(ParticipantOrderField.NAME),
    Entity.TREATY: Order(TreatyOrderField.NAME),
    Entity.TOPIC: Order(TopicOrderField.SLUG),
    Entity.SOURCE: Order(SourceOrderField.PUBLISHED_AT),
}

RELATED_ENTITIES: Mapping[Related, ListRelation] = {
    Related.EVENT_PARTICIPANTS: ListRelation(
        Entity.PARTICIPANT, tables.event_participants, "event_id", "participant_id"
    ),
    Related.EVENT_TOPICS: ListRelation(Entity.TOPIC, tables.event_topics, "event_id", "topic_id"),
    Related.EVENT_TREATIES: ListRelation(
        Entity.TREATY, tables.event_treaties, "event_id", "treaty_id"
    ),
    Related.EVENT_SOURCES: ListRelation(
        Entity.SOURCE, tables.event_sources, "event_id", "source_id"
    ),
    Related.STATEMENT_TOPICS: ListRelation(
        Entity.TOPIC, tables.statement_topics, "statement_id", "topic_id"
    ),
    Related.STATEMENT_MENTIONS: ListRelation(
        Entity.PARTICIPANT, tables.statement_mentions, "statement_id", "participant_id"
    ),
    Related.STATEMENT_TREATIES: ListRelation(
        Entity.TREATY, tables.statement_treaties, "statement_id", "treaty_id"
    ),
    Related.PARTICIPANT_TREATIES: ListRelation(
        Entity.TREATY, tables.treaty_parties, "participant_id", "treaty_id"
    ),
    Related.TREATY_PARTIES: ListRelation(
        Entity.PARTICIPANT, tables.treaty_parties, "treaty_id", "participant_id"
    ),
    Related.TOPIC_CHILDREN: ListRelation(Entity.TOPIC, tables.topics, "parent_id", "id"),
    Related.SOURCE_EVENTS: ListRelation(
        Entity.EVENT, tables.event_sources, "source_id", "event_id"
    ),
}

NAME_LISTS: Mapping[Related, tuple[FromClause, str]] = {
    Related.PARTICIPANT_NAMES: (tables.participant_names, "participant_id"),
    Related.TREATY_NAMES: (tables.treaty_names, "treaty_id"),
    Related.TOPIC_LABELS: (tables.topic_labels, "topic_id"),
}


def related_statement(
    relation: Related,
    parent_ids: Sequence[UUID],
    *,
    role: ParticipationRole | None = None,
    relation_kind: EventRelationKind | None = None,
) -> Select[Any]:
    """The rows of `relation` for all `parent_ids`, each with `PARENT_KEY`, in display order."""
    if relation is Related.EVENT_RELATIONS:
        return _event_relations(parent_ids, relation_kind)
    if relation in NAME_LISTS:
        names, owner = NAME_LISTS[relation]
        return (
            select(*names.c, names.c[owner].label(PARENT_KEY))
            .where(names.c[owner] == id_array(parent_ids))
            .order_by(names.c[owner], names.c.is_primary.desc(), names.c.language, names.c.value)
        )
    if relation is Related.PARTICIPANT_ROLES:
        roles = tables.participant_roles
        return (
            select(*roles.c, roles.c.participant_id.label(PARENT_KEY))
            .where(roles.c.participant_id == id_array(parent_ids))
            .order_by(roles.c.participant_id, roles.c.start_date.nulls_last(), roles.c.id)
        )
    if relation is Related.TREATY_MILESTONES:
        milestones = tables.treaty_milestones
        return (
            select(*milestones.c, milestones.c.treaty_id.label(PARENT_KEY))
            .where(milestones.c.treaty_id == id_array(parent_ids))
            .order_by(milestones.c.treaty_id, milestones.c.date, milestones.c.id)
        )
    return _related_entities(relation, parent_ids, role)


def _related_entities(
    relation: Related, parent_ids: Sequence[UUID], role: ParticipationRole | None
) -> Select[Any]:
    link = RELATED_ENTITIES[relation]
    from_, parent = linked_rows(link)
    target = ENTITIES[link.target].table
    ordering = resolve_ordering(
        link.target, (RELATED_ORDERS[link.target],), scope=relation.name, search=None
    )
    extra: list[ColumnElement[Any]] = []
    first_order: list[ColumnElement[Any]] = [parent]
    if relation is Related.EVENT_PARTICIPANTS:
        participation = tables.event_participants
        extra.append(participation.c.role)
        # Hosts first, then guests, participants, mediators, observers.
        first_order.append(
            case(
                *(
                    (participation.c.role == item, rank)
                    for rank, item in enumerate(ParticipationRole)
                )
            )
        )
    statement = (
        select(*entity_columns(target), *extra, parent.label(PARENT_KEY))
        .select_from(from_)
        .where(parent == id_array(parent_ids))
        .order_by(*first_order, *(key.order_clause() for key in ordering.keys))
    )
    if role is not None:
        statement = statement.where(tables.event_participants.c.role == role)
    return statement


def _event_relations(
    parent_ids: Sequence[UUID], relation_kind: EventRelationKind | None
) -> Select[Any]:
    """Relations are stored once per pair; from the far end the kind reads inverted
    (A PRECEDES B shows on B as FOLLOWS A)."""
    relations, events = tables.event_relations, tables.events
    kind_type = relations.c.kind.type
    inverse = case(
        *(
            (relations.c.kind == kind, literal_column(f"'{INVERSE_RELATION[kind].name}'"))
            for kind in EventRelationKind
        )
    )
    forward = (
        select(
            *entity_columns(events),
            relations.c.from_event_id.label(PARENT_KEY),
            relations.c.kind.label("relation_kind"),
        )
        .join_from(relations, events, events.c.id == relations.c.to_event_id)
        .where(relations.c.from_event_id == id_array(parent_ids))
    )
    backward = (
        select(
            *entity_columns(events),
            relations.c.to_event_id.label(PARENT_KEY),
            type_coerce(inverse, kind_type).label("relation_kind"),
        )
        .join_from(relations, events, events.c.id == relations.c.from_event_id)
        .where(relations.c.to_event_id == id_array(parent_ids))
    )
    if relation_kind is not None:
        forward = forward.where(relations.c.kind == relation_kind)
        backward = backward.where(relations.c.kind == INVERSE_RELATION[relation_kind])
    both = union_all(forward, backward).subquery("related")
    return select(both).order_by(both.c[PARENT_KEY], both.c.start_date, both.c.id)
