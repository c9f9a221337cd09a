"""The relations the API reads under a parent row: paged connections and small bounded lists.

A `Connection` is paged (keyset pages, `api.store.pagination`); a `Related` list is read whole,
in its display order, and has a documented `bound` (the most items it holds; fixtures may not
exceed it, and the query cost counts it). Both are declared here once, and each read path builds
its statement from these declarations: the batched reads of `api.store.reads` (one statement for
all the parents of a request) and the JSON documents of `api.store.documents` (correlated to
each parent row).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    case,
    literal_column,
    select,
    type_coerce,
    union_all,
)

from api.db import tables
from api.store.citations import (
    claim_citations,
    claim_sources,
    milestone_sources,
    participation_sources,
    role_sources,
)
from api.store.claims import claim_groups, disputed_fields
from api.store.entities import (
    ENTITIES,
    PARENT_KEY,
    PARTICIPANT_NAMES,
    TOPIC_LABELS,
    TREATY_NAMES,
    Entity,
    ListRelation,
    NameField,
    entity_columns,
)
from api.store.ordering import (
    EventOrderField,
    Order,
    ParticipantOrderField,
    SourceOrderField,
    StatementOrderField,
    TopicOrderField,
    TreatyOrderField,
    ordering_shape,
    resolve_ordering,
)
from api.store.params import Param
from api.store.renderings import may_be_same_as, renderings, statement_sources
from api.store.sources import GroupedRows, ParentMatch
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


def list_relation(entity: Entity, field: str) -> ListRelation:
    """The list relation an entity declares as its filter field `field` (`api.store.entities`)."""
    relation = ENTITIES[entity].fields[field]
    if not isinstance(relation, ListRelation):
        raise TypeError(f"{entity.name}.{field} is not a list relation")
    return relation


CONNECTIONS: Mapping[Connection, ConnectionSpec] = {
    Connection.EVENT_STATEMENTS: ConnectionSpec(
        list_relation(Entity.EVENT, "statements"), IN_SOURCE_ORDER
    ),
    Connection.PARTICIPANT_EVENTS: ConnectionSpec(list_relation(Entity.PARTICIPANT, "events")),
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


def linked_rows(
    relation: ListRelation, target: FromClause | None = None
) -> tuple[FromClause, ColumnElement[UUID]]:
    """The FROM clause reaching the related rows (of `target`, the target table or an alias of
    it), and the expression holding their parent id."""
    target = ENTITIES[relation.target].table if target is None else target
    if relation.link is ENTITIES[relation.target].table:
        return target, target.c[relation.own_column]
    link = relation.link.alias()
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
    SOURCE_REPRINTS = "SOURCE_REPRINTS"
    SOURCE_BASED_ON = "SOURCE_BASED_ON"
    STATEMENT_RENDERINGS = "STATEMENT_RENDERINGS"
    STATEMENT_SOURCES = "STATEMENT_SOURCES"
    STATEMENT_MAY_BE_SAME_AS = "STATEMENT_MAY_BE_SAME_AS"
    EVENT_CLAIMS = "EVENT_CLAIMS"
    STATEMENT_CLAIMS = "STATEMENT_CLAIMS"
    TREATY_CLAIMS = "TREATY_CLAIMS"
    PARTICIPANT_CLAIMS = "PARTICIPANT_CLAIMS"
    EVENT_DISPUTED_FIELDS = "EVENT_DISPUTED_FIELDS"
    STATEMENT_DISPUTED_FIELDS = "STATEMENT_DISPUTED_FIELDS"
    TREATY_DISPUTED_FIELDS = "TREATY_DISPUTED_FIELDS"
    PARTICIPANT_DISPUTED_FIELDS = "PARTICIPANT_DISPUTED_FIELDS"
    CLAIM_SOURCES = "CLAIM_SOURCES"
    CLAIM_CITATIONS = "CLAIM_CITATIONS"
    PARTICIPATION_SOURCES = "PARTICIPATION_SOURCES"
    MILESTONE_SOURCES = "MILESTONE_SOURCES"
    ROLE_SOURCES = "ROLE_SOURCES"


# The most items each list holds: fixtures may not exceed it, and the query cost counts it.
BOUNDS: Mapping[Related, int] = {
    Related.EVENT_PARTICIPANTS: 50,
    Related.EVENT_TOPICS: 30,
    Related.EVENT_TREATIES: 20,
    Related.EVENT_SOURCES: 20,
    Related.EVENT_RELATIONS: 50,
    Related.STATEMENT_TOPICS: 20,
    Related.STATEMENT_MENTIONS: 20,
    Related.STATEMENT_TREATIES: 20,
    Related.PARTICIPANT_NAMES: 30,
    Related.PARTICIPANT_ROLES: 30,
    Related.PARTICIPANT_TREATIES: 50,
    Related.TREATY_NAMES: 30,
    Related.TREATY_MILESTONES: 30,
    Related.TREATY_PARTIES: 200,
    Related.TOPIC_LABELS: 30,
    Related.TOPIC_CHILDREN: 50,
    Related.SOURCE_EVENTS: 100,
    Related.SOURCE_REPRINTS: 50,
    Related.SOURCE_BASED_ON: 20,
    Related.STATEMENT_RENDERINGS: 30,
    Related.STATEMENT_SOURCES: 30,
    Related.STATEMENT_MAY_BE_SAME_AS: 20,
    Related.EVENT_CLAIMS: 50,
    Related.STATEMENT_CLAIMS: 50,
    Related.TREATY_CLAIMS: 50,
    Related.PARTICIPANT_CLAIMS: 50,
    Related.EVENT_DISPUTED_FIELDS: 20,
    Related.STATEMENT_DISPUTED_FIELDS: 20,
    Related.TREATY_DISPUTED_FIELDS: 20,
    Related.PARTICIPANT_DISPUTED_FIELDS: 20,
    Related.CLAIM_SOURCES: 30,
    Related.CLAIM_CITATIONS: 30,
    Related.PARTICIPATION_SOURCES: 30,
    Related.MILESTONE_SOURCES: 30,
    Related.ROLE_SOURCES: 30,
}

CLAIM_LISTS: Mapping[Related, Entity] = {
    Related.EVENT_CLAIMS: Entity.EVENT,
    Related.STATEMENT_CLAIMS: Entity.STATEMENT,
    Related.TREATY_CLAIMS: Entity.TREATY,
    Related.PARTICIPANT_CLAIMS: Entity.PARTICIPANT,
}
"""The claims of each entity that has them (`api.store.claims`)."""
DISPUTED_LISTS: Mapping[Related, Entity] = {
    Related.EVENT_DISPUTED_FIELDS: Entity.EVENT,
    Related.STATEMENT_DISPUTED_FIELDS: Entity.STATEMENT,
    Related.TREATY_DISPUTED_FIELDS: Entity.TREATY,
    Related.PARTICIPANT_DISPUTED_FIELDS: Entity.PARTICIPANT,
}
"""The disputed fields of each entity that has claims: lists of names, not of objects."""
VALUE_LISTS: Mapping[Related, str] = dict.fromkeys(DISPUTED_LISTS, "field")
"""The lists of values, not of objects, and the column of their rows each value is."""
GROUPED_LISTS: Mapping[Related, Callable[[ParentMatch], GroupedRows]] = {
    Related.CLAIM_SOURCES: claim_sources,
    Related.CLAIM_CITATIONS: claim_citations,
    Related.PARTICIPATION_SOURCES: participation_sources,
    Related.MILESTONE_SOURCES: milestone_sources,
    Related.ROLE_SOURCES: role_sources,
}
"""Lists read from a grouped subquery of `api.store.claims`."""

ITEM_OF: Mapping[Related, tuple[str, str]] = {
    Related.PARTICIPATION_SOURCES: ("event_id", "slug"),
}
"""Lists read for an item of a parent's list rather than for a row with an id: which column of
the item's row holds the parent's id, and which names the item (matched to `claim_item`)."""


def parent_column(relation: Related) -> str:
    """The column of the row a list is read under that holds the list's parent id."""
    return ITEM_OF[relation][0] if relation in ITEM_OF else "id"


