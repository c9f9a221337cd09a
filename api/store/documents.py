"""Documents: JSON that PostgreSQL builds, one statement for the whole `data` of a response.

What to build is a `JsonObject` (`api.store.document_shapes`); this module builds it.
`document_statement` compiles one shape once (`api.store.statements`), and later requests of the
same shape only bind values. Nested reads are correlated subqueries over fresh aliases, each
answered through the indexes of the relation it reads (as PostGraphile does); pages are keyset
pages with the same filters, orderings, cursors and flags as the batched reads of
`api.store.reads`, built from the same declarations; a page of the change feed is the store's
own `feed_page`.

Instants are written as Python's `datetime.isoformat()` writes a UTC instant, so that every read
path answers the same text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, assert_never
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy import tuple_ as row_of
from sqlalchemy.dialects.postgresql import aggregate_order_by

from api.store.changes import (
    FEED_HORIZON,
    PRUNED_CHANGE_ID,
    PRUNED_XID,
    feed_cursor_sql,
    feed_page,
    pruned_position,
)
from api.store.claims import INDEPENDENT_SOURCES
from api.store.counts import event_counts_statement
from api.store.document_shapes import (
    MAX_MEMBERS,
    BoundaryCursor,
    ColumnValue,
    ConstantValue,
    EncodedId,
    EventBuckets,
    FeedPage,
    IndependentSourceCount,
    JsonArray,
    JsonMembers,
    JsonObject,
    JsonValue,
    MoreRows,
    NameValue,
    PageObject,
    PageRows,
    ParamValue,
    ReferencedObject,
    RelatedList,
    RelatedValues,
    RowByKey,
    RowCount,
    RowCursor,
    SameRowObject,
    SearchResults,
    TreatyStatusValue,
    TypedId,
    TypedObject,
    ValueFormat,
)
from api.store.entities import ENTITIES, Entity
from api.store.filters import compile_filter
from api.store.names import best_name
from api.store.ordering import resolve_ordering
from api.store.pagination import (
    Bounds,
    PageSource,
    bounds_of,
    cursor_column,
    page_rows,
    rebound,
)
from api.store.params import Param
from api.store.relations import (
    ITEM_OF,
    RelatedShape,
    RelatedSource,
    linked_rows,
    parent_column,
    related_source,
)
from api.store.search import search_hits
from api.store.treaties import status_as_of


class _Parts(Protocol):
    """A page whose parts are read over its rows (`_Page`, `_FeedPage`)."""

    def part(self, value: "JsonValue") -> ColumnElement[Any]: ...


class Columns(Protocol):
    """The columns of the current row, by name (a table's `.c`, or a mapping)."""

    def __getitem__(self, key: str, /) -> ColumnElement[Any]: ...


# ---------------------------------------------------------------- how to build it


def document_statement(data: JsonObject) -> Select[Any]:
    """One row, one column: the UTF-8 bytes of `data` as JSON; null when a feed page's cursor
    has expired (`FeedPage.reached`, read only among the members of `data`)."""
    return select(_unless_expired(data, func.convert_to(cast(_object(data, {}), Text), "UTF8")))


def document_json_statement(data: JsonObject) -> Select[Any]:
    """`document_statement` as JSON, not yet encoded: for the statement that measures the
    answer's actual cost before it encodes it (`api.security.budgets.metered_statement`)."""
    return select(_unless_expired(data, _object(data, {})))


def _unless_expired(data: JsonObject, document: ColumnElement[Any]) -> ColumnElement[Any]:
    """`document`, or null when the cursor of a feed page among `data`'s members has expired."""
    expired = [
        _expired(value.reached)
        for _, value in data.members
        if isinstance(value, FeedPage) and value.reached is not None
    ]
    return case((or_(*expired), null()), else_=document) if expired else document


def _expired(reached: tuple[Param, Param]) -> ColumnElement[bool]:
    """The log was pruned past `reached` (`FeedPosition.expired`)."""
    return row_of(*pruned_position()) > row_of(reached[0].sql(), reached[1].sql())


def _object(obj: JsonObject, row: Columns, page: "_Parts | None" = None) -> ColumnElement[Any]:
    if len(obj.members) > MAX_MEMBERS:
        raise ValueError(f"a document object has more than {MAX_MEMBERS} members")
    arguments: list[ColumnElement[Any]] = []
    for key, value in obj.members:
        arguments.append(literal_column(_quoted(key)))
        arguments.append(_value(value, row, page))
    return func.json_build_object(*arguments)


def _quoted(text: str) -> str:
    """A SQL string literal of a name (ASCII letters, digits and underscores only)."""
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise ValueError(f"not a name: {text!r}")
    return f"'{text}'"


def _value(value: JsonValue, row: Columns, page: "_Parts | None") -> ColumnElement[Any]:
    match value:
        case ColumnValue(column=column, format=ValueFormat.INSTANT):
            return python_isoformat(row[column])
        case ColumnValue(column=column):
            return row[column]
        case ConstantValue(value=text):
            return null() if text is None else cast(literal_column(_quoted(text)), Text)
        case ParamValue(param=param):
            return param.sql()
        case EncodedId(prefix=prefix):
            return encoded_id(prefix, row["id"])
        case NameValue(names=names, language=language):
            return best_name(names, row["id"], language)
        case TreatyStatusValue(as_of=as_of):
            return status_as_of(row["id"], row["expires_on"], as_of.sql())
        case SameRowObject(object=obj, present_if=present_if):
            # The page passes on: a feed change read through its edge has its cursor too.
            if present_if is None:
                return _object(obj, row, page)
            return case((row[present_if].is_(None), null()), else_=_object(obj, row, page))
        case ReferencedObject(column=column, target=target, object=obj, otherwise=otherwise):
            table = ENTITIES[target].table.alias()
            key = row[column] if otherwise is None else func.coalesce(row[column], row[otherwise])
            return _correlated(select(_object(obj, table.c)).where(table.c.id == key), table)
        case RelatedList(shape=shape, element=element):
            return _related(shape, row, lambda source: _object(element, source.columns))
        case RelatedValues(shape=shape, column=column):
            return _related(shape, row, lambda source: source.columns[column])
        case IndependentSourceCount(entity=entity):
            return INDEPENDENT_SOURCES[entity](row["id"])
        case PageObject(source=source, parts=parts):
            return _Page(source, row, parts).json()
        case RowCount() | PageRows() | RowCursor() | MoreRows() | BoundaryCursor():
            assert page is not None, "a page part outside a page"
            return page.part(value)
        case RowByKey(entity=entity, id=key, slug=slug, object=obj):
            table = ENTITIES[entity].table.alias()
            conditions = []
            if key is not None:
                conditions.append(table.c.id == key.sql())
            if slug is not None:
                conditions.append(table.c.slug == slug.sql())
            return _correlated(select(_object(obj, table.c)).where(*conditions), table)
        case SearchResults():
            return _search(value)
        case EventBuckets(filter=shape, group_by=group_by, element=element):
            buckets = event_counts_statement(compile_filter(Entity.EVENT, shape), group_by)
            rows = buckets.subquery()
            return _correlated(select(_array(_object(element, rows.c), rows.c.ordinal)), rows)
        case JsonArray(items=items):
            return func.json_build_array(*(_value(item, row, page) for item in items))
        case FeedPage():
            return _FeedPage(value).json()
        case TypedId(column=column, type_column=type_column, prefixes=prefixes):
            ids = [(row[type_column] == kind, encoded_id(p, row[column])) for kind, p in prefixes]
            return case(*ids, else_=null())
        case TypedObject(column=column, type_column=type_column, objects=objects):
            absent_column, absent_value = value.absent_if
            whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
                (row[absent_column] == absent_value, null())
            ]
            for entity, obj in objects:
                table = ENTITIES[entity].table.alias()
                found = select(_object(obj, table.c)).where(table.c.id == row[column])
                whens.append((row[type_column] == entity.value, _correlated(found, table)))
            return case(*whens, else_=null())
        case JsonMembers(column=column, key=key, inner=inner, element=element):
            members = func.jsonb_each(row[column]).table_valued("key", "value").alias()
            columns: dict[str, ColumnElement[Any]] = {key: members.c.key}
            for name in inner:
                columns[name] = members.c.value.op("->")(literal(name, Text))
            ordered = members.c.key.collate("C")
            return _correlated(select(_array(_object(element, columns), ordered)), members)
        case JsonObject():
            return _object(value, row, page)
    assert_never(value)


