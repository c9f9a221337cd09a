"""Claims: what each source says about a field of an event, statement, treaty or participant.

A claim row is one source's claim of one value for one field (or one item of a list field),
stored under the fixture field's name (`duration_minutes`) in its owner's claims table. The read
API groups the rows by (field, item, value, qualifier), in order of first appearance: one group
is one claim, with every source that makes it. This module says, once, as SQL read by both paths:

- the name a field is shown under: the read API's (GraphQL) field name (`API_NAMES`);
- whether a claim is the one the field holds (`chosen`): its value is the stored value, in
  fixture notation (value null: the field holds none; for a list field: the item is in the list,
  with that value when one is claimed);
- which fields are disputed: their claims (per item) hold more than one distinct value, null
  counting as one;
- the sources of a list item (a participation, a milestone, a role): those of its claims.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    Table,
    Text,
    and_,
    case,
    cast,
    distinct,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from api.db import tables
from api.store.entities import (
    ENTITIES,
    PARTICIPANT_NAMES,
    TREATY_NAMES,
    Entity,
    ListRelation,
    NameField,
)
from api.store.sources import (
    GroupedRows,
    ParentMatch,
    event_independent_sources,
    origin,
    statement_independent_sources,
)
from api.vocabulary import INVERSE_RELATION, EventRelationKind


@dataclass(frozen=True)
class ClaimsTable:
    table: Table
    owner_column: str


CLAIMS: Mapping[Entity, ClaimsTable] = {
    Entity.EVENT: ClaimsTable(tables.event_claims, "event_id"),
    Entity.STATEMENT: ClaimsTable(tables.statement_claims, "statement_id"),
    Entity.TREATY: ClaimsTable(tables.treaty_claims, "treaty_id"),
    Entity.PARTICIPANT: ClaimsTable(tables.participant_claims, "participant_id"),
}
"""Each entity that has claims, and where they are stored."""

INDEPENDENT_SOURCES: Mapping[Entity, Callable[[ColumnElement[UUID]], ColumnElement[int]]] = {
    Entity.EVENT: event_independent_sources,
    Entity.STATEMENT: statement_independent_sources,
}
"""How many independent sources report a row of each entity that counts them."""

RENAMED: Mapping[str, str] = {"related": "relatedEvents"}
"""Fixture fields whose read-API field has another name than their camelCase."""

NOT_CLAIMED = frozenset({"id", "slug", "version", "created_at", "updated_at", "search_vector"})

# ---------------------------------------------------------------- chosen: the stored value

Chosen = Callable[[FromClause, FromClause], ColumnElement[bool]]
"""Whether a claim (a row of the claims alias) holds the owner's (alias) stored value."""


