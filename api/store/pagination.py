"""Keyset pagination for every connection, top-level and nested: one helper, opaque cursors.

A cursor is the urlsafe base64 (unpadded) of a JSON list: the ordering's tag (which names the
connection, the order and, under RELEVANCE, the search text) followed by the row's sort-key
values, ending with its id. PostgreSQL writes it (`cursor_column`), so that every read path
makes the same cursor for the same row; Python reads it back (`decode_cursor`). Pages start
strictly after / before a cursor position, so inserts never shift or repeat rows.

Each page is one SQL statement with its total count. Top-level lists read the page through the
ordering's index (LIMIT size + 1) and the count and the "rows beyond the cursor" flags as scalar
subqueries beside it. Nested lists read every parent's page at once with window functions
partitioned by parent.

Relay flags: with `first`, has_next_page = more rows follow the page; has_previous_page = an
`after` cursor was given and some row of the filtered set sorts at or before it. With `last`,
mirrored: has_previous_page = more rows precede the page; has_next_page = a `before` cursor was
given and some row sorts at or after it.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    any_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from api.settings import Settings
from api.store.entities import PARENT_KEY, Entity, FilterSpec, ListRelation, Row
from api.store.errors import StoreInputError
from api.store.filters import FilterShape, bind_filter
from api.store.ordering import (
    Order,
    Ordering,
    OrderingShape,
    SortKey,
    ordering_shape,
    ordering_tag,
)
from api.store.params import Param, Params, ParamType
from api.store.relations import CONNECTIONS, Connection


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row]
    """In the connection's order, also for `last`. Rows may carry bookkeeping keys
    (`total_count`, `rows_before`, `rows_after`, `in_page`, `position_in_page`)."""
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
    total_count: int


EMPTY_PAGE = Page((), (), False, False, None, None, 0)


@dataclass(frozen=True)
class WindowShape:
    """A checked page request, bound: which way it reads, the page size and cursor positions
    as placeholders (None for a NULL key value), and the cursor tag to write."""

    backward: bool
    size: Param
    after: tuple[Param | None, ...] | None
    before: tuple[Param | None, ...] | None
    tag: Param


@dataclass(frozen=True)
class PageWindow:
    """What Python needs to read a page back: its shape and its size."""

    shape: WindowShape
    size: int


CURSOR_PARAM_TYPES: dict[type, ParamType] = {
    str: ParamType.TEXT,
    int: ParamType.INTEGER,
    float: ParamType.FLOAT,
    date: ParamType.DATE,
    datetime: ParamType.TIMESTAMPTZ,
    UUID: ParamType.UUID,
}


def bind_window(
    request: PageRequest, ordering: OrderingShape, tag: str, settings: Settings, params: Params
) -> PageWindow:
    """`request` checked against the page limits and the ordering its cursors must come from."""
    if request.first is not None and request.last is not None:
        raise StoreInputError("pass either first or last, not both")
    for argument, size in (("first", request.first), ("last", request.last)):
        if size is not None and size < 0:
            raise StoreInputError(f"{argument} must not be negative")
        if size is not None and size > settings.max_page_size:
            raise StoreInputError(f"{argument} must be at most {settings.max_page_size}")
    requested = request.last if request.last is not None else request.first
    size = settings.default_page_size if requested is None else requested

    def position(cursor: str | None) -> tuple[Param | None, ...] | None:
        if cursor is None:
            return None
        values = decode_cursor(ordering, tag, cursor)
        types = [*(definition.value_type for definition in ordering.key_definitions()), UUID]
        return tuple(
            None if value is None else params.add(value, CURSOR_PARAM_TYPES[value_type])
            for value, value_type in zip(values, types, strict=True)
        )

    shape = WindowShape(
        backward=request.last is not None,
        size=params.add(size, ParamType.INTEGER),
        after=position(request.after),
        before=position(request.before),
        tag=params.add(tag, ParamType.TEXT),
    )
    return PageWindow(shape, size)


@dataclass(frozen=True)
class PageSource:
    """A page, bound: `entity`'s rows under a parent through `relation` (or all of them, for a
    root list), filtered, ordered and windowed. Hashable: a statement's shape."""

    entity: Entity
    relation: ListRelation | None
    filter: FilterShape
    search: Param | None
    ordering: OrderingShape
    window: WindowShape


