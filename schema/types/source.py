"""Source: a published document (a news article) that events and statements are taken from."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from api.store.entities import Row
from schema.context import ConnectionArgs, RelatedArgs
from schema.filters import UNSET
from schema.pagination import Connection, build_connection, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Info
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@strawberry.type(description="A published document that events and statements are taken from.")
class Source(Node):
    slug: str = strawberry.field(description="A stable, human-readable key.")
    url: str | None = strawberry.field(description="Where it was published, when online.")
    title: str = strawberry.field(description="Its title, as published.")
    publisher: str = strawberry.field(description='Who published it ("Euronews").')
    language: str = strawberry.field(description='The BCP 47 tag of its language, such as "fr".')
    published_at: datetime | None = strawberry.field(description="When it was published.")
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            slug=row["slug"],
            url=row["url"],
            title=row["title"],
            publisher=row["publisher"],
            language=row["language"],
            published_at=row["published_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description="The events it reports, in date order.")
    async def events(self, info: Info) -> list[EventType]:
        from schema.types.event import Event

        rows = await info.context.loaders.events_by_source.load((self.uuid, RelatedArgs()))
        return [Event.from_row(row) for row in rows]

    @strawberry.field(description="The statements it reports, in the order it tells them.")
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
        page = await info.context.loaders.statements_by_source.load((self.uuid, args))
        return build_connection(page, Statement.from_row)
