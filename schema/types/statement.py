"""Statement: a direct quote or a reported position, as published in a source."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry

from api.store.entities import Row
from schema.context import RelatedArgs
from schema.enums import StatementKind
from schema.types.common import Info
from schema.types.node import Node
from schema.types.participant import Participant, participant_by_id

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.source import Source
    from schema.types.topic import Topic
    from schema.types.treaty import Treaty

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]
TopicType = Annotated["Topic", strawberry.lazy("schema.types.topic")]
TreatyType = Annotated["Treaty", strawberry.lazy("schema.types.treaty")]


@strawberry.type(description="A direct quote or a reported position, as published in a source.")
class Statement(Node):
    text: str = strawberry.field(description="The words as published, in their own language.")
    language: str = strawberry.field(description='The BCP 47 tag of the text, such as "fr".')
    kind: StatementKind = strawberry.field(description="A direct quote or a paraphrase.")
    said_on: date | None = strawberry.field(description="The day it was said, when known.")
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    speaker_id: strawberry.Private[UUID]
    reported_by_id: strawberry.Private[UUID | None]
    event_id: strawberry.Private[UUID | None]
    source_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            text=row["text"],
            language=row["language"],
            kind=StatementKind(row["kind"]),
            said_on=row["said_on"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            speaker_id=row["speaker_id"],
            reported_by_id=row["reported_by_id"],
            event_id=row["event_id"],
            source_id=row["source_id"],
        )

    @strawberry.field(description="Whose words or position it is.")
    async def speaker(self, info: Info) -> Participant:
        speaker = await participant_by_id(info, self.speaker_id)
        if speaker is None:
            raise LookupError(f"statement {self.uuid} has no speaker {self.speaker_id}")
        return speaker

    @strawberry.field(description="Who relayed it, when not the speaker (an aide, a broadcaster).")
    async def reported_by(self, info: Info) -> Participant | None:
        return await participant_by_id(info, self.reported_by_id)

    @strawberry.field(description="The event it was said at or about, if any.")
    async def event(self, info: Info) -> EventType | None:
        from schema.types.event import Event

        if self.event_id is None:
            return None
        row = await info.context.loaders.events_by_id.load(self.event_id)
        return Event.from_row(row) if row is not None else None

    @strawberry.field(description="The topics it is about.")
    async def topics(self, info: Info) -> list[TopicType]:
        from schema.types.topic import Topic

        rows = await info.context.loaders.topics_by_statement.load((self.uuid, RelatedArgs()))
        return [Topic.from_row(row) for row in rows]

    @strawberry.field(description="The participants it is about.")
    async def mentions(self, info: Info) -> list[Participant]:
        rows = await info.context.loaders.mentions_by_statement.load((self.uuid, RelatedArgs()))
        return [Participant.from_row(row) for row in rows]

    @strawberry.field(description="The treaties it is about.")
    async def treaties(self, info: Info) -> list[TreatyType]:
        from schema.types.treaty import Treaty

        rows = await info.context.loaders.treaties_by_statement.load((self.uuid, RelatedArgs()))
        return [Treaty.from_row(row) for row in rows]

    @strawberry.field(description="The document it was published in.")
    async def source(self, info: Info) -> SourceType:
        from schema.types.source import Source

        row = await info.context.loaders.sources_by_id.load(self.source_id)
        if row is None:
            raise LookupError(f"statement {self.uuid} has no source {self.source_id}")
        return Source.from_row(row)
