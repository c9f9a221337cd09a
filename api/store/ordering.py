"""Orderings: the order fields of each entity, resolved into total sort keys ending in `id`.

NULLs sort last in both directions, so an undated statement never heads a "newest first" list.
The last key is always the id, in the direction of the key before it, so that every ordering is
total and a keyset cursor names exactly one position. See docs/read-api-interface.md.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Float, FromClause, func, select

from api.store.entities import ENTITIES, Entity
from api.store.errors import StoreInputError
from api.store.params import Param
from api.store.search import relevance


class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


class EventOrderField(Enum):
    START_DATE = "START_DATE"
    TITLE = "TITLE"
    UPDATED_AT = "UPDATED_AT"
    RELEVANCE = "RELEVANCE"


class StatementOrderField(Enum):
    POSITION = "POSITION"
    SAID_ON = "SAID_ON"
    UPDATED_AT = "UPDATED_AT"
    RELEVANCE = "RELEVANCE"


class ParticipantOrderField(Enum):
    NAME = "NAME"
    UPDATED_AT = "UPDATED_AT"


class TreatyOrderField(Enum):
    NAME = "NAME"
    EXPIRES_ON = "EXPIRES_ON"
    UPDATED_AT = "UPDATED_AT"


class TopicOrderField(Enum):
    """Not offered by the API (topics have one order); it keeps the mechanism uniform."""

    SLUG = "SLUG"


class SourceOrderField(Enum):
    """Not offered by the API (sources have one order); it keeps the mechanism uniform."""

    PUBLISHED_AT = "PUBLISHED_AT"


OrderField = (
    EventOrderField
    | StatementOrderField
    | ParticipantOrderField
    | TreatyOrderField
    | TopicOrderField
    | SourceOrderField
)


@dataclass(frozen=True)
class Order:
    field: OrderField
    direction: OrderDirection = OrderDirection.ASC


@dataclass(frozen=True)
class SortKey:
    """One key of a resolved ordering, bound to the entity's table."""

    label: str
    """The row key holding the value: the column name, or the label of a computed key."""
    expression: ColumnElement[Any]
    value_type: type
    nullable: bool
    descending: bool
    computed: bool
    """Not a column of the table: selected under `label` so that cursors can be made."""
    nulls_last: bool = True

    def reversed(self) -> "SortKey":
        """The key read backwards (for `last`): the other direction, NULLs first."""
        return replace(self, descending=not self.descending, nulls_last=not self.nulls_last)

    def order_clause(self) -> ColumnElement[Any]:
        clause = self.expression.desc() if self.descending else self.expression.asc()
        if not self.nullable:
            # No NULLS clause, so that a plain (key, id) index serves both directions.
            return clause
        return clause.nulls_last() if self.nulls_last else clause.nulls_first()


@dataclass(frozen=True)
class Ordering:
    """A total ordering bound to a table: its keys, the last one `id`."""

    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class KeyDefinition:
    label: str
    value_type: type
    nullable: bool
    build: Callable[[FromClause, Param | None], ColumnElement[Any]]
    computed: bool = False


def column_key(name: str, value_type: type, *, nullable: bool = False) -> KeyDefinition:
    return KeyDefinition(name, value_type, nullable, lambda table, _search: table.c[name])


def primary_name_key(entity: Entity) -> KeyDefinition:
    """The folded primary name or label: "Élysée" sorts with "elysee", whatever the collation."""
    names = ENTITIES[entity].names
    assert names is not None

    def build(table: FromClause, _search: Param | None) -> ColumnElement[Any]:
        name = names.names.alias()
        return (
            select(func.eventgraph_fold(name.c.value))
            .where(name.c[names.owner_column] == table.c.id, name.c.is_primary)
            .scalar_subquery()
        )

    return KeyDefinition("sort_name", str, True, build, computed=True)