def _related(
    shape: RelatedShape, row: Columns, element: Callable[[RelatedSource], ColumnElement[Any]]
) -> ColumnElement[Any]:
    """The JSON array of a related list under the current row, each item `element` of its
    row; a list read for an item (`ITEM_OF`) keeps the rows that name the current row's."""
    relation = shape.relation
    source = related_source(shape, lambda parent: parent == row[parent_column(relation)])
    where = list(source.where)
    if relation in ITEM_OF:
        assert source.item is not None
        where.append(source.item == row[ITEM_OF[relation][1]])
    elements = select(_array(element(source), *source.order)).select_from(source.from_)
    return _correlated(elements.where(*where), source.from_)


def _correlated(statement: Select[Any], *own: FromClause) -> ColumnElement[Any]:
    """`statement` as a scalar subquery reading `own` and correlated to everything else it
    names: the rows of the enclosing levels (SQLAlchemy's automatic correlation looks at the
    directly enclosing SELECT only)."""
    return statement.correlate_except(*own).scalar_subquery()


def _array(element: ColumnElement[Any], *order: ColumnElement[Any]) -> ColumnElement[Any]:
    """The JSON array of `element` over the rows, in `order`; [] when there are none."""
    aggregated = (
        func.json_agg(aggregate_order_by(element, *order)) if order else func.json_agg(element)
    )
    return func.coalesce(aggregated, literal_column("'[]'::json"))


