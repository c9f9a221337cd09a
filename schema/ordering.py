"""The ordering inputs of the contract and their conversion to the store's `Order` values.

Each GraphQL enum value wraps the store's member of the same name. The store appends `id` to
every ordering so pages are stable; what it does by default is in docs/read-api-interface.md.
"""

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, cast

import strawberry

from api.store import ordering as store
from api.store.entities import ENTITIES, Entity
from schema.filters import UNSET


@strawberry.enum(description="The direction of an ordering.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value(
        store.OrderDirection.ASC, description="Smallest, earliest, first in the alphabet first."
    )
    DESC = strawberry.enum_value(
        store.OrderDirection.DESC, description="Largest, latest, last in the alphabet first."
    )


_DIRECTION = "Ascending (the default) or descending."


def _order_field(entity: Entity) -> Any:
    """`EventOrderField` and the like: each value wraps the store's order field of its name."""
    spec, ordering = ENTITIES[entity], store.ORDERINGS[entity]
    members = {
        field.name: strawberry.enum_value(field, description=key.description)
        for field, key in ordering.keys.items()
    }
    return strawberry.enum(
        cast("type[Enum]", Enum(f"{spec.type_name}OrderField", members)),
        description=f"What {spec.plural} can be ordered by.",
    )


def _order_input(entity: Entity) -> type:
    """`EventOrder` and the like: one key of an ordering, and its direction."""
    spec = ENTITIES[entity]
    namespace = {
        "__module__": __name__,
        "__annotations__": {"field": _order_field(entity), "direction": OrderDirection},
        "field": strawberry.field(description="What to order by."),
        "direction": strawberry.field(default=OrderDirection.ASC, description=_DIRECTION),
    }
    return strawberry.input(
        type(f"{spec.type_name}Order", (), namespace),
        description=f"One key of an ordering of {spec.plural}; later keys break ties.",
    )


ORDER_INPUTS: Mapping[Entity, type] = {
    entity: _order_input(entity) for entity, ordering in store.ORDERINGS.items() if ordering.offered
}
"""The order input of each entity whose ordering the API offers, from `api.store.ordering`."""


def to_store_order(
    orders: Sequence[Any] | None,
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
