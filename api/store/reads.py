"""The read path: one `Store` per request, each call one SQL statement for a whole batch.

Rows come back as dicts keyed by column name, with SQLAlchemy's result types applied (vocabulary
columns hold their enum members); see docs/read-api-interface.md for the extra keys each call adds.

Statements are built with SQLAlchemy Core but run on the asyncpg connection itself: each
statement shape is compiled once (keyed by SQLAlchemy's cache key) and its parameters passed
positionally, which skips SQLAlchemy's execution context and result objects (about half the
client-side cost of a statement). The engine's `before_cursor_execute` and
`after_cursor_execute` events still fire, with the SQL and its parameters, for listeners that
count or trace statements.
"""

import asyncio
import builtins
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import Select, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import LRUCache

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


ResultProcessor = Callable[[Any], Any] | None


@dataclass
class _Shape:
    """A statement shape compiled once: its compiler, result keys and result processors.

    The result processors depend on the column types PostgreSQL reports (numeric or float, …):
    they are set at the shape's first execution, from the prepared statement's attributes.
    """

    compiled: SQLCompiler
    keys: tuple[str, ...]
    bind_processors: dict[str, Callable[[Any], Any]]
    processors: tuple[ResultProcessor, ...] | None = None


# Statement shapes by (dialect, SQLAlchemy cache key); a few dozen in practice.
_SHAPES: LRUCache[tuple[Dialect, Any], _Shape] = LRUCache(500)
_DISCONNECTED = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
)


def _shape(statement: Select[Any], dialect: Dialect) -> tuple[_Shape, Any]:
    """The compiled shape of `statement`, and the bound values its cache key extracted."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # not cacheable: compile it for this one execution
        return _compile(statement, dialect, None), None
    found = _SHAPES.get((dialect, cache_key.key))
    if found is None:
        found = _SHAPES[(dialect, cache_key.key)] = _compile(statement, dialect, cache_key)
    return found, cache_key.bindparams


def _compile(statement: Select[Any], dialect: Dialect, cache_key: Any) -> _Shape:
    compiled = statement.compile(dialect=dialect, cache_key=cache_key)
    assert isinstance(compiled, SQLCompiler)
    assert compiled.positional
    return _Shape(
        compiled,
        tuple(column.keyname for column in compiled._result_columns),
        dict(compiled._bind_processors),  # type: ignore[arg-type]
    )


async def _result_processors(
    shape: _Shape, sql: str, driver: asyncpg.Connection, dialect: Dialect
) -> tuple[ResultProcessor, ...]:
    """SQLAlchemy's result processor of each column, given the types PostgreSQL reports."""
    attributes = (await driver.prepare(sql)).get_attributes()
    columns = shape.compiled._result_columns
    assert len(attributes) == len(columns)
    return tuple(
        column.type._cached_result_processor(dialect, attribute.type.oid)
        for column, attribute in zip(columns, attributes, strict=True)
    )


def _sql(statement: Select[Any], dialect: Dialect) -> tuple[_Shape, str, tuple[Any, ...]]:
    """The shape, SQL text and positional parameters of `statement` (as SQLAlchemy builds them)."""
    shape, extracted = _shape(statement, dialect)
    compiled = shape.compiled
    params: Mapping[str, Any] = compiled.construct_params(
        extracted_parameters=extracted, escape_names=False
    )
    processors = shape.bind_processors
    if compiled.literal_execute_params or compiled.post_compile_params:
        expanded = compiled._process_parameters_for_postcompile(dict(params))
        sql, order, params = expanded.statement, expanded.positiontup, expanded.parameters
        processors = {**processors, **expanded.processors}
    else:
        sql, order = compiled.string, compiled.positiontup
    assert order is not None
    values = tuple(
        [processors[key](params[key]) if key in processors else params[key] for key in order]
    )
    return shape, sql, values


async def _fetch(connection: AsyncConnection, statement: Select[Any]) -> Sequence[Row]:
    """Run `statement` on the asyncpg connection under `connection`; rows as dicts."""
    sync_connection = connection.sync_connection
    assert sync_connection is not None
    shape, sql, values = _sql(statement, sync_connection.dialect)
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection  # type: ignore[assignment]
    dispatch = sync_connection.dispatch
    if dispatch.before_cursor_execute:
        for listener in dispatch.before_cursor_execute:
            listener(sync_connection, None, sql, values, None, False)
    try:
        if shape.processors is None:
            shape.processors = await _result_processors(shape, sql, driver, sync_connection.dialect)
        records = await driver.fetch(sql, *values)
    except _DISCONNECTED:
        await connection.invalidate()
        raise
    if dispatch.after_cursor_execute:
        for listener in dispatch.after_cursor_execute:
            listener(sync_connection, None, sql, values, None, False)
    keys, processors = shape.keys, shape.processors
    if not any(processors):
        return [dict(zip(keys, record.values(), strict=True)) for record in records]
    return [
        {
            key: value if process is None else process(value)
            for key, value, process in zip(keys, record.values(), processors, strict=True)
        }
        for record in records
    ]