def python_isoformat(instant: ColumnElement[Any]) -> ColumnElement[str]:
    """`instant` as Python writes a UTC datetime: microseconds only when there are some."""
    utc = func.timezone("UTC", instant)
    microseconds = func.extract("microseconds", utc) % 1_000_000
    fraction = case(
        (microseconds == 0, literal("", Text)), else_=func.to_char(utc, ".US", type_=Text)
    )
    seconds = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS', type_=Text)
    return seconds + fraction + literal("+00:00", Text)


def encoded_id(prefix: str, key: ColumnElement[UUID]) -> ColumnElement[str]:
    text = literal(prefix, Text) + cast(key, Text)
    encoded = func.encode(func.convert_to(text, "UTF8"), "base64")
    return func.replace(encoded, "\n", "", type_=Text)


@dataclass(frozen=True)
class _PageRows:
    """Fresh aliases of the rows a page reads from: the FROM clause, the entity's table among
    it, and the conditions the rows must meet (the filter, and the parent)."""

    from_: FromClause
    target: FromClause
    where: tuple[ColumnElement[bool], ...]

    @staticmethod
    def of(source: PageSource, parent: Columns) -> "_PageRows":
        target = ENTITIES[source.entity].table.alias()
        where = [compile_filter(source.entity, source.filter, target)]
        if source.relation is None:
            return _PageRows(target, target, tuple(where))
        from_, parent_id = linked_rows(source.relation, target)
        where.append(parent_id == parent["id"])
        return _PageRows(from_, target, tuple(where))


