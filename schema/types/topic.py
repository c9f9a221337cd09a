"""Topic: a subject of events and statements, in a hierarchy, labelled in many languages."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry

from api.store.entities import Row
from api.store.names import best_name
from schema.context import ConnectionArgs, RelatedArgs
from schema.filters import UNSET
from schema.pagination import Connection, build_connection, given, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Info, LocalizedName
from schema.types.node import Node
from schema.types.participant import Language

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@strawberry.type(description="A subject events and statements are about, such as nuclear arms.")
class Topic(Node):
    slug: str = strawberry.field(description="A stable, human-readable key.")
    description: str | None = strawberry.field(description="What the topic covers.")
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    parent_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            slug=row["slug"],
            description=row["description"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            parent_id=row["parent_id"],
        )

    @strawberry.field(description="The best label in the language asked for, else the primary one.")
    async def label(self, info: Info, language: Language = UNSET) -> str:
        rows = await info.context.loaders.labels_by_topic.load((self.uuid, RelatedArgs()))
        return best_name(rows, given(language))

    @strawberry.field(description="Every label, in every language, the primary first.")
    async def labels(self, info: Info) -> list[LocalizedName]:
        rows = await info.context.loaders.labels_by_topic.load((self.uuid, RelatedArgs()))
        return [LocalizedName.from_row(row) for row in rows]

    @strawberry.field(description="The broader topic this one belongs to.")
    async def parent(self, info: Info) -> "Topic | None":
        if self.parent_id is None:
            return None
        row = await info.context.loaders.topics_by_id.load(self.parent_id)
        return Topic.from_row(row) if row is not None else None

    @strawberry.field(description="The narrower topics under this one.")
    async def children(self, info: Info) -> list["Topic"]:
        rows = await info.context.loaders.children_by_topic.load((self.uuid, RelatedArgs()))
        return [Topic.from_row(row) for row in rows]

    @strawberry.field(description="The events about it; the latest first.")
    async def events(
        self,
        info: Info,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[EventType]:
        from schema.types.event import Event

        args = ConnectionArgs(None, (), page_request(first, after, last, before))
        page = await info.context.loaders.events_by_topic.load((self.uuid, args))
        return build_connection(page, Event.from_row)

    @strawberry.field(description="The statements about it; the latest first.")
    async def statements(
        self,
        info: Info,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[StatementType]:
        from schema.types.statement import Statement

        args = ConnectionArgs(None, (), page_request(first, after, last, before))
        page = await info.context.loaders.statements_by_topic.load((self.uuid, args))
        return build_connection(page, Statement.from_row)
