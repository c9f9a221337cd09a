"""The change feed and history: `Change`, `FieldChange`, `ChangeOp`, `ChangeConnection`, and the
fields that read them, `Query.changes` and `history` on every node (`api.store.changes`).

A change's `fields` are named as the change log stores them (see docs/partners.md, "Keeping in
sync"): the column, or the owned list (`participants`, `names`...), with the stored values.
"""
# mypy: disable-error-code="untyped-decorator"

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from api import vocabulary
from api.store.changes import ChangePage, FeedPosition, HistoryPosition
from api.store.entities import ENTITIES, Entity
from api.store.pagination import Page
from schema.context import Info
from schema.enums import SearchType
from schema.fields import (
    ENTITY_CLASSES,
    READ,
    ChangesRead,
    ColumnRead,
    PagePartRead,
    RowObject,
    column,
    given,
    load_rows_by_id,
    loader_for,
)
from schema.global_ids import encode_global_id
from schema.pagination import Edge, PageInfo

if TYPE_CHECKING:
    from schema.types.node import Node

PAGE_PART = {READ: PagePartRead()}
"""A field of a feed page or of one of its changes: the compiled path reads it with its page,
by its name (`schema.execution.compiler`)."""
NodeType = Annotated["Node", strawberry.lazy("schema.types.node")]
UNSET = strawberry.UNSET


@strawberry.enum(description="What a change did to a node.")
class ChangeOp(Enum):
    CREATE = strawberry.enum_value(vocabulary.ChangeOp.CREATE, description="It was created.")
    UPDATE = strawberry.enum_value(
        vocabulary.ChangeOp.UPDATE, description="Some of its fields or lists changed."
    )
    DELETE = strawberry.enum_value(
        vocabulary.ChangeOp.DELETE, description="It was deleted: `node` is null (a tombstone)."
    )


@strawberry.type(description="One field of a node as a change found it and left it.")
class FieldChange:
    name: str = strawberry.field(
        metadata={READ: ColumnRead("name")},
        description="The field as the change log names it: a column (`duration_minutes`, "
        "`speaker_id`) or an owned list (`participants`, `names`), as in the fixture files.",
    )
    before: JSON | None = strawberry.field(
        metadata={READ: ColumnRead("before")},
        description="Its value before (null for a CREATE); a list is the sorted list of its items.",
    )
    after: JSON | None = strawberry.field(
        description="Its value after (null for a DELETE).", metadata={READ: ColumnRead("after")}
    )


@strawberry.type(
    description="What one transaction did to one node: created, changed or deleted it."
)
class Change(RowObject):
    change_cursor: strawberry.Private[str]

    @strawberry.field(
        description="Opaque position of this change; pass it as `after`.", metadata=PAGE_PART
    )
    def cursor(self) -> str:
        return self.change_cursor

    @strawberry.field(description="What the change did.", metadata={READ: ColumnRead("op")})
    def op(self) -> ChangeOp:
        return ChangeOp[self.row["op"]]

    @strawberry.field(description="The type of the node.", metadata={READ: ColumnRead("type")})
    def type(self) -> SearchType:
        return SearchType[self.row["type"]]

    @strawberry.field(
        description="The global ID of the node, also after it was deleted.", metadata=PAGE_PART
    )
    def node_id(self) -> strawberry.ID:
        spec = ENTITIES[Entity(self.row["type"])]
        return strawberry.ID(encode_global_id(spec.type_name, self.row["node_id"]))

    version: int = column(
        "The node's version after the change (a DELETE: one more than its last). Versions of "
        "one node rise with each change: keep the highest you have seen."
    )
    changed_at: datetime = column("When the transaction that made it began.")
    actor: str | None = column(
        'Who made it: the API key\'s name, "fixtures load (user)", or the database user.'
    )

    @strawberry.field(
        description="The fields it changed, with their values before and after.",
        metadata=PAGE_PART,
    )
    def fields(self) -> list[FieldChange]:
        return [
            FieldChange(name=name, before=values["before"], after=values["after"])
            for name, values in sorted(self.row["fields"].items())
        ]

    @strawberry.field(
        description="The node as it is now (not as the change left it), read like "
        "`Query.node`; null once it is deleted: a DELETE is a tombstone.",
        metadata=PAGE_PART,
    )
    async def node(self, info: Info) -> NodeType | None:
        if self.row["op"] == vocabulary.ChangeOp.DELETE:
            return None
        entity = Entity(self.row["type"])
        row = await load_rows_by_id(info, entity, self.row["node_id"])
        return cast("Node", ENTITY_CLASSES[entity](row=row)) if row is not None else None