def _plain(column: str) -> Chosen:
    def chosen(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
        stored = owner.c[column]
        value = claim.c.value
        if isinstance(stored.type, DateTime):
            # An instant in any offset: compared as an instant (a bare date never is one).
            is_instant = value.op("~")(literal(r"^\d{4}-\d\d-\d\dT", Text))
            same = case((is_instant, cast(value, DateTime(timezone=True)) == stored), else_=false())
            return or_(and_(value.is_(None), stored.is_(None)), same.is_(True))
        if isinstance(stored.type, Date):
            shown: ColumnElement[Any] = func.to_char(stored, "YYYY-MM-DD")
        else:
            shown = cast(stored, Text)
        return value.is_not_distinct_from(shown)

    return chosen


def _slug_of(column: str, target: Table) -> Chosen:
    def chosen(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
        referenced = target.alias()
        slug = (
            select(referenced.c.slug)
            .where(referenced.c.id == owner.c[column])
            .correlate_except(referenced)
            .scalar_subquery()
        )
        return claim.c.value.is_not_distinct_from(slug)

    return chosen


def _linked(relation: ListRelation, value_column: str | None = None) -> Chosen:
    """An item of a list of slugs (or of participations: the value is the role)."""

    def chosen(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
        target = ENTITIES[relation.target].table.alias()
        link = relation.link.alias()
        matching = [
            link.c[relation.own_column] == owner.c.id,
            target.c.slug == claim.c.item,
        ]
        if value_column is not None:
            matching.append(
                or_(claim.c.value.is_(None), cast(link.c[value_column], Text) == claim.c.value)
            )
        found = select(literal(1)).select_from(
            link.join(target, target.c.id == link.c[relation.target_column])
        )
        return exists(found.where(*matching).correlate_except(link, target))

    return chosen


def _milestone(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
    milestones = tables.treaty_milestones.alias()
    found = select(literal(1)).where(
        milestones.c.treaty_id == owner.c.id,
        cast(milestones.c.kind, Text) == claim.c.item,
        or_(
            claim.c.value.is_(None), func.to_char(milestones.c.date, "YYYY-MM-DD") == claim.c.value
        ),
    )
    return exists(found.correlate_except(milestones))


def _role(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
    roles = tables.participant_roles.alias()
    found = select(literal(1)).where(
        roles.c.participant_id == owner.c.id, roles.c.title == claim.c.item
    )
    return exists(found.correlate_except(roles))


def _named(names: NameField) -> Chosen:
    """A name or alias (the item its text), in any language."""

    def chosen(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
        found_names = names.names.alias()
        found = select(literal(1)).where(
            found_names.c[names.owner_column] == owner.c.id, found_names.c.value == claim.c.item
        )
        return exists(found.correlate_except(found_names))

    return chosen


def _relation(claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
    """A related event (the item its slug), with the kind read from the owner (the value)."""
    relations, other = tables.event_relations.alias(), tables.events.alias()
    inverse = case(
        *(
            (relations.c.kind == kind.name, INVERSE_RELATION[kind].name)
            for kind in EventRelationKind
        )
    )
    forward = and_(relations.c.from_event_id == owner.c.id, other.c.id == relations.c.to_event_id)
    backward = and_(relations.c.to_event_id == owner.c.id, other.c.id == relations.c.from_event_id)
    kind = case((forward, cast(relations.c.kind, Text)), else_=inverse)
    found = select(literal(1)).where(
        or_(forward, backward),
        other.c.slug == claim.c.item,
        or_(claim.c.value.is_(None), kind == claim.c.value),
    )
    return exists(found.correlate_except(relations, other))


def _list_relation(entity: Entity, field: str) -> ListRelation:
    relation = ENTITIES[entity].fields[field]
    assert isinstance(relation, ListRelation)
    return relation


LISTS: Mapping[Entity, Mapping[str, Chosen]] = {
    Entity.EVENT: {
        "participants": _linked(_list_relation(Entity.EVENT, "participants"), "role"),
        "topics": _linked(_list_relation(Entity.EVENT, "topics")),
        "treaties": _linked(_list_relation(Entity.EVENT, "treaties")),
        "sources": _linked(_list_relation(Entity.EVENT, "sources")),
        "related": _relation,
    },
    Entity.STATEMENT: {
        "topics": _linked(_list_relation(Entity.STATEMENT, "topics")),
        "mentions": _linked(_list_relation(Entity.STATEMENT, "mentions")),
        "treaties": _linked(_list_relation(Entity.STATEMENT, "treaties")),
    },
    Entity.TREATY: {
        "milestones": _milestone,
        "parties": _linked(_list_relation(Entity.TREATY, "parties")),
        "names": _named(TREATY_NAMES),
    },
    Entity.PARTICIPANT: {"roles": _role, "names": _named(PARTICIPANT_NAMES)},
}
"""The list fields a claim may name an item of, per owner."""


def _scalars(entity: Entity) -> dict[str, Chosen]:
    """The owner's columns, under their fixture names: a reference by its slug (`speaker`)."""
    found: dict[str, Chosen] = {}
    for column in ENTITIES[entity].table.c:
        if column.key in NOT_CLAIMED:
            continue
        (key,) = column.foreign_keys or (None,)
        if key is not None and column.key.endswith("_id"):
            target = key.column.table
            assert isinstance(target, Table)
            if "slug" in target.c:
                found[column.key.removesuffix("_id")] = _slug_of(column.key, target)
        else:
            found[column.key] = _plain(column.key)
    return found


CLAIMED: Mapping[Entity, Mapping[str, Chosen]] = {
    entity: {**_scalars(entity), **LISTS[entity]} for entity in CLAIMS
}
"""Every field a claim of each owner may name, under its fixture name."""


def api_name(stored: str) -> str:
    """The read API's name of a fixture field: "duration_minutes" → "durationMinutes"."""
    if stored in RENAMED:
        return RENAMED[stored]
    head, *rest = stored.split("_")
    return head + "".join(part.capitalize() for part in rest)


API_NAMES: Mapping[str, str] = {
    stored: api_name(stored) for fields in CLAIMED.values() for stored in fields
}
"""Each claimable fixture field's read-API name: the one place the two names meet."""


def shown_field(claim: FromClause) -> ColumnElement[str]:
    """The claim's field, under its read-API name (a name no owner has stays as stored)."""
    return case(API_NAMES, value=claim.c.field, else_=claim.c.field)


def chosen(entity: Entity, claim: FromClause, owner: FromClause) -> ColumnElement[bool]:
    """Whether the claim's value is the one the owner's field holds."""
    return case(
        *((claim.c.field == name, rule(claim, owner)) for name, rule in CLAIMED[entity].items()),
        else_=false(),
    )


# ---------------------------------------------------------------- the reads

GROUP = ("field", "item", "value", "qualifier")
"""What a claim is: the rows that claim one value, the same way, for one field and item."""


def claim_groups(
    entity: Entity, parent_match: ParentMatch, field: ColumnElement[Any] | None
) -> GroupedRows:
    """The claims of each owner, as the API shows them: (id: its first row's, field, item,
    value, qualifier, chosen, independent_source_count), in order of first appearance; only
    those on `field` (a read-API name) when it is given."""
    stored = CLAIMS[entity]
    claims, owner, sources = (
        stored.table.alias(),
        ENTITIES[entity].table.alias(),
        tables.sources.alias(),
    )
    owner_id = claims.c[stored.owner_column]
    name = shown_field(claims)
    conditions = [parent_match(owner_id)]
    if field is not None:
        conditions.append(name == field)
    grouped = (
        select(
            owner_id.label("parent"),
            func.array_agg(aggregate_order_by(claims.c.id, claims.c.position))[1].label("id"),
            name.label("field"),
            claims.c.item,
            claims.c.value,
            claims.c.qualifier,
            chosen(entity, claims, owner).label("chosen"),
            func.count(distinct(origin(sources))).label("independent_source_count"),
            func.min(claims.c.position).label("position"),
        )
        .select_from(
            claims.join(owner, owner.c.id == owner_id).join(
                sources, sources.c.id == claims.c.source_id
            )
        )
        .where(*conditions)
        .group_by(owner_id, owner.c.id, *(claims.c[column] for column in GROUP))
        .correlate_except(claims, owner, sources)
        .subquery("claims")
    )
    columns = {key: grouped.c[key] for key in ("id", *GROUP, "chosen", "independent_source_count")}
    return GroupedRows(grouped, grouped.c.parent, columns, (grouped.c.position, grouped.c.id))


def _values_differ(claims: FromClause) -> ColumnElement[bool]:
    """Over the claims on one field and item: more than one distinct value. For a scalar
    field null is a value (the source gives none); for an item it is the item as stored,
    which agrees with any value."""
    nulls = case(
        (claims.c.item.is_(None), cast(func.bool_or(claims.c.value.is_(None)), Integer)), else_=0
    )
    return func.count(distinct(claims.c.value)) + nulls > 1


def disputed_fields(entity: Entity, parent_match: ParentMatch) -> GroupedRows:
    """The fields of each owner whose claims, for one item, hold more than one value, under
    their read-API names, in order of first appearance (one column: `field`)."""
    stored = CLAIMS[entity]
    claims = stored.table.alias()
    owner_id = claims.c[stored.owner_column]
    per_item = (
        select(
            owner_id.label("parent"),
            claims.c.field,
            func.min(claims.c.position).label("position"),
        )
        .where(parent_match(owner_id))
        .group_by(owner_id, claims.c.field, claims.c.item)
        .having(_values_differ(claims))
        .correlate_except(claims)
        .subquery("disputed_items")
    )
    fields = (
        select(
            per_item.c.parent,
            shown_field(per_item).label("field"),
            func.min(per_item.c.position).label("position"),
        )
        .group_by(per_item.c.parent, per_item.c.field)
        .subquery("disputed")
    )
    return GroupedRows(
        fields, fields.c.parent, {"field": fields.c.field}, (fields.c.position, fields.c.field)
    )


def disputed(entity: Entity, owner_id: ColumnElement[UUID]) -> ColumnElement[bool]:
    """Whether some field of the owner is disputed (for filters)."""
    stored = CLAIMS[entity]
    claims = stored.table.alias()
    differing = (
        select(literal(1))
        .where(claims.c[stored.owner_column] == owner_id)
        .group_by(claims.c.field, claims.c.item)
        .having(_values_differ(claims))
    )
    return exists(differing.correlate_except(claims))
