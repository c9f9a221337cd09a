"""The root Query: lookups by ID or slug, the top-level lists, search, counts and the budget."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

import asyncio
from enum import Enum
from typing import Annotated

import strawberry

from api.store.counts import EventGroupBy as StoreEventGroupBy
from api.store.entities import Entity
from schema.context import Info
from schema.errors import BadUserInputError
from schema.fields import (
    ENTITY_CLASSES,
    RowObject,
    given,
    load_rows_by_id,
    lookup,
    root,
    root_connection,
)
from schema.filters import EventFilter, optional_store_filter
from schema.pagination import Connection
from schema.types.common import Bucket, RateLimit
from schema.types.event import Event
from schema.types.node import Node, node_key
from schema.types.participant import Participant
from schema.types.source import Source
from schema.types.statement import Statement
from schema.types.topic import Topic
from schema.types.treaty import Treaty

UNSET = strawberry.UNSET


async def resolve_node(
    info: Info, global_id: str, expected: Entity | None = None
) -> RowObject | None:
    """The object a global ID names; None when it is malformed, of another type, or unknown."""
    key = node_key(global_id, expected)
    if key is None:
        return None
    entity, uuid = key
    row = await load_rows_by_id(info, entity, uuid)
    return ENTITY_CLASSES[entity](row=row) if row is not None else None


async def find(
    info: Info, entity: Entity, global_id: str | None, slug: str | None
) -> RowObject | None:
    """The `entity` named by a global ID or a slug (both given: it must match both)."""
    global_id, slug = given(global_id), given(slug)
    if global_id is None and slug is None:
        raise BadUserInputError(f"{ENTITY_CLASSES[entity].__name__} needs an id or a slug")
    if global_id is not None:
        found = await resolve_node(info, global_id, entity)
        if found is None or (slug is not None and found.row["slug"] != slug):
            return None
        return found
    rows = await info.context.store.by_slugs(entity, [slug])
    row = rows.get(slug)
    return ENTITY_CLASSES[entity](row=row) if row is not None else None


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
RequiredId = Annotated[strawberry.ID, strawberry.argument(description="Its global ID.")]
Slug = Annotated[str | None, strawberry.argument(description="Its slug.")]


@strawberry.type(description="The entry points of the eventgraph API.")
class Query:
    @root("node", "Any object by its global ID; null when there is none.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        return await resolve_node(info, id)  # type: ignore[return-value]

    @root("nodes", "Objects by their global IDs, in the same order; null for each unknown one.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        found = await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids))
        return list(found)  # type: ignore[arg-type]

    @lookup(Entity.EVENT, "An event by its global ID or its slug; null when unknown.")
    async def event(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Event | None:
        return await find(info, Entity.EVENT, id, slug)  # type: ignore[return-value]

    events: Connection[Event] = root_connection(
        Entity.EVENT, "Events; by default the latest first."
    )

    @lookup(Entity.STATEMENT, "A statement by its global ID; null when unknown.")
    async def statement(self, info: Info, id: RequiredId) -> Statement | None:
        return await resolve_node(info, id, Entity.STATEMENT)  # type: ignore[return-value]

    statements: Connection[Statement] = root_connection(
        Entity.STATEMENT, "Statements; by default the latest first."
    )

    @lookup(Entity.PARTICIPANT, "A participant by its global ID or its slug; null when unknown.")
    async def participant(
        self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET
    ) -> Participant | None:
        return await find(info, Entity.PARTICIPANT, id, slug)  # type: ignore[return-value]

    participants: Connection[Participant] = root_connection(
        Entity.PARTICIPANT, "Participants; by default by name."
    )

    @lookup(Entity.TREATY, "A treaty by its global ID or its slug; null when unknown.")
    async def treaty(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Treaty | None:
        return await find(info, Entity.TREATY, id, slug)  # type: ignore[return-value]

    treaties: Connection[Treaty] = root_connection(Entity.TREATY, "Treaties; by default by name.")

    @lookup(Entity.TOPIC, "A topic by its global ID or its slug; null when unknown.")
    async def topic(self, info: Info, id: GlobalId = UNSET, slug: Slug = UNSET) -> Topic | None:
        return await find(info, Entity.TOPIC, id, slug)  # type: ignore[return-value]

    topics: Connection[Topic] = root_connection(Entity.TOPIC, "Topics, by slug.", orderable=False)

    @lookup(Entity.SOURCE, "A source by its global ID; null when unknown.")
    async def source(self, info: Info, id: RequiredId) -> Source | None:
        return await resolve_node(info, id, Entity.SOURCE)  # type: ignore[return-value]

    sources: Connection[Source] = root_connection(
        Entity.SOURCE, "Sources; the latest published first.", orderable=False
    )

    @root(
        "search",
        "Ranked full-text search across types, for a search box: names and labels of "
        "participants, treaties and topics, titles and texts of events and statements, in any "
        "language, ignoring case and accents.",
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
        entities = [item.value for item in chosen] if chosen is not None else None
        size = DEFAULT_SEARCH_SIZE if first is None else first
        hits = await info.context.store.search(query, entities, size)
        return [ENTITY_CLASSES[hit.entity](row=hit.row) for hit in hits]  # type: ignore[misc]

    @root("eventCounts", "Event counts by a dimension, for facets, timelines and charts.")
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
        rows = await info.context.store.event_counts(
            optional_store_filter(filter), StoreEventGroupBy[group_by.name]
        )
        return [Bucket(row=row) for row in rows]

    @root(
        "rateLimit",
        "What the caller has left of its query-cost budget, after this query.",
    )
    def rate_limit(self, info: Info) -> RateLimit:
        return RateLimit(row=info.context.rate_limit)