# The order of related entities: chronological events, names alphabetically.
RELATED_ORDERS: Mapping[Entity, Order] = {
    Entity.EVENT: Order(EventOrderField.START_DATE),
    Entity.PARTICIPANT: Order(ParticipantOrderField.NAME),
    Entity.TREATY: Order(TreatyOrderField.NAME),
    Entity.TOPIC: Order(TopicOrderField.SLUG),
    Entity.SOURCE: Order(SourceOrderField.PUBLISHED_AT),
}

RELATED_ENTITIES: Mapping[Related, ListRelation] = {
    Related.EVENT_PARTICIPANTS: list_relation(Entity.EVENT, "participants"),
    Related.EVENT_TOPICS: list_relation(Entity.EVENT, "topics"),
    Related.EVENT_TREATIES: list_relation(Entity.EVENT, "treaties"),
    Related.EVENT_SOURCES: ListRelation(
        Entity.SOURCE, tables.event_sources, "event_id", "source_id"
    ),
    Related.STATEMENT_TOPICS: list_relation(Entity.STATEMENT, "topics"),
    Related.STATEMENT_MENTIONS: list_relation(Entity.STATEMENT, "mentions"),
    Related.STATEMENT_TREATIES: list_relation(Entity.STATEMENT, "treaties"),
    Related.PARTICIPANT_TREATIES: ListRelation(
        Entity.TREATY, tables.treaty_parties, "participant_id", "treaty_id"
    ),
    Related.TREATY_PARTIES: list_relation(Entity.TREATY, "parties"),
    Related.TOPIC_CHILDREN: ListRelation(Entity.TOPIC, tables.topics, "parent_id", "id"),
    Related.SOURCE_EVENTS: ListRelation(
        Entity.EVENT, tables.event_sources, "source_id", "event_id"
    ),
    Related.SOURCE_REPRINTS: ListRelation(Entity.SOURCE, tables.sources, "reprint_of_id", "id"),
    Related.SOURCE_BASED_ON: ListRelation(
        Entity.SOURCE, tables.source_based_on, "source_id", "based_on_id"
    ),
}

