"""The batched read path: one `Store` per request, each call one SQL statement for a whole batch.

This is what Strawberry's resolvers read through (their DataLoaders gather a tick's parents into
one call). Rows come back as asyncpg Records (by column name); see docs/read-api-interface.md
for the extra keys each call adds. Every call binds its values into a shape (`api.store.params`)
and runs the statement compiled once for that shape.
"""

import builtins
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import Select, any_, select

from api.charge import JoinedDebit
from api.db import tables
from api.settings import Settings
from api.store.changes import (
    BoundPosition,
    ChangePage,
    FeedPosition,
    FeedShape,
    HistoryPosition,
    HistoryShape,
    feed_page,
    history_pages,
    read_feed_page,
    read_history_pages,
)
from api.store.claims import INDEPENDENT_SOURCES
from api.store.counts import EventGroupBy, event_counts_statement
from api.store.document_shapes import JsonObject
from api.store.documents import document_json_statement, document_statement
from api.store.entities import (
    ENTITIES,
    PARENT_KEY,
    SEARCHED_BY_DEFAULT,
    Entity,
    FilterSpec,
    NameField,
    Row,
    entity_columns,
)
from api.store.errors import StoreInputError
from api.store.filters import bind_filter, compile_filter
from api.store.metering import actual_cost_sql
from api.store.names import best_name, names_owner
from api.store.ordering import Order, resolve_ordering
from api.store.pagination import (
    Page,
    PageRequest,
    bind_page,
    page_statement,
    pages_by_parent_statement,
    read_page,
    read_pages_by_parent,
)
from api.store.params import Params, ParamType, checked_text
from api.store.relations import (
    CONNECTIONS,
    Connection,
    Related,
    RelatedShape,
    linked_rows,
    related_source,
)
from api.store.search import DEFAULT_SEARCH_SIZE, search_hits
from api.store.statements import CompiledStatement, Constant, Database
from api.store.treaties import status_as_of
from api.vocabulary import EventRelationKind, ParticipationRole, TreatyStatus

RowList = builtins.list[Row]
FIRST_PAGE = PageRequest()


@dataclass(frozen=True)
class SearchHit:
    entity: Entity
    row: Row
    rank: float