def bind_page(
    entity: Entity,
    connection: Connection | None,
    filter: FilterSpec | None,
    order: Sequence[Order],
    page: PageRequest,
    settings: Settings,
    params: Params,
) -> tuple[PageSource, PageWindow]:
    """A page request checked and bound: of all `entity` rows, or of `connection`. The filter's
    own `search` (not one nested in and/or) is what RELEVANCE ranks by."""
    spec = None if connection is None else CONNECTIONS[connection]
    where = bind_filter(entity, filter, params)
    search_text = filter.get("search") if filter else None
    search = None if search_text is None else params.add(search_text, ParamType.TEXT)
    shape = ordering_shape(
        entity, order, search=search is not None, default=spec.default_order if spec else None
    )
    tag = ordering_tag(shape, entity.name if connection is None else connection.name, search_text)
    window = bind_window(page, shape, tag, settings, params)
    relation = None if spec is None else spec.relation
    return PageSource(entity, relation, where, search, shape, window.shape), window


# ---------------------------------------------------------------- cursors


def cursor_column(ordering: Ordering, tag: Param) -> ColumnElement[str]:
    """The cursor of each row: base64url of `[tag, key values…]`, written by PostgreSQL (whose
    base64 breaks lines every 76 characters: the breaks are dropped with the padding)."""
    listing = func.json_build_array(tag.sql(), *(key.expression for key in ordering.keys))
    base64 = func.encode(func.convert_to(cast(listing, Text), "UTF8"), "base64")
    return func.rtrim(func.translate(base64, "+/\n", "-_"), "=", type_=Text)


def decode_cursor(ordering: OrderingShape, tag: str, cursor: str) -> tuple[Any, ...]:
    """The sort-key values a cursor holds, checked against the ordering it must come from."""
    try:
        payload = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = orjson.loads(payload)
    except (binascii.Error, ValueError):
        raise StoreInputError("malformed cursor") from None
    definitions = ordering.key_definitions()
    if not isinstance(decoded, list) or len(decoded) != len(definitions) + 2:
        raise StoreInputError("malformed cursor")
    if decoded[0] != tag:
        raise StoreInputError("this cursor belongs to another connection or ordering")
    kinds = [*((d.value_type, d.nullable) for d in definitions), (UUID, False)]
    try:
        return tuple(
            _key_value(value_type, nullable, value)
            for (value_type, nullable), value in zip(kinds, decoded[1:], strict=True)
        )
    except (TypeError, ValueError):
        raise StoreInputError("malformed cursor") from None


def _key_value(value_type: type, nullable: bool, value: Any) -> Any:
    if value is None:
        if not nullable:
            raise ValueError("a cursor misses a value")
        return None
    if value_type is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if value_type is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise TypeError("a cursor value has the wrong type")
    if value_type is str:
        return value
    if value_type is UUID:
        return UUID(value)
    if value_type is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor date-time has no offset")
        return moment
    if value_type is date:
        return date.fromisoformat(value)
    raise TypeError(f"a {value_type} cannot come from a cursor")


# ---------------------------------------------------------------- keyset predicates


