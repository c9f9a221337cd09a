"""Event: a meeting, call, summit or visit, with its participants, statements and context."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import Entity
from api.store.relations import Connection as Relation
from api.store.relations import Related, RelatedShape
from schema.context import Info
from schema.enums import (
    Commitment,
    DatePrecision,
    EventFormat,
    EventKind,
    EventRelationKind,
    EventStatus,
    ParticipationRole,
)
from schema.fields import (
    RowObject,
    column,
    embedded,
    entity_type,
    given,
    independent_source_count,
    load_related,
    object_class,
    reference,
    related,
    related_by,
    related_values,
)
from schema.pagination import Connection, connection
from schema.types.claim import Claim, claims
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
class Location(RowObject):
    name: str = column('The place, as the sources name it ("Beijing").', name="location_name")
    country: ParticipantType | None = reference(
        "location_country_id", Entity.PARTICIPANT, "The country the place is in, when known."
    )


@strawberry.type(description="A participant of an event, with the part it played.")
class EventParticipation(RowObject):
    participant: ParticipantType = embedded("Who took part.")
    role: ParticipationRole = column("The part they played.")
    sources: list[SourceType] = related(
        Related.PARTICIPATION_SOURCES,
        "The sources that report this participant taking part (of the event's claims on its "
        "participants), in order of first appearance.",
    )


@strawberry.type(description="Another event related to this one, and how.")
class EventRelation(RowObject):
    kind: EventRelationKind = column(
        "How this event relates to the other, read from this event "
        "(this event PRECEDES the other, …).",
        name="relation_kind",
    )
    event: "Event" = embedded("The other event.")


async def participants_in_role(
    root: RowObject,
    info: Info,
    role: Annotated[
        ParticipationRole | None,
        strawberry.argument(description="Only the participants in this role."),
    ] = strawberry.UNSET,
) -> list[RowObject]:
    chosen = given(role)
    shape = RelatedShape(Related.EVENT_PARTICIPANTS, role=chosen.value if chosen else None)
    rows = await load_related(info, shape, root.row["id"])
    return [object_class(info)(row=row) for row in rows]


async def related_of_kind(
    root: RowObject,
    info: Info,
    kind: Annotated[
        EventRelationKind | None,
        strawberry.argument(description="Only the relations of this kind, as read from here."),
    ] = strawberry.UNSET,
) -> list[RowObject]:
    chosen = given(kind)
    shape = RelatedShape(Related.EVENT_RELATIONS, relation_kind=chosen.value if chosen else None)
    rows = await load_related(info, shape, root.row["id"])
    return [object_class(info)(row=row) for row in rows]


@entity_type(
    Entity.EVENT,
    description="Something that happened or is planned: a meeting, a call, a summit.",
)
class Event(Node):
    slug: str = column("A stable, human-readable key, unique among events.")
    title: str = column("The event's title, in its source's language.")
    summary: str | None = column("A short account of the event.")
    kind: EventKind = column("What kind of event it is.")
    format: EventFormat = column("How the participants met.")
    status: EventStatus = column("Whether it took place.")
    start_date: date = column("The first day of the period the event is known to fall in.")
    end_date: date | None = column("The last day of that period; null when it is one day.")
    date_precision: DatePrecision = column(
        'How precisely startDate is known ("premier semestre 2026" is HALF_YEAR).',
    )
    starts_at: datetime | None = column("The start time, with its offset, when known.")
    duration_minutes: int | None = column("How long it lasted, in minutes.")
    commitment: Commitment | None = column(
        "For a planned event, how firmly it is committed to; null when not said."
    )
    location: Location | None = embedded(
        "Where it took place, when known.", present_if="location_name"
    )
    participants: list[EventParticipation] = related_by(
        Related.EVENT_PARTICIPANTS, "Who took part, and in what role.", participants_in_role
    )
    statements: Connection[StatementType] = connection(
        Relation.EVENT_STATEMENTS,
        "What was said at or about it; by default in the order of their source.",
        filterable=True,
    )
    topics: list[TopicType] = related(Related.EVENT_TOPICS, "The topics discussed.")
    treaties: list[TreatyType] = related(Related.EVENT_TREATIES, "The treaties at stake.")
    related_events: list[EventRelation] = related_by(
        Related.EVENT_RELATIONS,
        "Events related to this one, from either end of the relation, "
        "with the kind read from this event.",
        related_of_kind,
    )
    sources: list[SourceType] = related(Related.EVENT_SOURCES, "The documents it is reported in.")
    independent_source_count: int = independent_source_count(
        Entity.EVENT,
        "How many independent sources report it: its sources' distinct origins (copies of one "
        "wire story count once).",
    )
    claims: list[Claim] = claims(
        Related.EVENT_CLAIMS,
        "What its sources claim about its fields, each value with its sources, in order of "
        "first appearance; the fields hold the chosen values.",
    )
    disputed_fields: list[str] = related_values(
        Related.EVENT_DISPUTED_FIELDS,
        "The fields (by their names in this API) whose claims, for one item, hold more than "
        "one value, in order of first appearance.",
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: datetime = column("When it was added to the corpus.")
    updated_at: datetime = column("When it was last changed.")