@strawberry.type(description="A page of changes, with the cursor to read on from.")
class ChangeConnection:
    page: strawberry.Private[ChangePage]

    @strawberry.field(description="The changes of the page, in order.", metadata=PAGE_PART)
    def nodes(self) -> list[Change]:
        return [
            Change(row=row, change_cursor=cursor)
            for row, cursor in zip(self.page.rows, self.page.cursors, strict=True)
        ]

    @strawberry.field(
        description="The changes of the page with their cursors, in order.", metadata=PAGE_PART
    )
    def edges(self) -> list[Edge[Change]]:
        return [Edge(item=change, item_cursor=change.change_cursor) for change in self.nodes()]

    @strawberry.field(
        description="Where the page sits. `endCursor` is where to read on from, also when the "
        "page is empty (then it is where the reader stands).",
        metadata=PAGE_PART,
    )
    def page_info(self) -> PageInfo:
        page = self.page
        start = page.cursors[0] if page.cursors else None
        return PageInfo(
            page=Page(page.rows, page.cursors, page.has_next_page, False, start, page.end_cursor, 0)
        )


First = Annotated[
    int | None,
    strawberry.argument(description="At most this many changes (at most 100; default 20)."),
]


async def _changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="Read on from this cursor (a change's, a page's `endCursor`, or the "
            "one an export ends with); from the beginning of the log without it."
        ),
    ] = UNSET,
    types: Annotated[
        list[SearchType] | None,
        strawberry.argument(description="Only changes of nodes of these types (default: all)."),
    ] = UNSET,
    first: First = UNSET,
) -> ChangeConnection:
    cursor, chosen = given(after), given(types)
    position = None if cursor is None else FeedPosition.of_cursor(cursor)
    entities = None if chosen is None else [item.value for item in chosen]
    page = await info.context.store.changes(position, entities, given(first))
    return ChangeConnection(page=page)


changes_field: Any = strawberry.field(
    resolver=_changes,
    description="The change feed: every change of the corpus, in the order of the transactions "
    "that made them, up to the oldest transaction still running (a change that commits later "
    "is never skipped). Follow it with `after`: each change comes once. Replaying it from the "
    "beginning and keeping the highest version of each node gives the corpus.",
    metadata={READ: ChangesRead(history=False)},
)
"""`Query.changes`."""


async def _history(
    root: RowObject,
    info: Info,
    first: First = UNSET,
    after: Annotated[
        str | None,
        strawberry.argument(description="Return the changes older than this cursor."),
    ] = UNSET,
) -> ChangeConnection:
    cursor, size = given(after), given(first)
    before = None if cursor is None else HistoryPosition.of_cursor(cursor)

    async def load(ids: list[UUID]) -> list[ChangePage]:
        pages = await info.context.store.history(ids, before, size)
        return [pages[item] for item in ids]

    loader = loader_for(info, ("history", before, size), lambda: DataLoader(load_fn=load))
    return ChangeConnection(page=await loader.load(root.row["id"]))


history_field: Any = strawberry.field(
    resolver=_history,
    description="Its changes, newest first: who made each, when, the version it made, and the "
    "fields before and after.",
    metadata={READ: ChangesRead(history=True)},
)
"""`history` of every node, declared once on the `Node` interface."""