def keyset_after(
    keys: Sequence[SortKey], values: Sequence[Any], *, inclusive: bool = False
) -> ColumnElement[bool]:
    """Rows sorting after `values` (or at them, if `inclusive`) in the order of `keys`.

    Runs of non-nullable keys in one direction compare as a row value, `(start_date, id) <
    (:d, :id)`, which PostgreSQL turns into an index range; a nullable key expands by hand,
    written so that the result is never NULL: nested pages select it as a column (`in_page`).
    """
    segments: list[tuple[list[SortKey], list[Any]]] = []
    for key, value in zip(keys, values, strict=True):
        previous = segments[-1][0][-1] if segments else None
        if (
            previous is not None
            and not previous.nullable
            and not key.nullable
            and previous.descending == key.descending
        ):
            segments[-1][0].append(key)
            segments[-1][1].append(value)
        else:
            segments.append(([key], [value]))
    condition: ColumnElement[bool] | None = None
    for segment_keys, segment_values in reversed(segments):
        if condition is None:
            # The last segment ends with the id, never NULL: `inclusive` only matters there.
            condition = _after(segment_keys, segment_values, inclusive=inclusive)
        else:
            strictly = _after(segment_keys, segment_values, inclusive=False)
            condition = or_(strictly, and_(_equal(segment_keys, segment_values), condition))
    assert condition is not None
    return condition


def _compare(
    left: ColumnElement[Any], right: ColumnElement[Any], *, descending: bool, inclusive: bool
) -> ColumnElement[bool]:
    if descending:
        return left <= right if inclusive else left < right
    return left >= right if inclusive else left > right


def _after(keys: list[SortKey], values: list[Any], *, inclusive: bool) -> ColumnElement[bool]:
    first = keys[0]
    if len(keys) > 1:
        left = tuple_(*(key.expression for key in keys))
        right = tuple_(*(value.sql() for key, value in zip(keys, values, strict=True)))
        return _compare(left, right, descending=first.descending, inclusive=inclusive)
    key, value = first.expression, values[0]
    if value is None:
        return false() if first.nulls_last else key.is_not(None)
    after = _compare(key, value.sql(), descending=first.descending, inclusive=inclusive)
    if not first.nullable:
        return after
    return or_(after, key.is_(None)) if first.nulls_last else and_(key.is_not(None), after)