def relevance_key(entity: Entity) -> KeyDefinition:
    def build(table: FromClause, search: Param | None) -> ColumnElement[Any]:
        assert search is not None, "ordering_shape refuses RELEVANCE without a search"
        return relevance(entity, table, search).cast(Float)

    return KeyDefinition("rank", float, False, build, computed=True)


UPDATED_AT_KEY = column_key("updated_at", datetime)
RELEVANCE = "How well it matches the filter's `search` text (DESC: best first); needs `search`."
UPDATED = "When it was last changed."


@dataclass(frozen=True)
class OrderKey:
    """One way to order an entity: how its sort key is built, and what it means (the
    documentation of the API's order field)."""

    definition: KeyDefinition
    description: str = ""


@dataclass(frozen=True)
class EntityOrdering:
    """What an entity can be ordered by: its order fields, each key, its default order, and
    whether the API lets a client choose (`orderBy`); a RELEVANCE key, where there is one, is
    the order of a search."""

    fields: type[Enum]
    keys: Mapping[OrderField, OrderKey]
    default: tuple[Order, ...]
    offered: bool = True


ORDERINGS: Mapping[Entity, EntityOrdering] = {
    Entity.EVENT: EntityOrdering(
        EventOrderField,
        {
            EventOrderField.START_DATE: OrderKey(
                column_key("start_date", date), "The first day of the event's period."
            ),
            EventOrderField.TITLE: OrderKey(column_key("title", str), "The title."),
            EventOrderField.UPDATED_AT: OrderKey(UPDATED_AT_KEY, UPDATED),
            EventOrderField.RELEVANCE: OrderKey(relevance_key(Entity.EVENT), RELEVANCE),
        },
        (Order(EventOrderField.START_DATE, OrderDirection.DESC),),
    ),
    Entity.STATEMENT: EntityOrdering(
        StatementOrderField,
        {
            StatementOrderField.POSITION: OrderKey(
                column_key("position", int),
                "The order in which statements appear in their source, so that a meeting's "
                "quotes read as the article tells them.",
            ),
            StatementOrderField.SAID_ON: OrderKey(
                column_key("said_on", date, nullable=True), "The day it was said."
            ),
            StatementOrderField.UPDATED_AT: OrderKey(UPDATED_AT_KEY, UPDATED),
            StatementOrderField.RELEVANCE: OrderKey(relevance_key(Entity.STATEMENT), RELEVANCE),
        },
        (Order(StatementOrderField.SAID_ON, OrderDirection.DESC),),
    ),
    Entity.PARTICIPANT: EntityOrdering(
        ParticipantOrderField,
        {
            ParticipantOrderField.NAME: OrderKey(
                primary_name_key(Entity.PARTICIPANT),
                "The primary name, ignoring case and accents.",
            ),
            ParticipantOrderField.UPDATED_AT: OrderKey(UPDATED_AT_KEY, UPDATED),
        },
        (Order(ParticipantOrderField.NAME),),
    ),
    Entity.TREATY: EntityOrdering(
        TreatyOrderField,
        {
            TreatyOrderField.NAME: OrderKey(
                primary_name_key(Entity.TREATY), "The primary name, ignoring case and accents."
            ),
            TreatyOrderField.EXPIRES_ON: OrderKey(
                column_key("expires_on", date, nullable=True), "The current expiry date."
            ),
            TreatyOrderField.UPDATED_AT: OrderKey(UPDATED_AT_KEY, UPDATED),
        },
        (Order(TreatyOrderField.NAME),),
    ),
    Entity.TOPIC: EntityOrdering(
        TopicOrderField,
        {TopicOrderField.SLUG: OrderKey(column_key("slug", str))},
        (Order(TopicOrderField.SLUG),),
        offered=False,
    ),
    Entity.SOURCE: EntityOrdering(
        SourceOrderField,
        {
            SourceOrderField.PUBLISHED_AT: OrderKey(
                column_key("published_at", datetime, nullable=True)
            )
        },
        (Order(SourceOrderField.PUBLISHED_AT, OrderDirection.DESC),),
        offered=False,
    ),
}
"""Each entity's orderings, declared once: the store's keys and defaults, and the API's order
inputs (`schema.ordering`), derive from it."""

