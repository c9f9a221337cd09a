"""Participant: a person, an organisation or a country, with its names, roles and record."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry

from api.store.entities import Row
from api.store.names import best_name
from schema.context import ConnectionArgs, RelatedArgs
from schema.enums import ParticipantKind
from schema.filters import UNSET, EventFilter, StatementFilter, optional_store_filter
from schema.ordering import EventOrder, StatementOrder, to_store_order
from schema.pagination import Connection, build_connection, given, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Info, LocalizedName
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement
    from schema.types.treaty import Treaty

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]
TreatyType = Annotated["Treaty", strawberry.lazy("schema.types.treaty")]

Language = Annotated[
    str | None,
    strawberry.argument(
        description='A BCP 47 tag such as "fr" or "fr-CA": the name in that language (or in its '
        "primary language), else the primary name."
    ),
]


async def participant_by_id(info: Info, key: UUID | None) -> "Participant | None":
    """The participant with id `key`, through the request's loader."""
    if key is None:
        return None
    row = await info.context.loaders.participants_by_id.load(key)
    return Participant.from_row(row) if row is not None else None


@strawberry.type(description="A position a participant held, over a period.")
class ParticipantRole:
    title: str = strawberry.field(description='The title of the position ("président").')
    start_date: date | None = strawberry.field(description="When it began, when known.")
    end_date: date | None = strawberry.field(description="When it ended; null while it lasts.")
    organization_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The organisation or country the position is in.")
    async def organization(self, info: Info) -> "Participant | None":
        return await participant_by_id(info, self.organization_id)


@strawberry.type(description="A person, an organisation or a country that takes part in events.")
class Participant(Node):
    slug: str = strawberry.field(description="A stable, human-readable key.")
    kind: ParticipantKind = strawberry.field(description="A person, organisation or country.")
    description: str | None = strawberry.field(description="Who or what this is, briefly.")
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    country_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            slug=row["slug"],
            kind=ParticipantKind(row["kind"]),
            description=row["description"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            country_id=row["country_id"],
        )

    @strawberry.field(description="The best name in the language asked for, else the primary name.")
    async def name(self, info: Info, language: Language = UNSET) -> str:
        rows = await info.context.loaders.names_by_participant.load((self.uuid, RelatedArgs()))
        return best_name(rows, given(language))

    @strawberry.field(description="Every name and alias, in every language, the primary first.")
    async def names(self, info: Info) -> list[LocalizedName]:
        rows = await info.context.loaders.names_by_participant.load((self.uuid, RelatedArgs()))
        return [LocalizedName.from_row(row) for row in rows]

    @strawberry.field(description="The country a person or organisation belongs to.")
    async def country(self, info: Info) -> "Participant | None":
        return await participant_by_id(info, self.country_id)

    @strawberry.field(description="The positions held, over time.")
    async def roles(self, info: Info) -> list[ParticipantRole]:
        rows = await info.context.loaders.roles_by_participant.load((self.uuid, RelatedArgs()))
        return [
            ParticipantRole(
                title=row["title"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                organization_id=row["organization_id"],
            )
            for row in rows
        ]

    @strawberry.field(description="The events it took part in; by default the latest first.")
    async def events(
        self,
        info: Info,
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[EventOrder] | None,
            strawberry.argument(description="How to order them (default: START_DATE DESC)."),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[EventType]:
        from schema.types.event import Event

        args = ConnectionArgs(
            filter=optional_store_filter(filter),
            order=to_store_order(order_by),
            page=page_request(first, after, last, before),
        )
        page = await info.context.loaders.events_by_participant.load((self.uuid, args))
        return build_connection(page, Event.from_row)

    @strawberry.field(description="What it said, as the speaker; by default the latest first.")
    async def statements(
        self,
        info: Info,
        filter: Annotated[
            StatementFilter | None, strawberry.argument(description="Which statements to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[StatementOrder] | None,
            strawberry.argument(description="How to order them (default: SAID_ON DESC)."),
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
        page = await info.context.loaders.statements_by_participant.load((self.uuid, args))
        return build_connection(page, Statement.from_row)

    @strawberry.field(description="The treaties it is a party to.")
    async def treaties(self, info: Info) -> list[TreatyType]:
        from schema.types.treaty import Treaty

        rows = await info.context.loaders.treaties_by_participant.load((self.uuid, RelatedArgs()))
        return [Treaty.from_row(row) for row in rows]