def _equal(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            conditions.append(key.expression.is_(None))
        elif key.nullable:
            conditions.append(and_(key.expression.is_not(None), key.expression == value.sql()))
        else:
            conditions.append(key.expression == value.sql())
    return and_(*conditions)


@dataclass(frozen=True)
class Bounds:
    """The cursor conditions of a window, in the ordering's forward sense."""

    after: ColumnElement[bool] | None
    """Strictly after the `after` cursor: inside the page."""
    before: ColumnElement[bool] | None
    """Strictly before the `before` cursor: inside the page."""
    at_or_before_after: ColumnElement[bool] | None
    """At or before the `after` cursor: rows that precede the page."""
    at_or_after_before: ColumnElement[bool] | None
    """At or after the `before` cursor: rows that follow the page."""

    @property
    def in_page(self) -> ColumnElement[bool]:
        return and_(true(), *(c for c in (self.after, self.before) if c is not None))


def bounds_of(ordering: Ordering, window: WindowShape) -> Bounds:
    """The cursor conditions of `window` on the rows `ordering` sorts."""
    keys, reversed_keys = ordering.keys, [key.reversed() for key in ordering.keys]
    after, before = window.after, window.before
    return Bounds(
        after=None if after is None else keyset_after(keys, after),
        before=None if before is None else keyset_after(reversed_keys, before),
        at_or_before_after=None
        if after is None
        else keyset_after(reversed_keys, after, inclusive=True),
        at_or_after_before=None if before is None else keyset_after(keys, before, inclusive=True),
    )


def query_order(keys: Sequence[SortKey], window: WindowShape) -> list[ColumnElement[Any]]:
    """ORDER BY in the direction the rows are read: reversed for `last`."""
    return [(key.reversed() if window.backward else key).order_clause() for key in keys]


def computed_keys(ordering: Ordering) -> list[ColumnElement[Any]]:
    return [key.expression.label(key.label) for key in ordering.keys if key.computed]


def page_ranges(ordering: Ordering, window: WindowShape) -> tuple[ColumnElement[bool], ...]:
    """The rows of a page's window, as conditions each read by one index range in read order.

    One, but for a cursor on a row whose first key has a value, in an ordering whose first key
    is nullable and sorts NULLs last: the rows after it are `k < v OR k = v AND id < i OR k IS
    NULL`, an OR no index range serves, so PostgreSQL read the index from its start and filtered
    out every row before the cursor (10,000 for the bench's Q6: 5 ms a request). Split in two,
    each is a range: the keyed rows after the cursor, compared as one row value, then the rows
    without a key.
    """
    first, after = ordering.keys[0], window.after
    if (
        window.backward
        or window.before is not None
        or after is None
        or after[0] is None
        or not (first.nullable and first.nulls_last)
    ):
        return (bounds_of(ordering, window).in_page,)
    keyed = (replace(first, nullable=False), *ordering.keys[1:])
    return (
        and_(first.expression.is_not(None), keyset_after(keyed, after)),
        first.expression.is_(None),
    )


def page_rows(
    from_: FromClause,
    columns: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]],
    ordering: Ordering,
    window: WindowShape,
    *,
    position: str | None = None,
) -> Select[Any]:
    """The rows of one page of the rows `where` picks from `from_` (and one more, to tell
    whether more follow), in read order, with `columns` and the computed keys; with their place
    in the page (from 1) as `position` if named. Each range of `page_ranges` reads at most as
    many, and their UNION ALL is ordered and cut again."""
    order = query_order(ordering.keys, window)
    limit = window.size.sql() + 1
    selected = [*columns, *computed_keys(ordering)]

    def numbered(keys: Ordering) -> list[ColumnElement[Any]]:
        if position is None:
            return []
        read_order = query_order(keys.keys, window)
        return [func.row_number().over(order_by=read_order).label(position)]

    ranges = page_ranges(ordering, window)
    if len(ranges) == 1:
        return (
            select(*selected, *numbered(ordering))
            .select_from(from_)
            .where(*where, ranges[0])
            .order_by(*order)
            .limit(limit)
            .correlate_except(from_)
        )
    parts = union_all(
        *(
            select(*selected)
            .select_from(from_)
            .where(*where, condition)
            .order_by(*order)
            .limit(limit)
            .correlate_except(from_)
            for condition in ranges
        )
    ).subquery("ranges")
    in_parts = rebound(ordering, parts)
    return (
        select(*parts.c, *numbered(in_parts))
        .select_from(parts)
        .order_by(*query_order(in_parts.keys, window))
        .limit(limit)
    )


# ---------------------------------------------------------------- statements


def page_statement(
    table: FromClause,
    columns: Sequence[ColumnElement[Any]],
    where: ColumnElement[bool],
    ordering: Ordering,
    window: PageWindow,
) -> Select[Any]:
    """One page of a top-level list plus its total, as one statement.

    The page reads through the ordering's index; the count and the flags are uncorrelated
    subqueries, evaluated once. The page is outer-joined to them so that an empty page still
    returns one row carrying the total.
    """
    shape = window.shape
    bounds = bounds_of(ordering, shape)
    page = page_rows(table, columns, [where], ordering, shape).subquery("page")
    meta = select(
        select(func.count()).select_from(table).where(where).scalar_subquery().label("total_count"),
        _exists_where(table, where, bounds.at_or_before_after).label("rows_before"),
        _exists_where(table, where, bounds.at_or_after_before).label("rows_after"),
    ).subquery("meta")
    on_page = rebound(ordering, page)
    return (
        select(meta, *page.c, cursor_column(on_page, shape.tag).label("cursor"))
        .select_from(meta.outerjoin(page, true()))
        .order_by(*query_order(on_page.keys, shape))
    )


def rebound(ordering: Ordering, rows: FromClause) -> Ordering:
    """`ordering` read from the columns of `rows`, a subquery that selects every key."""
    return Ordering(tuple(replace(key, expression=rows.c[key.label]) for key in ordering.keys))