class _Page:
    """One page of a connection under the current row, and the SQL of each of its parts."""

    def __init__(self, source: PageSource, parent: Columns, parts: JsonObject) -> None:
        self.source = source
        self.parent = parent
        self.parts = parts
        rows = _PageRows.of(source, parent)
        self.ordering = resolve_ordering(source.ordering, rows.target, source.search)
        window = source.window
        keys = {key.label for key in self.ordering.keys if not key.computed}
        needed = sorted(keys | {"id"} | page_columns(parts))
        self.rows = page_rows(
            rows.from_,
            [rows.target.c[name] for name in needed],
            rows.where,
            self.ordering,
            window,
            position="page_position",
        ).subquery()
        position = self.rows.c.page_position
        self.kept = position <= window.size.sql()
        self.shown = position.desc() if window.backward else position.asc()
        self.shown_backwards = position.asc() if window.backward else position.desc()

    def json(self) -> ColumnElement[Any]:
        """One row, whatever the page holds: the parts aggregate over its rows (an empty
        grouping set makes a single group even when no part aggregates)."""
        page = select(_object(self.parts, self.rows.c, self)).select_from(self.rows)
        return _correlated(page.group_by(literal_column("()")), self.rows)

    def _cursor(self) -> ColumnElement[str]:
        return cursor_column(rebound(self.ordering, self.rows), self.source.window.tag)

    def _exists(
        self, condition: Callable[[Bounds], ColumnElement[bool] | None]
    ) -> ColumnElement[bool]:
        """Some row of the filtered list meets a cursor condition (over fresh aliases)."""
        rows = _PageRows.of(self.source, self.parent)
        ordering = resolve_ordering(self.source.ordering, rows.target, self.source.search)
        chosen = condition(bounds_of(ordering, self.source.window))
        if chosen is None:
            return false()
        found = select(literal(1)).select_from(rows.from_).where(*rows.where, chosen)
        return exists(found.correlate_except(rows.from_))

    def part(self, value: JsonValue) -> ColumnElement[Any]:
        window = self.source.window
        match value:
            case RowCount():
                rows = _PageRows.of(self.source, self.parent)
                counted = select(func.count()).select_from(rows.from_).where(*rows.where)
                return _correlated(counted, rows.from_)
            case PageRows(element=element):
                return self._shown(_object(element, self.rows.c, self))
            case RowCursor():
                return self._cursor()
            case MoreRows.AFTER:
                if window.backward:
                    return self._exists(lambda bounds: bounds.at_or_after_before)
                return func.count() > window.size.sql()
            case MoreRows.BEFORE:
                if window.backward:
                    return func.count() > window.size.sql()
                return self._exists(lambda bounds: bounds.at_or_before_after)
            case BoundaryCursor.FIRST | BoundaryCursor.LAST:
                order = self.shown if value is BoundaryCursor.FIRST else self.shown_backwards
                cursors = func.array_agg(aggregate_order_by(self._cursor(), order))
                return cursors.filter(self.kept)[1]
        raise AssertionError(f"{value!r} is not a part of a page")

    def _shown(self, element: ColumnElement[Any]) -> ColumnElement[Any]:
        aggregated = func.json_agg(aggregate_order_by(element, self.shown)).filter(self.kept)
        return func.coalesce(aggregated, literal_column("'[]'::json"))


def page_columns(parts: JsonObject) -> set[str]:
    """The columns the rows of a page are read for (by its `PageRows`)."""
    used: set[str] = set()
    for _, value in parts.members:
        if isinstance(value, PageRows):
            used |= row_columns(value.element)
    return used


def _search(results: SearchResults) -> ColumnElement[Any]:
    if not results.types:
        return literal_column("'[]'::json")
    branches = []
    for ordinal, (entity, obj) in enumerate(results.types):
        hits = search_hits(entity, results.text, results.first).subquery()
        branches.append(
            select(
                hits.c.rank.label("rank"),
                literal(ordinal).label("ordinal"),
                hits.c.id.label("id"),
                _object(obj, hits.c).label("result"),
            )
        )
    merged = union_all(*branches).subquery()
    best = (
        select(merged)
        .order_by(merged.c.rank.desc(), merged.c.ordinal, merged.c.id)
        .limit(results.first.sql())
        .subquery()
    )
    return _correlated(
        select(_array(best.c.result, best.c.rank.desc(), best.c.ordinal, best.c.id)), best
    )