class Store:
    """Read queries for one request. Holds no state between calls; cheap to create."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.executed = 0
        """The statements this store has run: one request's."""

    async def _rows(
        self, shape: Hashable, build: Callable[[], Select[Any]], params: Params
    ) -> Sequence[Row]:
        statement = self.database.statements.get(shape, build)
        self.executed += 1
        return await self.database.fetch(statement, params.values)

    async def document(self, data: JsonObject, params: Params) -> bytes | None:
        """The UTF-8 JSON of `data` (`api.store.documents`), built by PostgreSQL; None when
        the database refuses it (a feed cursor has expired: `document_statement`)."""
        statement = self.database.statements.get(data, partial(document_statement, data))
        self.executed += 1
        body: bytes | None = await self.database.fetchval(statement, params.values)
        return body

    async def metered_document(
        self,
        data: JsonObject,
        params: Params,
        actual: tuple[int, Sequence[tuple[Sequence[str], int]]],
        debit: JoinedDebit,
        cost: int,
    ) -> Any:
        """`document`, in the statement of `debit`: run only when the budget holds `cost`, its
        `actual` cost measured (fixed points, and points per row at paths) and taken from the
        budget. Its row is allowed, tokens, the body and the actual cost (both None when
        refused); None when the cost exceeds the capacity of a bucket never used. One
        statement: the database is the primary, where budgets live."""
        document = self.database.statements.get(
            ("json", data), partial(document_json_statement, data)
        )
        sql = debit.statement(document.sql, len(document.slots), actual_cost_sql(*actual))
        debit_values = tuple(Constant(value) for value in debit.arguments(cost))
        statement = CompiledStatement(sql, document.slots + debit_values)
        self.executed += 1
        rows = await self.database.fetch(statement, params.values)
        return rows[0] if rows else None

    async def by_ids(self, entity: Entity, ids: Sequence[UUID]) -> dict[UUID, Row]:
        """The rows with these ids; ids that do not exist are missing from the dict."""
        if not ids:
            return {}
        params = Params()
        found = params.add(list(ids), ParamType.UUID_ARRAY)
        table = ENTITIES[entity].table
        rows = await self._rows(
            ("by_ids", entity),
            lambda: select(*entity_columns(table)).where(table.c.id == any_(found.sql())),
            params,
        )
        return {row["id"]: row for row in rows}

    async def by_slugs(self, entity: Entity, slugs: Sequence[str]) -> dict[str, Row]:
        if not slugs:
            return {}
        params = Params()
        found = params.add(list(slugs), ParamType.TEXT_ARRAY)
        table = ENTITIES[entity].table
        rows = await self._rows(
            ("by_slugs", entity),
            lambda: select(*entity_columns(table)).where(table.c.slug == any_(found.sql())),
            params,
        )
        return {row["slug"]: row for row in rows}

    async def list(
        self,
        entity: Entity,
        filter: FilterSpec | None = None,
        order: Sequence[Order] = (),
        page: PageRequest = FIRST_PAGE,
    ) -> Page:
        """A page of a top-level connection (`Query.events`, …) with its total count."""
        params = Params()
        source, window = bind_page(entity, None, filter, order, page, self.settings, params)
        table = ENTITIES[entity].table

        def build() -> Select[Any]:
            return page_statement(
                table,
                entity_columns(table),
                compile_filter(entity, source.filter),
                resolve_ordering(source.ordering, table, source.search),
                window,
            )

        return read_page(await self._rows(("list", source), build, params), window)

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
        params = Params()
        source, window = bind_page(child, connection, filter, order, page, self.settings, params)
        if not parent_ids:
            return {}
        parents = params.add(list(parent_ids), ParamType.UUID_ARRAY)
        target = ENTITIES[child].table

        def build() -> Select[Any]:
            from_, parent = linked_rows(spec.relation, target)
            return pages_by_parent_statement(
                from_,
                entity_columns(target),
                parent,
                parents,
                compile_filter(child, source.filter),
                resolve_ordering(source.ordering, target, source.search),
                window,
            )

        rows = await self._rows(("list_by_parent", source, parents), build, params)
        return read_pages_by_parent(rows, parent_ids, window)

    async def related(
        self,
        relation: Related,
        parent_ids: Sequence[UUID],
        *,
        role: ParticipationRole | None = None,
        relation_kind: EventRelationKind | None = None,
        text: str | None = None,
    ) -> dict[UUID, RowList]:
        """The whole small list of `relation` for each parent (rows carry `PARENT_KEY`);
        `text` is the text argument of a list that takes one (`RelatedShape.text`)."""
        if not parent_ids:
            return {}
        params = Params()
        parents = params.add(list(parent_ids), ParamType.UUID_ARRAY)
        argument = None if text is None else params.add(text, ParamType.TEXT)
        shape = RelatedShape(relation, role, relation_kind, argument)

        def build() -> Select[Any]:
            source = related_source(shape, lambda parent: parent == any_(parents.sql()))
            return (
                select(
                    *(column.label(name) for name, column in source.columns.items()),
                    source.parent.label(PARENT_KEY),
                )
                .select_from(source.from_)
                .where(*source.where)
                .order_by(source.parent, *source.order)
            )

        lists: dict[UUID, RowList] = {parent_id: [] for parent_id in parent_ids}
        for row in await self._rows(("related", shape), build, params):
            lists[row[PARENT_KEY]].append(row)
        return lists

    async def names(
        self, names: NameField, owner_ids: Sequence[UUID], language: str | None
    ) -> dict[UUID, str]:
        """The name of each owner to show for `language`: the rule of `api.store.names`, the
        same SQL expression the JSON documents use."""
        if not owner_ids:
            return {}
        params = Params()
        owners = params.add(list(owner_ids), ParamType.UUID_ARRAY)
        wanted = None if language is None else params.add(language, ParamType.TEXT)
        owner = names_owner(names)

        def build() -> Select[Any]:
            return select(owner.c.id, best_name(names, owner.c.id, wanted).label("name")).where(
                owner.c.id == any_(owners.sql())
            )

        rows = await self._rows(("names", names.names.name, wanted is None), build, params)
        return {row["id"]: row["name"] for row in rows}

    async def independent_source_counts(
        self, entity: Entity, ids: Sequence[UUID]
    ) -> dict[UUID, int]:
        """How many independent sources report each row: the rule of `api.store.sources`,
        the same SQL expression the filters and the JSON documents use."""
        if not ids:
            return {}
        params = Params()
        found = params.add(list(ids), ParamType.UUID_ARRAY)
        table = ENTITIES[entity].table

        def build() -> Select[Any]:
            count = INDEPENDENT_SOURCES[entity](table.c.id)
            return select(table.c.id, count.label("count")).where(table.c.id == any_(found.sql()))

        rows = await self._rows(("independent_sources", entity), build, params)
        return {row["id"]: row["count"] for row in rows}

    async def treaty_statuses(
        self, treaty_ids: Sequence[UUID], as_of: date
    ) -> dict[UUID, TreatyStatus]:
        """The status of each treaty as of a day: the rule of `api.store.treaties`, the same SQL
        expression the filters and the JSON documents use."""
        if not treaty_ids:
            return {}
        params = Params()
        treaties = params.add(list(treaty_ids), ParamType.UUID_ARRAY)
        day = params.add(as_of, ParamType.DATE)
        table = tables.treaties

        def build() -> Select[Any]:
            status = status_as_of(table.c.id, table.c.expires_on, day.sql())
            return select(table.c.id, status.label("status")).where(
                table.c.id == any_(treaties.sql())
            )

        rows = await self._rows(("treaty_statuses",), build, params)
        return {row["id"]: TreatyStatus[row["status"]] for row in rows}

    async def search(
        self, query: str, types: Sequence[Entity] | None = None, first: int = DEFAULT_SEARCH_SIZE
    ) -> builtins.list[SearchHit]:
        """The `first` best matches across `types` (default: `SEARCHED_BY_DEFAULT`), best first.

        Events and statements rank by full-text relevance; participants, treaties and topics
        by the trigram word similarity of their best name (0..1). One statement per type; ties
        keep the order of `types`.
        """
        if first < 0 or first > self.settings.max_page_size:
            raise StoreInputError(f"first must be between 0 and {self.settings.max_page_size}")
        if not query.strip():
            raise StoreInputError("a search needs some text")
        checked_text(query)  # even when no type is searched, like the size and the blank text
        hits: builtins.list[SearchHit] = []
        for entity in SEARCHED_BY_DEFAULT if types is None else types:
            params = Params()
            text = params.add(query, ParamType.TEXT)
            size = params.add(first, ParamType.INTEGER)
            rows = await self._rows(
                ("search", entity), partial(search_hits, entity, text, size), params
            )
            hits.extend(SearchHit(entity, row, row["rank"]) for row in rows)
        hits.sort(key=lambda hit: hit.rank, reverse=True)
        return hits[:first]

    async def event_counts(
        self, filter: FilterSpec | None, group_by: EventGroupBy
    ) -> Sequence[Row]:
        """Rows (key, label, count) of the events matching `filter`, in bucket order."""
        params = Params()
        where = bind_filter(Entity.EVENT, filter, params)
        return await self._rows(
            ("event_counts", where, group_by),
            lambda: event_counts_statement(compile_filter(Entity.EVENT, where), group_by),
            params,
        )

    def _page_size(self, first: int | None) -> int:
        size = self.settings.default_page_size if first is None else first
        if not 0 <= size <= self.settings.max_page_size:
            raise StoreInputError(f"first must be between 0 and {self.settings.max_page_size}")
        return size

    async def changes(
        self,
        after: FeedPosition | None,
        types: Sequence[Entity] | None = None,
        first: int | None = None,
    ) -> ChangePage:
        """The change feed (`api.store.changes`): the `first` changes after `after`, of
        `types` (default: all), in feed order, below the oldest transaction still running.
        StoreCursorExpiredError when the log was pruned past `after`."""
        size = self._page_size(first)
        params = Params()
        shape = FeedShape(
            None if after is None else BoundPosition.of(after, params),
            None
            if types is None
            else params.add([item.value for item in types], ParamType.TEXT_ARRAY),
            params.add(size + 1, ParamType.INTEGER),
        )
        rows = await self._rows(("changes", shape), partial(feed_page, shape), params)
        return read_feed_page(rows, after, size)

    async def history(
        self, node_ids: Sequence[UUID], before: HistoryPosition | None, first: int | None = None
    ) -> dict[UUID, ChangePage]:
        """The changes of each node, newest first: the `first` older than `before`."""
        size = self._page_size(first)
        if not node_ids:
            return {}
        params = Params()
        shape = HistoryShape(
            params.add(list(node_ids), ParamType.UUID_ARRAY),
            None
            if before is None
            else (
                params.add(before.version, ParamType.BIGINT),
                params.add(before.change_id, ParamType.BIGINT),
            ),
            params.add(size + 1, ParamType.INTEGER),
        )
        rows = await self._rows(("history", shape), partial(history_pages, shape), params)
        return read_history_pages(rows, node_ids, before, size)