KEYS: Mapping[OrderField, KeyDefinition] = {
    field: key.definition for ordering in ORDERINGS.values() for field, key in ordering.keys.items()
}
ORDER_FIELDS: Mapping[Entity, type[Enum]] = {
    entity: ordering.fields for entity, ordering in ORDERINGS.items()
}
DEFAULT_ORDERS: Mapping[Entity, tuple[Order, ...]] = {
    entity: ordering.default for entity, ordering in ORDERINGS.items()
}
RELEVANCE_ORDERS: Mapping[Entity, Order] = {
    entity: Order(field, OrderDirection.DESC)
    for entity, ordering in ORDERINGS.items()
    for field, key in ordering.keys.items()
    if key.definition.label == "rank"
}


@dataclass(frozen=True)
class OrderingShape:
    """An ordering before it meets a table: its order items, defaults resolved. Hashable; what
    `resolve_ordering` needs to build the sort keys, and what cursors are checked against."""

    entity: Entity
    items: tuple[Order, ...]

    @property
    def ranks(self) -> bool:
        """Whether a key is RELEVANCE, which needs the search text."""
        return any(KEYS[item.field].label == "rank" for item in self.items)

    def key_definitions(self) -> list[KeyDefinition]:
        """The definitions of the keys, without the final `id`."""
        return [KEYS[item.field] for item in self.items]


def ordering_shape(
    entity: Entity,
    order: Sequence[Order],
    *,
    search: bool,
    default: Sequence[Order] | None = None,
) -> OrderingShape:
    """The ordering `order` asks for on `entity`, checked.

    Without `order`: RELEVANCE DESC when the filter has a search text, else `default`, else the
    entity's default. RELEVANCE needs the search; a field may appear once.
    """
    if not order:
        relevance_order = RELEVANCE_ORDERS.get(entity)
        if search and relevance_order is not None:
            order = (relevance_order,)
        else:
            order = default or DEFAULT_ORDERS[entity]
    seen: set[OrderField] = set()
    for item in order:
        if not isinstance(item.field, ORDER_FIELDS[entity]):
            raise TypeError(f"{item.field!r} does not order {entity.name}")
        if item.field in seen:
            raise StoreInputError(f"the ordering names {item.field.name} twice")
        seen.add(item.field)
    shape = OrderingShape(entity, tuple(order))
    if shape.ranks and not search:
        raise StoreInputError("ordering by RELEVANCE needs a search text in the filter")
    return shape


def ordering_tag(shape: OrderingShape, scope: str, search: str | None) -> str:
    """The tag cursors of this ordering carry: `scope` names the connection, and the order (and
    the search text under RELEVANCE) follow, so that a cursor only works where it was made."""
    signature = [scope, *(f"{item.field.name}:{item.direction.name}" for item in shape.items)]
    if shape.ranks:
        signature.append(search or "")
    return hashlib.blake2b("|".join(signature).encode(), digest_size=4).hexdigest()


def resolve_ordering(
    shape: OrderingShape, table: FromClause | None = None, search: Param | None = None
) -> Ordering:
    """The sort keys of `shape` on `table` (the entity's table or an alias of it), `id` last."""
    table = ENTITIES[shape.entity].table if table is None else table
    keys: list[SortKey] = []
    for item in shape.items:
        definition = KEYS[item.field]
        keys.append(
            SortKey(
                label=definition.label,
                expression=definition.build(table, search),
                value_type=definition.value_type,
                nullable=definition.nullable,
                descending=item.direction is OrderDirection.DESC,
                computed=definition.computed,
            )
        )
    keys.append(SortKey("id", table.c.id, UUID, False, keys[-1].descending, False))
    return Ordering(tuple(keys))