def _exists_where(
    table: FromClause, where: ColumnElement[bool], condition: ColumnElement[bool] | None
) -> ColumnElement[bool]:
    if condition is None:
        return false()
    return exists(select(literal(1)).select_from(table).where(where, condition))


def pages_by_parent_statement(
    from_: FromClause,
    columns: Sequence[ColumnElement[Any]],
    parent: ColumnElement[UUID],
    parent_ids: Param,
    where: ColumnElement[bool],
    ordering: Ordering,
    window: PageWindow,
) -> Select[Any]:
    """One page per parent, for all parents at once, each with its total.

    Rows are numbered per (parent, inside the cursor bounds or not); the statement keeps the
    first size + 1 rows inside the bounds and one row outside them, which carries the parent's
    total and flags when its page is empty.
    """
    shape = window.shape
    bounds = bounds_of(ordering, shape)
    in_page = bounds.in_page

    def any_row(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        if condition is None:
            return false()
        return func.bool_or(condition).over(partition_by=parent)

    ranked = (
        select(
            *columns,
            *computed_keys(ordering),
            parent.label(PARENT_KEY),
            func.count().over(partition_by=parent).label("total_count"),
            any_row(bounds.at_or_before_after).label("rows_before"),
            any_row(bounds.at_or_after_before).label("rows_after"),
            in_page.label("in_page"),
            func.row_number()
            .over(partition_by=(parent, in_page), order_by=query_order(ordering.keys, shape))
            .label("position_in_page"),
        )
        .select_from(from_)
        .where(parent == any_(parent_ids.sql()), where)
        .subquery("ranked")
    )
    kept = or_(
        and_(ranked.c.in_page, ranked.c.position_in_page <= shape.size.sql() + 1),
        and_(not_(ranked.c.in_page), ranked.c.position_in_page == 1),
    )
    return (
        select(ranked, cursor_column(rebound(ordering, ranked), shape.tag).label("cursor"))
        .where(kept)
        .order_by(ranked.c[PARENT_KEY], ranked.c.in_page.desc(), ranked.c.position_in_page)
    )


# ---------------------------------------------------------------- results


def read_page(rows: Sequence[Row], window: PageWindow) -> Page:
    """The Page from the rows of `page_statement` (an empty page is one row without an id)."""
    meta = rows[0]
    return _page(
        [row for row in rows if row["id"] is not None],
        total_count=meta["total_count"],
        rows_before=meta["rows_before"],
        rows_after=meta["rows_after"],
        window=window,
    )


def read_pages_by_parent(
    rows: Sequence[Row], parent_ids: Sequence[UUID], window: PageWindow
) -> dict[UUID, Page]:
    """A Page for every parent id, from the rows of `pages_by_parent_statement`."""
    by_parent: dict[UUID, list[Row]] = {}
    for row in rows:
        by_parent.setdefault(row[PARENT_KEY], []).append(row)
    pages = {}
    for parent_id in parent_ids:
        parent_rows = by_parent.get(parent_id)
        if not parent_rows:
            pages[parent_id] = EMPTY_PAGE
            continue
        meta = parent_rows[0]
        pages[parent_id] = _page(
            [row for row in parent_rows if row["in_page"]],
            total_count=meta["total_count"],
            rows_before=meta["rows_before"],
            rows_after=meta["rows_after"],
            window=window,
        )
    return pages


def _page(
    rows: list[Row],
    *,
    total_count: int,
    rows_before: bool,
    rows_after: bool,
    window: PageWindow,
) -> Page:
    overflow = len(rows) > window.size
    rows = rows[: window.size]
    shape = window.shape
    if shape.backward:
        rows.reverse()
        has_previous_page = overflow
        has_next_page = shape.before is not None and rows_after
    else:
        has_next_page = overflow
        has_previous_page = shape.after is not None and rows_before
    cursors = tuple(str(row["cursor"]) for row in rows)
    return Page(
        rows=tuple(rows),
        cursors=cursors,
        has_next_page=has_next_page,
        has_previous_page=has_previous_page,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
        total_count=total_count,
    )
