"""The one connection builder: a store `Page` of rows becomes an XConnection of GraphQL objects.

Every connection of the contract (EventConnection, StatementConnection, …) is `Connection[X]`;
Strawberry names the generic after its node type, so the names are the contract's.
"""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from api.store.entities import Row
from api.store.pagination import Page, PageRequest

NodeT = TypeVar("NodeT")
ArgT = TypeVar("ArgT")


@strawberry.type(description="Where a page sits in its list, and the cursors to move from it.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow this page (with `first`); see the Relay specification."
    )
    has_previous_page: bool = strawberry.field(
        description="More items precede this page (with `last`); see the Relay specification."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item of the page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item of the page; null when the page is empty."
    )


@strawberry.type(description="An item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item; pass it as `after` or `before`."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a list that may be long: its items, where it sits, and how many "
    "items the whole list has. Pages are keyset-based and stable under inserts."
)
class Connection(Generic[NodeT]):
    nodes: list[NodeT] = strawberry.field(description="The items of the page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page sits in the list.")
    total_count: int = strawberry.field(
        description="How many items the whole filtered list has, whatever the page."
    )
    cursors: strawberry.Private[Sequence[str]]

    @strawberry.field(description="The items of the page with their cursors, in order.")
    def edges(self) -> list[Edge[NodeT]]:
        return [
            Edge(cursor=cursor, node=node)
            for cursor, node in zip(self.cursors, self.nodes, strict=True)
        ]


def build_connection(page: Page, to_node: Callable[[Row], NodeT]) -> Connection[NodeT]:
    """The connection for a store page, each row turned into its GraphQL object."""
    return Connection(
        nodes=[to_node(row) for row in page.rows],
        cursors=page.cursors,
        total_count=page.total_count,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
    )


def given(value: ArgT | None) -> ArgT | None:
    """An optional argument's value, None when it was left out (UNSET) or null."""
    return None if value is strawberry.UNSET else value


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """The store's page request for a connection's arguments (the store checks them)."""
    return PageRequest(
        first=given(first), after=given(after), last=given(last), before=given(before)
    )
