"""The root Query: lookups by ID or slug, the top-level lists, search, counts and the budget."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

import asyncio
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader

from api.store.counts import EventGroupBy as StoreEventGroupBy
from api.store.entities import Entity, Row
from schema.errors import BadUserInputError
from schema.filters import (
    UNSET,
    EventFilter,
    ParticipantFilter,
    SourceFilter,
    StatementFilter,
    TopicFilter,
    TreatyFilter,
    optional_store_filter,
)
from schema.ordering import (
    EventOrder,
    ParticipantOrder,
    StatementOrder,
    TreatyOrder,
    to_store_order,
)
from schema.pagination import Connection, build_connection, given, page_request
from schema.types.arguments import After, Before, First, Last
from schema.types.common import Bucket, Info, RateLimit
from schema.types.event import Event
from schema.types.node import Node, decode_global_id
from schema.types.participant import Participant
from schema.types.source import Source
from schema.types.statement import Statement
from schema.types.topic import Topic
from schema.types.treaty import Treaty

NodeType = Event | Statement | Participant | Treaty | Topic | Source

# GraphQL type name → store entity and GraphQL class, for global IDs.
NODE_TYPES: dict[str, tuple[Entity, type[NodeType]]] = {
    "Event": (Entity.EVENT, Event),
    "Statement": (Entity.STATEMENT, Statement),
    "Participant": (Entity.PARTICIPANT, Participant),
    "Treaty": (Entity.TREATY, Treaty),
    "Topic": (Entity.TOPIC, Topic),
    "Source": (Entity.SOURCE, Source),
}


def _by_id_loader(info: Info, entity: Entity) -> DataLoader[UUID, Row | None]:
    loaders = info.context.loaders
    return {
        Entity.EVENT: loaders.events_by_id,
        Entity.STATEMENT: loaders.statements_by_id,
        Entity.PARTICIPANT: loaders.participants_by_id,
        Entity.TREATY: loaders.treaties_by_id,
        Entity.TOPIC: loaders.topics_by_id,
        Entity.SOURCE: loaders.sources_by_id,
    }[entity]


async def resolve_node(info: Info, global_id: str, expected: str | None = None) -> NodeType | None:
    """The object a global ID names; None when it is malformed, of another type, or unknown."""
    decoded = decode_global_id(global_id)
    if decoded is None or decoded[0] not in NODE_TYPES:
        return None
    type_name, key = decoded
    if expected is not None and type_name != expected:
        return None
    entity, node_class = NODE_TYPES[type_name]
    row = await _by_id_loader(info, entity).load(key)
    return node_class.from_row(row) if row is not None else None


async def _row_by_id_or_slug(
    info: Info,
    type_name: str,
    slug_loader: DataLoader[str, Row | None],
    global_id: str | None,
    slug: str | None,
) -> Row | None:
    """The row named by a global ID or a slug (both given: it must match both)."""
    global_id, slug = given(global_id), given(slug)
    if global_id is None and slug is None:
        raise BadUserInputError(f"{type_name} needs an id or a slug")
    row: Row | None = None
    if global_id is not None:
        decoded = decode_global_id(global_id)
        if decoded is None or decoded[0] != type_name:
            return None
        entity = NODE_TYPES[type_name][0]
        row = await _by_id_loader(info, entity).load(decoded[1])
        if row is None or (slug is not None and row["slug"] != slug):
            return None
        return row
    assert slug is not None
    return await slug_loader.load(slug)


@strawberry.enum(description="The kinds of objects a search can return.")
class SearchType(Enum):
    EVENT = strawberry.enum_value(Entity.EVENT, description="Events, by title and summary.")
    STATEMENT = strawberry.enum_value(Entity.STATEMENT, description="Statements, by text.")
    PARTICIPANT = strawberry.enum_value(
        Entity.PARTICIPANT, description="Participants, by any name or alias."
    )
    TREATY = strawberry.enum_value(Entity.TREATY, description="Treaties, by any name.")
    TOPIC = strawberry.enum_value(Entity.TOPIC, description="Topics, by any label.")


SearchResult = Annotated[
    Event | Statement | Participant | Treaty | Topic,
    strawberry.union("SearchResult", description="An object found by a search."),
]


@strawberry.enum(description="A dimension to count events by.")
class EventGroupBy(Enum):
    YEAR = strawberry.enum_value(
        StoreEventGroupBy.YEAR, description='The year of the start date ("2026"), in order.'
    )
    MONTH = strawberry.enum_value(
        StoreEventGroupBy.MONTH,
        description='The month of the start date ("2026-02"), in order: a timeline.',
    )
    KIND = strawberry.enum_value(StoreEventGroupBy.KIND, description="The kind of event.")
    FORMAT = strawberry.enum_value(StoreEventGroupBy.FORMAT, description="The format.")
    STATUS = strawberry.enum_value(StoreEventGroupBy.STATUS, description="The status.")
    TOPIC = strawberry.enum_value(
        StoreEventGroupBy.TOPIC, description="Each topic of the event (an event may count twice)."
    )
    PARTICIPANT = strawberry.enum_value(
        StoreEventGroupBy.PARTICIPANT, description="Each participant of the event."
    )
    COUNTRY = strawberry.enum_value(
        StoreEventGroupBy.COUNTRY,
        description="The location's country, else the countries of the participants.",
    )


DEFAULT_SEARCH_SIZE = 20

GlobalId = Annotated[strawberry.ID | None, strawberry.argument(description="Its global ID.")]
Slug = Annotated[str | None, strawberry.argument(description="Its slug.")]


@strawberry.type(description="The entry points of the eventgraph API.")
class Query:
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Objects by their global IDs, in the same order; null for each unknown one."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        found = await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids))
        return list(found)

    @strawberry.field(description="An event by its global ID or its slug; null when unknown.")
    async def event(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Event | None:
        loader = info.context.loaders.events_by_slug
        row = await _row_by_id_or_slug(info, "Event", loader, id, slug)
        return Event.from_row(row) if row is not None else None

    @strawberry.field(description="Events; by default the latest first.")
    async def events(
        self,
        info: Info,
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[EventOrder] | None,
            strawberry.argument(
                description="How to order them (default: START_DATE DESC; RELEVANCE DESC "
                "when the filter has a search)."
            ),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Event]:
        page = await info.context.store.list(
            Entity.EVENT,
            optional_store_filter(filter),
            to_store_order(order_by),
            page_request(first, after, last, before),
        )
        return build_connection(page, Event.from_row)

    @strawberry.field(description="A statement by its global ID; null when unknown.")
    async def statement(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Its global ID.")],
    ) -> Statement | None:
        found = await resolve_node(info, id, "Statement")
        return found if isinstance(found, Statement) else None

    @strawberry.field(description="Statements; by default the latest first.")
    async def statements(
        self,
        info: Info,
        filter: Annotated[
            StatementFilter | None, strawberry.argument(description="Which statements to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[StatementOrder] | None,
            strawberry.argument(
                description="How to order them (default: SAID_ON DESC; RELEVANCE DESC when "
                "the filter has a search)."
            ),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Statement]:
        page = await info.context.store.list(
            Entity.STATEMENT,
            optional_store_filter(filter),
            to_store_order(order_by),
            page_request(first, after, last, before),
        )
        return build_connection(page, Statement.from_row)

    @strawberry.field(description="A participant by its global ID or its slug; null when unknown.")
    async def participant(
        self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET
    ) -> Participant | None:
        loader = info.context.loaders.participants_by_slug
        row = await _row_by_id_or_slug(info, "Participant", loader, id, slug)
        return Participant.from_row(row) if row is not None else None

    @strawberry.field(description="Participants; by default by name.")
    async def participants(
        self,
        info: Info,
        filter: Annotated[
            ParticipantFilter | None,
            strawberry.argument(description="Which participants to keep."),
        ] = UNSET,
        order_by: Annotated[
            list[ParticipantOrder] | None,
            strawberry.argument(description="How to order them (default: NAME)."),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Participant]:
        page = await info.context.store.list(
            Entity.PARTICIPANT,
            optional_store_filter(filter),
            to_store_order(order_by),
            page_request(first, after, last, before),
        )
        return build_connection(page, Participant.from_row)

    @strawberry.field(description="A treaty by its global ID or its slug; null when unknown.")
    async def treaty(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Treaty | None:
        loader = info.context.loaders.treaties_by_slug
        row = await _row_by_id_or_slug(info, "Treaty", loader, id, slug)
        return Treaty.from_row(row) if row is not None else None

    @strawberry.field(description="Treaties; by default by name.")
    async def treaties(
        self,
        info: Info,
        filter: Annotated[
            TreatyFilter | None, strawberry.argument(description="Which treaties to keep.")
        ] = UNSET,
        order_by: Annotated[
            list[TreatyOrder] | None,
            strawberry.argument(description="How to order them (default: NAME)."),
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Treaty]:
        page = await info.context.store.list(
            Entity.TREATY,
            optional_store_filter(filter),
            to_store_order(order_by),
            page_request(first, after, last, before),
        )
        return build_connection(page, Treaty.from_row)

    @strawberry.field(description="A topic by its global ID or its slug; null when unknown.")
    async def topic(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Topic | None:
        loader = info.context.loaders.topics_by_slug
        row = await _row_by_id_or_slug(info, "Topic", loader, id, slug)
        return Topic.from_row(row) if row is not None else None

    @strawberry.field(description="Topics, by slug.")
    async def topics(
        self,
        info: Info,
        filter: Annotated[
            TopicFilter | None, strawberry.argument(description="Which topics to keep.")
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Topic]:
        page = await info.context.store.list(
            Entity.TOPIC,
            optional_store_filter(filter),
            (),
            page_request(first, after, last, before),
        )
        return build_connection(page, Topic.from_row)

    @strawberry.field(description="A source by its global ID; null when unknown.")
    async def source(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Its global ID.")],
    ) -> Source | None:
        found = await resolve_node(info, id, "Source")
        return found if isinstance(found, Source) else None

    @strawberry.field(description="Sources; the latest published first.")
    async def sources(
        self,
        info: Info,
        filter: Annotated[
            SourceFilter | None, strawberry.argument(description="Which sources to keep.")
        ] = UNSET,
        first: First = UNSET,
        after: After = UNSET,
        last: Last = UNSET,
        before: Before = UNSET,
    ) -> Connection[Source]:
        page = await info.context.store.list(
            Entity.SOURCE,
            optional_store_filter(filter),
            (),
            page_request(first, after, last, before),
        )
        return build_connection(page, Source.from_row)

    @strawberry.field(
        description="Ranked full-text search across types, for a search box: names and labels "
        "of participants, treaties and topics, titles and texts of events and statements, in "
        "any language, ignoring case and accents."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="The words to look for.")],
        types: Annotated[
            list[SearchType] | None,
            strawberry.argument(description="Only these kinds of objects (default: all)."),
        ] = UNSET,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many results (at most 100)."),
        ] = DEFAULT_SEARCH_SIZE,
    ) -> list[SearchResult]:
        chosen = given(types)
        entities = [Entity[item.name] for item in chosen] if chosen is not None else None
        size = DEFAULT_SEARCH_SIZE if first is None else first
        hits = await info.context.store.search(query, entities, size)
        return [NODE_TYPES_BY_ENTITY[hit.entity].from_row(hit.row) for hit in hits]

    @strawberry.field(description="Event counts by a dimension, for facets, timelines and charts.")
    async def event_counts(
        self,
        info: Info,
        group_by: Annotated[
            EventGroupBy, strawberry.argument(description="The dimension to count by.")
        ],
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events to count.")
        ] = UNSET,
    ) -> list[Bucket]:
        buckets = await info.context.store.event_counts(
            optional_store_filter(filter), StoreEventGroupBy[group_by.name]
        )
        return [Bucket(key=b.key, label=b.label, count=b.count) for b in buckets]

    @strawberry.field(
        description="What the caller has left of its query-cost budget. Until API keys exist, "
        "every caller is anonymous and the budget shown is the anonymous one, spent by this "
        "query only; per-key budgets shared by all processes come with API keys."
    )
    def rate_limit(self, info: Info) -> RateLimit:
        limit = info.context.settings.anonymous_cost_budget
        cost = info.context.query_cost
        now = datetime.now(UTC)
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return RateLimit(limit=limit, cost=cost, remaining=max(limit - cost, 0), reset_at=next_hour)


NODE_TYPES_BY_ENTITY: dict[Entity, type[Event | Statement | Participant | Treaty | Topic]] = {
    Entity.EVENT: Event,
    Entity.STATEMENT: Statement,
    Entity.PARTICIPANT: Participant,
    Entity.TREATY: Treaty,
    Entity.TOPIC: Topic,
}
