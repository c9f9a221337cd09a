"""The ordering inputs of the contract and their conversion to the store's `Order` values.

Each GraphQL enum value wraps the store's member of the same name. The store appends `id` to
every ordering so pages are stable; what it does by default is in docs/read-api-interface.md.
"""

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import strawberry

from api.store import ordering as store
from api.store.entities import Entity
from schema.filters import UNSET


@strawberry.enum(description="The direction of an ordering.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value(
        store.OrderDirection.ASC, description="Smallest, earliest, first in the alphabet first."
    )
    DESC = strawberry.enum_value(
        store.OrderDirection.DESC, description="Largest, latest, last in the alphabet first."
    )


_RELEVANCE = "How well it matches the filter's `search` text (DESC: best first); needs `search`."


@strawberry.enum(description="What events can be ordered by.")
class EventOrderField(Enum):
    START_DATE = strawberry.enum_value(
        store.EventOrderField.START_DATE, description="The first day of the event's period."
    )
    TITLE = strawberry.enum_value(store.EventOrderField.TITLE, description="The title.")
    UPDATED_AT = strawberry.enum_value(
        store.EventOrderField.UPDATED_AT, description="When it was last changed."
    )
    RELEVANCE = strawberry.enum_value(store.EventOrderField.RELEVANCE, description=_RELEVANCE)


@strawberry.enum(description="What statements can be ordered by.")
class StatementOrderField(Enum):
    POSITION = strawberry.enum_value(
        store.StatementOrderField.POSITION,
        description="The order in which statements appear in their source, so that a "
        "meeting's quotes read as the article tells them.",
    )
    SAID_ON = strawberry.enum_value(
        store.StatementOrderField.SAID_ON, description="The day it was said."
    )
    UPDATED_AT = strawberry.enum_value(
        store.StatementOrderField.UPDATED_AT, description="When it was last changed."
    )
    RELEVANCE = strawberry.enum_value(store.StatementOrderField.RELEVANCE, description=_RELEVANCE)


@strawberry.enum(description="What participants can be ordered by.")
class ParticipantOrderField(Enum):
    NAME = strawberry.enum_value(
        store.ParticipantOrderField.NAME, description="The primary name, ignoring case and accents."
    )
    UPDATED_AT = strawberry.enum_value(
        store.ParticipantOrderField.UPDATED_AT, description="When it was last changed."
    )


@strawberry.enum(description="What treaties can be ordered by.")
class TreatyOrderField(Enum):
    NAME = strawberry.enum_value(
        store.TreatyOrderField.NAME, description="The primary name, ignoring case and accents."
    )
    EXPIRES_ON = strawberry.enum_value(
        store.TreatyOrderField.EXPIRES_ON, description="The current expiry date."
    )
    UPDATED_AT = strawberry.enum_value(
        store.TreatyOrderField.UPDATED_AT, description="When it was last changed."
    )


_DIRECTION = "Ascending (the default) or descending."


@strawberry.input(description="One key of an ordering of events; later keys break ties.")
class EventOrder:
    field: EventOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One key of an ordering of statements; later keys break ties.")
class StatementOrder:
    field: StatementOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One key of an ordering of participants; later keys break ties.")
class ParticipantOrder:
    field: ParticipantOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One key of an ordering of treaties; later keys break ties.")
class TreatyOrder:
    field: TreatyOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


AnyOrder = EventOrder | StatementOrder | ParticipantOrder | TreatyOrder


def to_store_order(
    orders: Sequence[AnyOrder | Mapping[str, Any]] | None,
) -> tuple[store.Order, ...]:
    """The store's ordering for an `orderBy` argument; empty (the store's default) when left out.

    Each item is an order input as Strawberry hands it to a resolver, or as GraphQL coerces it
    for the compiled path (a dict).
    """
    if orders is UNSET or orders is None:
        return ()
    keys = [
        (order["field"], order["direction"])
        if isinstance(order, Mapping)
        else (order.field, order.direction)
        for order in orders
    ]
    return tuple(
        store.Order(field.value, store.OrderDirection[direction.name]) for field, direction in keys
    )


ORDER_INPUTS: dict[Entity, type] = {
    Entity.EVENT: EventOrder,
    Entity.STATEMENT: StatementOrder,
    Entity.PARTICIPANT: ParticipantOrder,
    Entity.TREATY: TreatyOrder,
}