def row_columns(obj: JsonObject) -> set[str]:
    """The columns of the current row that `obj` reads (for tests and for trimming selects)."""
    used: set[str] = set()
    for _, value in obj.members:
        match value:
            case ColumnValue(column=column):
                used.add(column)
            case ReferencedObject(column=column, otherwise=otherwise):
                used.add(column)
                if otherwise is not None:
                    used.add(otherwise)
            case SameRowObject(object=inner, present_if=present_if):
                used |= row_columns(inner)
                if present_if is not None:
                    used.add(present_if)
            case TreatyStatusValue():
                used |= {"id", "expires_on"}
            case RelatedList(shape=shape) | RelatedValues(shape=shape):
                used.add(parent_column(shape.relation))
                if shape.relation in ITEM_OF:
                    used.add(ITEM_OF[shape.relation][1])
            case EncodedId() | NameValue() | PageObject() | IndependentSourceCount():
                used.add("id")
            case _:
                pass
    return used


class _FeedPage:
    """A page of the change feed, and the SQL of each of its parts, read over `feed_page`'s
    rows numbered in feed order (`limit` is one more than `size`: whether more follow)."""

    def __init__(self, page: FeedPage) -> None:
        self.page = page
        rows = feed_page(page.shape).subquery("feed")
        position = func.row_number().over(order_by=(rows.c.xid, rows.c.id)).label("position")
        self.rows = select(rows, position).subquery("numbered")
        columns = self.rows.c
        self.kept = and_(columns.id.is_not(None), columns.position <= page.size.sql())

    def json(self) -> ColumnElement[Any]:
        parts = select(_object(self.page.parts, self.rows.c, self)).select_from(self.rows)
        return _correlated(parts.group_by(literal_column("()")), self.rows)

    def _seen(self, xid: ColumnElement[Any]) -> ColumnElement[Any]:
        """The snapshot a position at `xid` keeps (`FeedPosition.after`), as JSON text."""
        seen, shape = self.page.seen, self.page.shape
        if seen is None or shape.position is None or shape.position.seen_xmax is None:
            return literal("null", Text)
        return case((xid < shape.position.seen_xmax.sql(), seen.sql()), else_=literal("null"))

    def _cursor(self) -> ColumnElement[str]:
        columns = self.rows.c
        pruned = (columns[PRUNED_XID], columns[PRUNED_CHANGE_ID])
        return feed_cursor_sql(columns.xid, columns.id, self._seen(columns.xid), pruned)

    def _standing(self) -> ColumnElement[str]:
        """Where a reader stands after an empty page (`read_feed_page`): at the horizon when
        no change lies past the reader's position and the horizon does, else at that position
        (the log's pruned position written in)."""
        columns, position = self.rows.c, self.page.shape.position
        horizon = func.max(columns[FEED_HORIZON])
        none_found = func.count(columns.id) == 0
        pruned = (func.max(columns[PRUNED_XID]), func.max(columns[PRUNED_CHANGE_ID]))
        at_horizon = feed_cursor_sql(horizon, literal(0), self._seen(horizon), pruned)
        if position is None:
            stayed = feed_cursor_sql(literal(0), literal(0), literal("null", Text), pruned)
            return case((and_(none_found, horizon > 0), at_horizon), else_=stayed)
        seen = literal("null", Text) if self.page.seen is None else self.page.seen.sql()
        stayed = feed_cursor_sql(position.xid.sql(), position.change_id.sql(), seen, pruned)
        advanced = and_(none_found, horizon > position.xid.sql())
        return case((advanced, at_horizon), else_=stayed)

    def part(self, value: JsonValue) -> ColumnElement[Any]:
        position = self.rows.c.position
        match value:
            case PageRows(element=element):
                built = _object(element, self.rows.c, self)
                aggregated = func.json_agg(aggregate_order_by(built, position)).filter(self.kept)
                return func.coalesce(aggregated, literal_column("'[]'::json"))
            case RowCursor():
                return self._cursor()
            case MoreRows.AFTER:
                return func.count(self.rows.c.id) > self.page.size.sql()
            case MoreRows.BEFORE:
                return false()
            case BoundaryCursor.FIRST | BoundaryCursor.LAST:
                order = position.asc() if value is BoundaryCursor.FIRST else position.desc()
                cursors = func.array_agg(aggregate_order_by(self._cursor(), order))
                boundary = cursors.filter(self.kept)[1]
                if value is BoundaryCursor.FIRST:
                    return boundary
                return func.coalesce(boundary, self._standing())
        raise AssertionError(f"{value!r} is not a part of a feed page")
