"""The one connection shape: every XConnection of the contract is `Connection[X]`.

Strawberry names the generic after its node type, so the names are the contract's. A page is
loaded by `load_page`, for a root list (one store call) or under a parent (through the request's
DataLoader for that connection and argument set: one store call for all the parents of a tick).
"""
# mypy: disable-error-code="untyped-decorator"

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from api.store.entities import ENTITIES, Entity
from api.store.ordering import DEFAULT_ORDERS, RELEVANCE_ORDERS, Order
from api.store.pagination import Page, PageRequest
from api.store.relations import CONNECTIONS
from api.store.relations import Connection as StoreConnection
from schema.context import Info
from schema.fields import (
    ENTITY_CLASSES,
    ConnectionRead,
    RowObject,
    declared,
    given,
    loader_for,
    page_part,
)
from schema.filters import FILTER_INPUTS, frozen, optional_store_filter
from schema.ordering import ORDER_INPUTS, to_store_order

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page sits in its list, and the cursors to move from it.")
class PageInfo:
    page: strawberry.Private[Page]

    has_next_page: bool = page_part(
        "More items follow this page (with `first`); see the Relay specification.",
        lambda root: root.page.has_next_page,
    )
    has_previous_page: bool = page_part(
        "More items precede this page (with `last`); see the Relay specification.",
        lambda root: root.page.has_previous_page,
    )
    start_cursor: str | None = page_part(
        "The cursor of the first item of the page; null when the page is empty.",
        lambda root: root.page.start_cursor,
    )
    end_cursor: str | None = page_part(
        "The cursor of the last item of the page; null when the page is empty.",
        lambda root: root.page.end_cursor,
    )


