"""Treaty: an agreement between parties, with its names, milestones and status over time."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

import datetime as dt
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry

from api.store.entities import Row
from api.store.names import best_name
from api.store.treaties import treaty_status
from schema.context import ConnectionArgs, RelatedArgs
from schema.enums import TreatyMilestoneKind, TreatyStatus
from schema.filters import UNSET
from schema.pagination import Connection, build_connection, given, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Info, LocalizedName
from schema.types.node import Node
from schema.types.participant import Language, Participant

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@strawberry.type(description="A dated step in a treaty's life.")
class TreatyMilestone:
    kind: TreatyMilestoneKind = strawberry.field(description="What happened.")
    date: dt.date = strawberry.field(description="The day it happened (or happens).")
    note: str | None = strawberry.field(description="Details, such as the terms of an extension.")
    event_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The event it happened at, if any.")
    async def event(self, info: Info) -> EventType | None:
        from schema.types.event import Event

        if self.event_id is None:
            return None
        row = await info.context.loaders.events_by_id.load(self.event_id)
        return Event.from_row(row) if row is not None else None


@strawberry.type(description="An agreement between parties, such as New START.")
class Treaty(Node):
    slug: str = strawberry.field(description="A stable, human-readable key.")
    summary: str | None = strawberry.field(description="What the treaty is about, briefly.")
    signed_on: date | None = strawberry.field(description="The day it was signed.")
    effective_on: date | None = strawberry.field(description="The day it entered into force.")
    expires_on: date | None = strawberry.field(
        description="Its current expiry date, after any extension."
    )
    created_at: datetime = strawberry.field(description="When it was added to the corpus.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            uuid=row["id"],
            slug=row["slug"],
            summary=row["summary"],
            signed_on=row["signed_on"],
            effective_on=row["effective_on"],
            expires_on=row["expires_on"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description="The best name in the language asked for, else the primary name.")
    async def name(self, info: Info, language: Language = UNSET) -> str:
        rows = await info.context.loaders.names_by_treaty.load((self.uuid, RelatedArgs()))
        return best_name(rows, given(language))

    @strawberry.field(description="Every name, in every language, the primary first.")
    async def names(self, info: Info) -> list[LocalizedName]:
        rows = await info.context.loaders.names_by_treaty.load((self.uuid, RelatedArgs()))
        return [LocalizedName.from_row(row) for row in rows]

    @strawberry.field(description="Where it stands, derived from its milestones as of a day.")
    async def status(
        self,
        info: Info,
        as_of: Annotated[
            date | None,
            strawberry.argument(description="The day to judge it on (default: today, in UTC)."),
        ] = UNSET,
    ) -> TreatyStatus:
        day = given(as_of) or datetime.now(UTC).date()
        rows = await info.context.loaders.milestones_by_treaty.load((self.uuid, RelatedArgs()))
        return TreatyStatus(treaty_status(rows, self.expires_on, day))

    @strawberry.field(description="Its dated steps, in date order.")
    async def milestones(self, info: Info) -> list[TreatyMilestone]:
        rows = await info.context.loaders.milestones_by_treaty.load((self.uuid, RelatedArgs()))
        return [
            TreatyMilestone(
                kind=TreatyMilestoneKind(row["kind"]),
                date=row["date"],
                note=row["note"],
                event_id=row["event_id"],
            )
            for row in rows
        ]

    @strawberry.field(description="The parties to it.")
    async def parties(self, info: Info) -> list[Participant]:
        rows = await info.context.loaders.parties_by_treaty.load((self.uuid, RelatedArgs()))
        return [Participant.from_row(row) for row in rows]

    @strawberry.field(description="The events where it was at stake; the latest first.")
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
        page = await info.context.loaders.events_by_treaty.load((self.uuid, args))
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
        page = await info.context.loaders.statements_by_treaty.load((self.uuid, args))
        return build_connection(page, Statement.from_row)