NAME_LISTS: Mapping[Related, NameField] = {
    Related.PARTICIPANT_NAMES: PARTICIPANT_NAMES,
    Related.TREATY_NAMES: TREATY_NAMES,
    Related.TOPIC_LABELS: TOPIC_LABELS,
}


@dataclass(frozen=True)
class RelatedShape:
    """A related list as a request asks for it (hashable: part of a read's shape)."""

    relation: Related
    role: ParticipationRole | None = None
    relation_kind: EventRelationKind | None = None
    text: Param | None = None
    """The text argument of a list that takes one: a claims list's field (its read-API name),
    a statement's renderings' language."""


@dataclass(frozen=True)
class RelatedSource:
    """Where the rows of a related list come from, over fresh aliases: for one statement."""

    from_: FromClause
    parent: ColumnElement[UUID]
    columns: Mapping[str, ColumnElement[Any]]
    """Each row's values by name: the entity's columns, and `role` or `relation_kind`."""
    where: tuple[ColumnElement[bool], ...]
    order: tuple[ColumnElement[Any], ...]
    """The display order, within one parent."""
    item: ColumnElement[Any] | None = None
    """For a list read for an item (`ITEM_OF`): what names the item of each row."""


def _grouped(rows: GroupedRows) -> RelatedSource:
    return RelatedSource(rows.from_, rows.parent, rows.columns, (), rows.order)