@strawberry.type(description="An item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    item: strawberry.Private[RowObject]
    item_cursor: strawberry.Private[str]

    cursor: str = page_part(
        "Opaque position of this item; pass it as `after` or `before`.",
        lambda root: root.item_cursor,
    )
    node: NodeT = page_part("The item.", lambda root: root.item)


@strawberry.type(
    description="A page of a list that may be long: its items, where it sits, and how many "
    "items the whole list has. Pages are keyset-based and stable under inserts."
)
class Connection(Generic[NodeT]):
    page: strawberry.Private[Page]
    node_class: strawberry.Private[type[RowObject]]

    nodes: list[NodeT] = page_part(
        "The items of the page, in order.",
        lambda root: [root.node_class(row=row) for row in root.page.rows],
    )
    edges: list[Edge[NodeT]] = page_part(
        "The items of the page with their cursors, in order.",
        lambda root: [
            Edge(item=root.node_class(row=row), item_cursor=cursor)
            for row, cursor in zip(root.page.rows, root.page.cursors, strict=True)
        ],
    )
    page_info: PageInfo = page_part(
        "Where the page sits in the list.", lambda root: PageInfo(page=root.page)
    )
    total_count: int = page_part(
        "How many items the whole filtered list has, whatever the page.",
        lambda root: root.page.total_count,
    )


def page_request(arguments: Mapping[str, Any]) -> PageRequest:
    """The store's page request for a connection's arguments (the store checks them)."""
    return PageRequest(
        first=given(arguments.get("first")),
        after=given(arguments.get("after")),
        last=given(arguments.get("last")),
        before=given(arguments.get("before")),
    )


async def load_page(
    info: Info,
    entity: Entity,
    connection: StoreConnection | None,
    parent_id: UUID | None,
    arguments: Mapping[str, Any],
) -> Connection[Any]:
    """The page a connection field's `arguments` ask for: of all `entity` rows (a root list),
    or of `connection` under `parent_id`."""
    store = info.context.store
    filter = optional_store_filter(arguments.get("filter"))
    order = to_store_order(arguments.get("order_by"))
    page = page_request(arguments)
    if connection is None:
        found = await store.list(entity, filter, order, page)
        return Connection(page=found, node_class=ENTITY_CLASSES[entity])

    async def load(keys: list[UUID]) -> list[Page]:
        pages = await store.list_by_parent(connection, keys, filter, order, page)
        return [pages[key] for key in keys]

    key: Hashable = ("page", connection, frozen(filter), order, page)
    loader = loader_for(info, key, lambda: DataLoader(load_fn=load))
    assert parent_id is not None
    found = cast(Page, await loader.load(parent_id))
    return Connection(page=found, node_class=ENTITY_CLASSES[entity])


# ---------------------------------------------------------------- connection fields


def describe_order(orders: Sequence[Order]) -> str:
    return ", ".join(
        order.field.name + (" DESC" if order.direction.name == "DESC" else "") for order in orders
    )


def connection_arguments(
    entity: Entity, default_order: Sequence[Order], *, filterable: bool, orderable: bool
) -> list[StrawberryArgument]:
    """The arguments of a connection of `entity`: its filter and ordering when it offers them,
    then first/after/last/before. Their descriptions come from the declarations."""
    spec = ENTITIES[entity]
    arguments: list[StrawberryArgument] = []

    def add(name: str, annotation: Any, description: str) -> None:
        arguments.append(
            StrawberryArgument(
                python_name=name,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(annotation),
                description=description,
                default=strawberry.UNSET,
            )
        )

    if filterable:
        add("filter", FILTER_INPUTS[entity] | None, f"Which {spec.plural} to keep.")
    if orderable:
        default = f"default: {describe_order(default_order)}"
        if entity in RELEVANCE_ORDERS:
            default += (
                f"; {describe_order([RELEVANCE_ORDERS[entity]])} when the filter has a search"
            )
        add("order_by", list[ORDER_INPUTS[entity]] | None, f"How to order them ({default}).")  # type: ignore[valid-type]
    for name, (annotation, description) in PAGE_ARGUMENTS.items():
        add(name, annotation, description)
    return arguments


PAGE_ARGUMENTS: dict[str, tuple[Any, str]] = {
    "first": (
        int | None,
        "Return the first n items (at most 100; 20 when neither first nor last is given).",
    ),
    "after": (str | None, "Return the items after this cursor."),
    "last": (int | None, "Return the last n items (at most 100)."),
    "before": (str | None, "Return the items before this cursor."),
}
"""The arguments every connection field takes, described once."""


class ConnectionArguments(FieldExtension):
    """Gives a connection field the arguments its declaration implies (Strawberry's documented
    way to change a field's arguments), and hands their values to the resolver as one mapping:
    the resolver reads what it needs, and the compiled path reads the same arguments."""

    def __init__(self, arguments: list[StrawberryArgument]) -> None:
        self.arguments = arguments

    def apply(self, field: StrawberryField) -> None:
        field.arguments = self.arguments

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        # kwargs also hold what the resolver asked for by name (its `root`), which stays.
        names = {argument.python_name for argument in self.arguments}
        arguments = {name: value for name, value in kwargs.items() if name in names}
        passed = {name: value for name, value in kwargs.items() if name not in names}
        return await next_(source, info, arguments=arguments, **passed)


def connection(
    connection_name: StoreConnection, description: str, *, filterable: bool = False
) -> Any:
    """A page of the `connection` under the row (filter and orderBy when `filterable`)."""
    spec = CONNECTIONS[connection_name]
    entity = spec.relation.target
    default_order = spec.default_order or DEFAULT_ORDERS[entity]

    async def resolve(root: RowObject, info: Info, arguments: Mapping[str, Any]) -> Any:
        return await load_page(info, entity, connection_name, root.row["id"], arguments)

    extension = ConnectionArguments(
        connection_arguments(entity, default_order, filterable=filterable, orderable=filterable)
    )
    return declared(ConnectionRead(entity, connection_name), description, resolve, extension)


def root_connection(
    entity: Entity, description: str, *, graphql_type: Any, orderable: bool = True
) -> Any:
    """A page of all of `entity` (`Query.events`, …), filterable; `graphql_type` is its
    connection type."""

    async def resolve(root: Any, info: Info, arguments: Mapping[str, Any]) -> Any:
        return await load_page(info, entity, None, None, arguments)

    extension = ConnectionArguments(
        connection_arguments(entity, DEFAULT_ORDERS[entity], filterable=True, orderable=orderable)
    )
    return declared(ConnectionRead(entity, None), description, resolve, extension, graphql_type)
