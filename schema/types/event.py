"""Event: a meeting, call, summit or visit, with its participants, statements and context."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry

from api import vocabulary
from api.store.entities import Row
from schema.context import ConnectionArgs, RelatedArgs
from schema.enums import (
    DatePrecision,
    EventFormat,
    EventKind,
    EventRelationKind,
    EventStatus,
    ParticipationRole,
)
from schema.filters import UNSET, StatementFilter, optional_store_filter
from schema.ordering import StatementOrder, to_store_order
from schema.pagination import Connection, build_connection, given, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Info
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.participant import Participant
    from schema.types.source import Source
    from schema.types.statement import Statement
    from schema.types.topic import Topic
    from schema.types.treaty import Treaty

ParticipantType = Annotated["Participant", strawberry.lazy("schema.types.participant")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]
TopicType = Annotated["Topic", strawberry.lazy("schema.types.topic")]
TreatyType = Annotated["Treaty", strawberry.lazy("schema.types.treaty")]
SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]


@strawberry.type(description="Where an event took place.")
class Location:
    name: str = strawberry.field(description='The place, as the sources name it ("Beijing").')
    country_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The country the place is in, when known.")
    async def country(self, info: Info) -> ParticipantType | None:
        from schema.types.participant import Participant

        if self.country_id is None:
            return None
        row = await info.context.loaders.participants_by_id.load(self.country_id)
        return Participant.from_row(row) if row is not None else None


@strawberry.type(description="A participant of an event, with the part it played.")
class EventParticipation:
    participant: ParticipantType = strawberry.field(description="Who took part.")
    role: ParticipationRole = strawberry.field(description="The part they played.")


@strawberry.type(description="Another event related to this one, and how.")
class EventRelation:
    kind: EventRelationKind = strawberry.field(
        description="How this event relates to the other, read from this event "
        "(this event PRECEDES the other, …)."
    )
    event: "Event" = strawberry.field(description="The other event.")


@strawberry.type(description="Something that happened or is planned: a meeting, a call, a summit.")
class Event(Node):
    slug: str = strawberry.field(description="A stable, human-readable key, unique among events.")
    title: str = strawberry.field(description="The event's title, in its source's language.")
    summary: str | None = strawberry.field(description="A short account of the event.")
    kind: EventKind = strawberry.field(description="What kind of event it is.")
    format: EventFormat = strawberry.field(description="How the participants met.")
    status: EventStatus = strawberry.field(description="Whether it took place.")
    start_date: date = strawberry.field(
        description="The first day of the period the event is known to fall in."
    )
    end_date: date | None = strawberry.field(
        description="The last day of that period; null when it is one day."
    )
    date_precision: DatePrecision = strawberry.field(
        description='How precisely startDate is known ("premier semestre 2026" is HALF_YEAR).'
    )
    starts_at: datetime | None = strawberry.field(
        description="The start time, with its offset, when known."
    )
    duration_minutes: int | None = strawberry.field(description="How long it lasted, in minutes.")
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    location_name: strawberry.Private[str | None]
    location_country_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            slug=row["slug"],
            title=row["title"],
            summary=row["summary"],
            kind=EventKind(row["kind"]),
            format=EventFormat(row["format"]),
            status=EventStatus(row["status"]),
            start_date=row["start_date"],
            end_date=row["end_date"],
            date_precision=DatePrecision(row["date_precision"]),
            starts_at=row["starts_at"],
            duration_minutes=row["duration_minutes"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            location_name=row["location_name"],
            location_country_id=row["location_country_id"],
        )

    @strawberry.field(description="Where it took place, when known.")
    def location(self) -> Location | None:
        if self.location_name is None:
            return None
        return Location(name=self.location_name, country_id=self.location_country_id)

    @strawberry.field(description="Who took part, and in what role.")
    async def participants(
        self,
        info: Info,
        role: Annotated[
            ParticipationRole | None,
            strawberry.argument(description="Only the participants in this role."),
        ] = UNSET,
    ) -> list[EventParticipation]:
        from schema.types.participant import Participant

        chosen = given(role)
        args = RelatedArgs(role=vocabulary.ParticipationRole[chosen.name] if chosen else None)
        rows = await info.context.loaders.participations_by_event.load((self.uuid, args))
        return [
            EventParticipation(
                participant=Participant.from_row(row), role=ParticipationRole(row["role"])
            )
            for row in rows
        ]

    @strawberry.field(
        description="What was said at or about it; by default in the order of their source."
    )
    async def statements(
        self,
        info: Info,
        filter: Annotated[
            StatementFilter | None, strawberry.argument(description="Which statements to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[StatementOrder] | None,
            strawberry.argument(description="How to order them (default: POSITION)."),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[StatementType]:
        from schema.types.statement import Statement

        args = ConnectionArgs(
            filter=optional_store_filter(filter),
            order=to_store_order(order_by),
            page=page_request(first, after, last, before),
        )
        page = await info.context.loaders.statements_by_event.load((self.uuid, args))
        return build_connection(page, Statement.from_row)

    @strawberry.field(description="The topics discussed.")
    async def topics(self, info: Info) -> list[TopicType]:
        from schema.types.topic import Topic

        rows = await info.context.loaders.topics_by_event.load((self.uuid, RelatedArgs()))
        return [Topic.from_row(row) for row in rows]

    @strawberry.field(description="The treaties at stake.")
    async def treaties(self, info: Info) -> list[TreatyType]:
        from schema.types.treaty import Treaty

        rows = await info.context.loaders.treaties_by_event.load((self.uuid, RelatedArgs()))
        return [Treaty.from_row(row) for row in rows]

    @strawberry.field(
        description="Events related to this one, from either end of the relation, "
        "with the kind read from this event."
    )
    async def related_events(
        self,
        info: Info,
        kind: Annotated[
            EventRelationKind | None,
            strawberry.argument(description="Only the relations of this kind, as read from here."),
        ] = UNSET,
    ) -> list[EventRelation]:
        chosen = given(kind)
        args = RelatedArgs(
            relation_kind=vocabulary.EventRelationKind[chosen.name] if chosen else None
        )
        rows = await info.context.loaders.relations_by_event.load((self.uuid, args))
        return [
            EventRelation(kind=EventRelationKind(row["relation_kind"]), event=Event.from_row(row))
            for row in rows
        ]

    @strawberry.field(description="The documents it is reported in.")
    async def sources(self, info: Info) -> list[SourceType]:
        from schema.types.source import Source

        rows = await info.context.loaders.sources_by_event.load((self.uuid, RelatedArgs()))
        return [Source.from_row(row) for row in rows]