def related_source(shape: RelatedShape, parent_match: ParentMatch) -> RelatedSource:
    relation = shape.relation
    text = None if shape.text is None else shape.text.sql()
    if relation is Related.EVENT_RELATIONS:
        return _event_relations(parent_match, shape.relation_kind)
    if relation in CLAIM_LISTS:
        return _grouped(claim_groups(CLAIM_LISTS[relation], parent_match, text))
    if relation in DISPUTED_LISTS:
        return _grouped(disputed_fields(DISPUTED_LISTS[relation], parent_match))
    if relation in GROUPED_LISTS:
        rows = GROUPED_LISTS[relation](parent_match)
        source = _grouped(rows)
        if relation in ITEM_OF:
            return RelatedSource(
                source.from_,
                source.parent,
                source.columns,
                (),
                source.order,
                item=rows.columns["claim_item"],
            )
        return source
    if relation is Related.STATEMENT_RENDERINGS:
        return _grouped(renderings(parent_match, text))
    if relation is Related.STATEMENT_SOURCES:
        return _grouped(statement_sources(parent_match))
    if relation is Related.STATEMENT_MAY_BE_SAME_AS:
        return _grouped(may_be_same_as(parent_match))
    if relation in NAME_LISTS:
        declared = NAME_LISTS[relation]
        names = declared.names.alias()
        owner = names.c[declared.owner_column]
        return RelatedSource(
            from_=names,
            parent=owner,
            columns={column.key: column for column in names.c},
            where=(parent_match(owner),),
            order=(names.c.is_primary.desc(), names.c.language, names.c.value),
        )
    if relation is Related.PARTICIPANT_ROLES:
        roles = tables.participant_roles.alias()
        return RelatedSource(
            from_=roles,
            parent=roles.c.participant_id,
            columns={column.key: column for column in roles.c},
            where=(parent_match(roles.c.participant_id),),
            order=(roles.c.start_date.nulls_last(), roles.c.id),
        )
    if relation is Related.TREATY_MILESTONES:
        milestones = tables.treaty_milestones.alias()
        return RelatedSource(
            from_=milestones,
            parent=milestones.c.treaty_id,
            columns={column.key: column for column in milestones.c},
            where=(parent_match(milestones.c.treaty_id),),
            order=(milestones.c.date, milestones.c.id),
        )
    return _related_entities(shape, parent_match)


def _related_entities(shape: RelatedShape, parent_match: ParentMatch) -> RelatedSource:
    relation = RELATED_ENTITIES[shape.relation]
    target = ENTITIES[relation.target].table.alias()
    from_, parent = linked_rows(relation, target)
    order_shape = ordering_shape(relation.target, (RELATED_ORDERS[relation.target],), search=False)
    ordering = resolve_ordering(order_shape, target)
    columns = {str(column.key): column for column in entity_columns(target)}
    where = [parent_match(parent)]
    first_order: list[ColumnElement[Any]] = []
    if shape.relation is Related.EVENT_PARTICIPANTS:
        role = parent.table.c.role
        columns["role"] = role
        # What the participation's own lists are read under (`ITEM_OF`).
        columns["event_id"] = parent
        # Hosts first, then guests, participants, mediators, observers.
        first_order.append(
            case(*((role == item, rank) for rank, item in enumerate(ParticipationRole)))
        )
        if shape.role is not None:
            where.append(role == shape.role)
    return RelatedSource(
        from_=from_,
        parent=parent,
        columns=columns,
        where=tuple(where),
        order=(*first_order, *(key.order_clause() for key in ordering.keys)),
    )


def _event_relations(
    parent_match: ParentMatch, relation_kind: EventRelationKind | None
) -> RelatedSource:
    """Relations are stored once per pair; from the far end the kind reads inverted
    (A PRECEDES B shows on B as FOLLOWS A)."""
    relations, events = tables.event_relations.alias(), tables.events.alias()
    backward_relations, backward_events = tables.event_relations.alias(), tables.events.alias()
    kind_type = relations.c.kind.type
    inverse = case(
        *(
            (backward_relations.c.kind == kind, literal_column(f"'{INVERSE_RELATION[kind].name}'"))
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
        .where(parent_match(relations.c.from_event_id))
    )
    backward = (
        select(
            *entity_columns(backward_events),
            backward_relations.c.to_event_id.label(PARENT_KEY),
            type_coerce(inverse, kind_type).label("relation_kind"),
        )
        .join_from(
            backward_relations,
            backward_events,
            backward_events.c.id == backward_relations.c.from_event_id,
        )
        .where(parent_match(backward_relations.c.to_event_id))
    )
    if relation_kind is not None:
        forward = forward.where(relations.c.kind == relation_kind)
        backward = backward.where(backward_relations.c.kind == INVERSE_RELATION[relation_kind])
    # Each branch reads its own aliases; anything else it names is the parent's row (JSON
    # documents correlate the relation to the event it is read for).
    forward = forward.correlate_except(relations, events)
    backward = backward.correlate_except(backward_relations, backward_events)
    both = union_all(forward, backward).subquery("related")
    return RelatedSource(
        from_=both,
        parent=both.c[PARENT_KEY],
        columns={str(column.key): column for column in both.c if column.key != PARENT_KEY},
        where=(),
        order=(both.c.start_date, both.c.id),
    )
