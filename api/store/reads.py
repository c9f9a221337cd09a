"""The read path: one `Store` per request, each call one SQL statement for a whole batch.

Rows come back as SQLAlchemy `RowMapping`s (read-only mappings keyed by column name); see
docs/read-api-interface.md for the extra keys each call adds.

Within `Store.pinned()` (one GraphQL operation) every call runs on one pooled connection, taken at
the first call: a request's statements share one checkout instead of one each.
"""

import asyncio
import builtins
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.settings import Settings
from api.store.counts import Bucket, EventGroupBy, event_counts_statement, read_buckets
from api.store.entities import (
    ENTITIES,
    PARENT_KEY,
    Entity,
    FilterSpec,
    Row,
    entity_columns,
    id_array,
)
from api.store.errors import StoreInputError
from api.store.filters import compile_filter
from api.store.ordering import Order, resolve_ordering
from api.store.pagination import (
    Page,
    PageRequest,
    page_statement,
    pages_by_parent_statement,
    read_page,
    read_pages_by_parent,
    resolve_window,
)
from api.store.relations import (
    CONNECTIONS,
    Connection,
    Related,
    linked_rows,
    related_statement,
)
from api.store.search import SEARCHABLE, SearchHit, search_statements
from api.vocabulary import EventRelationKind, ParticipationRole

RowList = builtins.list[Row]
FIRST_PAGE = PageRequest()


def top_level_search(spec: FilterSpec | None) -> str | None:
    """The search text RELEVANCE ranks by: the filter's own `search`, not one nested in and/or."""
    return None if not spec else spec.get("search")


class Store:
    """Read queries for one request. Holds no state between calls; cheap to create."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._pinned: _Pinned | None = None

    @asynccontextmanager
    async def pinned(self) -> AsyncIterator["Store"]:
        """Run the calls made inside the block on one connection, checked out at the first call
        and returned at the end (a request's worth of statements, instead of one checkout
        each). The calls are serialised: one asyncpg connection runs one query at a time."""
        pinned = self._pinned = _Pinned(asyncio.Lock())
        try:
            yield self
        finally:
            self._pinned = None
            if pinned.connection is not None:
                await pinned.connection.close()

    async def _rows(self, statement: Select[Any]) -> Sequence[Row]:
        pinned = self._pinned
        if pinned is None:
            async with self.engine.connect() as connection:
                return await _fetch(connection, statement)
        async with pinned.lock:
            if pinned.connection is None:
                pinned.connection = await self.engine.connect()
            return await _fetch(pinned.connection, statement)

    async def by_ids(self, entity: Entity, ids: Sequence[UUID]) -> dict[UUID, Row]:
        """The rows with these ids; ids that do not exist are missing from the dict."""
        if not ids:
            return {}
        table = ENTITIES[entity].table
        rows = await self._rows(select_entities(entity).where(table.c.id == id_array(ids)))
        return {row["id"]: row for row in rows}

    async def by_slugs(self, entity: Entity, slugs: Sequence[str]) -> dict[str, Row]:
        if not slugs:
            return {}
        table = ENTITIES[entity].table
        rows = await self._rows(select_entities(entity).where(table.c.slug.in_(slugs)))
        return {row["slug"]: row for row in rows}

    async def list(
        self,
        entity: Entity,
        filter: FilterSpec | None = None,
        order: Sequence[Order] = (),
        page: PageRequest = FIRST_PAGE,
    ) -> Page:
        """A page of a top-level connection (`Query.events`, …) with its total count."""
        table = ENTITIES[entity].table
        ordering = resolve_ordering(
            entity, order, scope=entity.name, search=top_level_search(filter)
        )
        window = resolve_window(page, ordering, self.settings)
        statement = page_statement(
            table, entity_columns(table), compile_filter(entity, filter), ordering, window
        )
        return read_page(await self._rows(statement), ordering, window)

    async def list_by_parent(
        self,
        connection: Connection,
        parent_ids: Sequence[UUID],
        filter: FilterSpec | None = None,
        order: Sequence[Order] = (),
        page: PageRequest = FIRST_PAGE,
    ) -> dict[UUID, Page]:
        """The page of a nested connection for each parent (rows carry `PARENT_KEY`)."""
        spec = CONNECTIONS[connection]
        child = spec.relation.target
        ordering = resolve_ordering(
            child,
            order,
            scope=connection.name,
            search=top_level_search(filter),
            default=spec.default_order,
        )
        window = resolve_window(page, ordering, self.settings)
        if not parent_ids:
            return {}
        from_, parent = linked_rows(spec.relation)
        statement = pages_by_parent_statement(
            from_,
            entity_columns(ENTITIES[child].table),
            parent,
            parent_ids,
            compile_filter(child, filter),
            ordering,
            window,
        )
        return read_pages_by_parent(await self._rows(statement), parent_ids, ordering, window)

    async def related(
        self,
        relation: Related,
        parent_ids: Sequence[UUID],
        *,
        role: ParticipationRole | None = None,
        relation_kind: EventRelationKind | None = None,
    ) -> dict[UUID, RowList]:
        """The whole small list of `relation` for each parent (rows carry `PARENT_KEY`)."""
        if not parent_ids:
            return {}
        statement = related_statement(relation, parent_ids, role=role, relation_kind=relation_kind)
        lists: dict[UUID, RowList] = {parent_id: [] for parent_id in parent_ids}
        for row in await self._rows(statement):
            lists[row[PARENT_KEY]].append(row)
        return lists

    async def search(
        self, query: str, types: Sequence[Entity] | None = None, first: int = 20
    ) -> builtins.list[SearchHit]:
        """The `first` best matches across `types` (default: all searchable), best first.

        Events and statements rank by full-text relevance; participants, treaties and topics
        by the trigram word similarity of their best name (0..1). One statement per type.
        """
        if first < 0 or first > self.settings.max_page_size:
            raise StoreInputError(f"first must be between 0 and {self.settings.max_page_size}")
        hits: builtins.list[SearchHit] = []
        for entity, statement in search_statements(
            query, SEARCHABLE if types is None else types, first
        ):
            hits.extend(SearchHit(entity, row, row["rank"]) for row in await self._rows(statement))
        hits.sort(key=lambda hit: hit.rank, reverse=True)
        return hits[:first]

    async def event_counts(
        self, filter: FilterSpec | None, group_by: EventGroupBy
    ) -> builtins.list[Bucket]:
        statement = event_counts_statement(compile_filter(Entity.EVENT, filter), group_by)
        return read_buckets(await self._rows(statement), group_by)


def select_entities(entity: Entity) -> Select[Any]:
    return select(*entity_columns(ENTITIES[entity].table))


# ---------------------------------------------------------------- execution


@dataclass
class _Pinned:
    lock: asyncio.Lock
    connection: AsyncConnection | None = None


async def _fetch(connection: AsyncConnection, statement: Select[Any]) -> Sequence[Row]:
    result = await connection.execute(statement)
    return cast(Sequence[Row], result.mappings().all())
