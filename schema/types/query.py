"""The root Query: lookups by ID or slug, the top-level lists, search, counts and the budget."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

import asyncio
import importlib
import pkgutil
from enum import Enum
from typing import Annotated, Any, Union

import strawberry

import schema.types
from api.store.counts import EventGroupBy as StoreEventGroupBy
from api.store.entities import ENTITIES, SEARCHABLE, Entity
from api.store.search import DEFAULT_SEARCH_SIZE
from schema.context import Info
from schema.enums import SearchType
from schema.errors import BadUserInputError
from schema.fields import (
    ENTITY_CLASSES,
    READ,
    LookupRead,
    RowObject,
    given,
    load_rows_by_id,
    root,
)
from schema.filters import FILTER_INPUTS, optional_store_filter, snake_case
from schema.global_ids import node_key
from schema.ordering import ORDER_INPUTS
from schema.pagination import Connection, root_connection
from schema.types.change import changes_field
from schema.types.common import Bucket, RateLimit
from schema.types.node import Node


def _import_entity_types() -> None:
    """Import every module of `schema.types`, so that each entity's GraphQL type is registered
    (`schema.fields.entity_type`) before the root fields are made from the registry."""
    for module in pkgutil.iter_modules(schema.types.__path__):
        importlib.import_module(f"{schema.types.__name__}.{module.name}")
    missing = [entity.name for entity in ENTITIES if entity not in ENTITY_CLASSES]
    if missing:
        raise LookupError(f"no GraphQL type declared with entity_type for {', '.join(missing)}")


_import_entity_types()


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


SearchResult: Any = Annotated[
    Union[tuple(ENTITY_CLASSES[entity] for entity in SEARCHABLE)],  # noqa: UP007
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


GlobalId = Annotated[strawberry.ID | None, strawberry.argument(description="Its global ID.")]
RequiredId = Annotated[strawberry.ID, strawberry.argument(description="Its global ID.")]
Slug = Annotated[str | None, strawberry.argument(description="Its slug.")]


def _lookup(entity: Entity) -> Any:
    """`Query.event(id, slug)` and the like: one `entity` by global ID, or by slug if it has one."""
    spec = ENTITIES[entity]
    how = "its global ID or its slug" if spec.by_slug else "its global ID"
    article = "An" if spec.type_name[0] in "AEIOU" else "A"

    async def by_id_or_slug(
        info: Info, id: GlobalId = UNSET, slug: Slug = UNSET
    ) -> RowObject | None:
        return await find(info, entity, id, slug)

    async def by_id(info: Info, id: RequiredId) -> RowObject | None:
        return await resolve_node(info, id, entity)

    return strawberry.field(
        resolver=by_id_or_slug if spec.by_slug else by_id,
        graphql_type=ENTITY_CLASSES[entity] | None,
        description=f"{article} {spec.type_name.lower()} by {how}; null when unknown.",
        metadata={READ: LookupRead(entity)},
    )


def _root_lists() -> dict[str, Any]:
    """Each entity's root list (`Query.events`, …), in the registry's order."""
    return {
        spec.plural: root_connection(
            entity,
            spec.listed,
            graphql_type=Connection[ENTITY_CLASSES[entity]],  # type: ignore[valid-type]
            orderable=entity in ORDER_INPUTS,
        )
        for entity, spec in ENTITIES.items()
    }


def _lookups() -> dict[str, Any]:
    """Each entity's lookup (`Query.event`, …), in the registry's order."""
    return {snake_case(spec.type_name): _lookup(entity) for entity, spec in ENTITIES.items()}


@root("node", "Any object by its global ID; null when there is none.")
async def _node(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
) -> Node | None:
    return await resolve_node(info, id)  # type: ignore[return-value]


@root("nodes", "Objects by their global IDs, in the same order; null for each unknown one.")
async def _nodes(
    info: Info,
    ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
) -> list[Node | None]:
    found = await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids))
    return list(found)  # type: ignore[arg-type]


@root(
    "search",
    "Ranked full-text search across types, for a search box: names and labels of "
    "participants, treaties and topics, titles and texts of events and statements, in any "
    "language, ignoring case and accents.",
)
async def _search(
    info: Info,
    query: Annotated[str, strawberry.argument(description="The words to look for.")],
    types: Annotated[
        list[SearchType] | None,
        strawberry.argument(
            description="Only these kinds of objects (default: all but sources, which a search "
            "finds only when named here)."
        ),
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
    return [ENTITY_CLASSES[hit.entity](row=hit.row) for hit in hits]


@root("eventCounts", "Event counts by a dimension, for facets, timelines and charts.")
async def _event_counts(
    info: Info,
    group_by: Annotated[
        EventGroupBy, strawberry.argument(description="The dimension to count by.")
    ],
    filter: Annotated[
        FILTER_INPUTS[Entity.EVENT] | None,  # type: ignore[valid-type]
        strawberry.argument(description="Which events to count."),
    ] = UNSET,
) -> list[Bucket]:
    rows = await info.context.store.event_counts(
        optional_store_filter(filter), StoreEventGroupBy[group_by.name]
    )
    return [Bucket(row=row) for row in rows]


@root("rateLimit", "What the caller has left of its query-cost budget, after this query.")
def _rate_limit(info: Info) -> RateLimit:
    return RateLimit(row=info.context.rate_limit)


Query = strawberry.type(
    type(
        "Query",
        (),
        {
            "__module__": __name__,
            **_root_lists(),
            "node": _node,
            "nodes": _nodes,
            **_lookups(),
            "search": _search,
            "event_counts": _event_counts,
            "changes": changes_field,
            "rate_limit": _rate_limit,
        },
    ),
    description="The entry points of the eventgraph API.",
)
