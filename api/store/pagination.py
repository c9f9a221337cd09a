"""Keyset pagination for every connection, top-level and nested: one helper, opaque cursors.

A cursor is the urlsafe base64 of a compact JSON list: the ordering's tag (which names the
connection, the order and, under RELEVANCE, the search text) followed by the row's sort-key
values, ending with its id. Pages start strictly after / before a cursor position, so inserts
never shift or repeat rows.

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
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
)

from api.settings import Settings
from api.store.entities import PARENT_KEY, Row, id_array
from api.store.errors import StoreInputError
from api.store.ordering import Ordering, SortKey


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
class PageWindow:
    """A checked page request: how many rows, which way, and the decoded cursor positions."""

    size: int
    backward: bool
    after: tuple[Any, ...] | None
    before: tuple[Any, ...] | None


def resolve_window(request: PageRequest, ordering: Ordering, settings: Settings) -> PageWindow:
    if request.first is not None and request.last is not None:
        raise StoreInputError("pass either first or last, not both")
    for argument, size in (("first", request.first), ("last", request.last)):
        if size is not None and size < 0:
            raise StoreInputError(f"{argument} must not be negative")
        if size is not None and size > settings.max_page_size:
            raise StoreInputError(f"{argument} must be at most {settings.max_page_size}")
    backward = request.last is not None
    size = request.last if request.last is not None else request.first
    return PageWindow(
        size=settings.default_page_size if size is None else size,
        backward=backward,
        after=None if request.after is None else decode_cursor(ordering, request.after),
        before=None if request.before is None else decode_cursor(ordering, request.before),
    )


# ---------------------------------------------------------------- cursors


def encode_cursor(ordering: Ordering, row: Row) -> str:
    values = [_cursor_value(row[key.label]) for key in ordering.keys]
    payload = orjson.dumps([ordering.tag, *values])
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


def _cursor_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return value.hex
    return value


def decode_cursor(ordering: Ordering, cursor: str) -> tuple[Any, ...]:
    """The sort-key values a cursor holds, checked against the ordering it must come from."""
    try:
        payload = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = orjson.loads(payload)
    except (binascii.Error, ValueError):
        raise StoreInputError("malformed cursor") from None
    if not isinstance(decoded, list) or len(decoded) != len(ordering.keys) + 1:
        raise StoreInputError("malformed cursor")
    if decoded[0] != ordering.tag:
        raise StoreInputError("this cursor belongs to another connection or ordering")
    try:
        return tuple(
            _key_value(key, value) for key, value in zip(ordering.keys, decoded[1:], strict=True)
        )
    except (TypeError, ValueError):
        raise StoreInputError("malformed cursor") from None


def _key_value(key: SortKey, value: Any) -> Any:
    if value is None:
        if not key.nullable:
            raise ValueError("a cursor misses a value")
        return None
    if key.value_type is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if key.value_type is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise TypeError("a cursor value has the wrong type")
    if key.value_type is str:
        return value
    if key.value_type is UUID:
        return UUID(hex=value)
    if key.value_type is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor date-time has no offset")
        return moment
    if key.value_type is date:
        return date.fromisoformat(value)
    raise TypeError(f"a {key.value_type} cannot come from a cursor")


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


def _bound(key: SortKey, value: Any) -> ColumnElement[Any]:
    return literal(value, key.expression.type)


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
        right = tuple_(*(_bound(key, value) for key, value in zip(keys, values, strict=True)))
        return _compare(left, right, descending=first.descending, inclusive=inclusive)
    key, value = first.expression, values[0]
    if value is None:
        return false() if first.nulls_last else key.is_not(None)
    after = _compare(key, _bound(first, value), descending=first.descending, inclusive=inclusive)
    if not first.nullable:
        return after
    return or_(after, key.is_(None)) if first.nulls_last else and_(key.is_not(None), after)


def _equal(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            conditions.append(key.expression.is_(None))
        elif key.nullable:
            conditions.append(
                and_(key.expression.is_not(None), key.expression == _bound(key, value))
            )
        else:
            conditions.append(key.expression == _bound(key, value))
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


def _bounds(ordering: Ordering, window: PageWindow) -> Bounds:
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


def _query_order(keys: Sequence[SortKey], window: PageWindow) -> list[ColumnElement[Any]]:
    """ORDER BY in the direction the rows are read: reversed for `last`."""
    return [(key.reversed() if window.backward else key).order_clause() for key in keys]


def _computed_keys(ordering: Ordering) -> list[ColumnElement[Any]]:
    return [key.expression.label(key.label) for key in ordering.keys if key.computed]


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
    bounds = _bounds(ordering, window)
    page = (
        select(*columns, *_computed_keys(ordering))
        .select_from(table)
        .where(where, bounds.in_page)
        .order_by(*_query_order(ordering.keys, window))
        .limit(window.size + 1)
        .subquery("page")
    )
    meta = select(
        select(func.count()).select_from(table).where(where).scalar_subquery().label("total_count"),
        _exists_where(table, where, bounds.at_or_before_after).label("rows_before"),
        _exists_where(table, where, bounds.at_or_after_before).label("rows_after"),
    ).subquery("meta")
    page_keys = [replace(key, expression=page.c[key.label]) for key in ordering.keys]
    return (
        select(meta, *page.c)
        .select_from(meta.outerjoin(page, true()))
        .order_by(*_query_order(page_keys, window))
    )


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
    parent_ids: Sequence[UUID],
    where: ColumnElement[bool],
    ordering: Ordering,
    window: PageWindow,
) -> Select[Any]:
    """One page per parent, for all parents at once, each with its total.

    Rows are numbered per (parent, inside the cursor bounds or not); the statement keeps the
    first size + 1 rows inside the bounds and one row outside them, which carries the parent's
    total and flags when its page is empty.
    """
    bounds = _bounds(ordering, window)
    in_page = bounds.in_page

    def any_row(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
        if condition is None:
            return false()
        return func.bool_or(condition).over(partition_by=parent)

    ranked = (
        select(
            *columns,
            *_computed_keys(ordering),
            parent.label(PARENT_KEY),
            func.count().over(partition_by=parent).label("total_count"),
            any_row(bounds.at_or_before_after).label("rows_before"),
            any_row(bounds.at_or_after_before).label("rows_after"),
            in_page.label("in_page"),
            func.row_number()
            .over(partition_by=(parent, in_page), order_by=_query_order(ordering.keys, window))
            .label("position_in_page"),
        )
        .select_from(from_)
        .where(parent == id_array(parent_ids), where)
        .subquery("ranked")
    )
    kept = or_(
        and_(ranked.c.in_page, ranked.c.position_in_page <= window.size + 1),
        and_(not_(ranked.c.in_page), ranked.c.position_in_page == 1),
    )
    return (
        select(ranked)
        .where(kept)
        .order_by(ranked.c[PARENT_KEY], ranked.c.in_page.desc(), ranked.c.position_in_page)
    )


# ---------------------------------------------------------------- results


def read_page(rows: Sequence[Row], ordering: Ordering, window: PageWindow) -> Page:
    """The Page from the rows of `page_statement` (an empty page is one row without an id)."""
    meta = rows[0]
    return _page(
        [row for row in rows if row["id"] is not None],
        total_count=meta["total_count"],
        rows_before=meta["rows_before"],
        rows_after=meta["rows_after"],
        ordering=ordering,
        window=window,
    )


def read_pages_by_parent(
    rows: Sequence[Row], parent_ids: Sequence[UUID], ordering: Ordering, window: PageWindow
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
            ordering=ordering,
            window=window,
        )
    return pages


def _page(
    rows: list[Row],
    *,
    total_count: int,
    rows_before: bool,
    rows_after: bool,
    ordering: Ordering,
    window: PageWindow,
) -> Page:
    overflow = len(rows) > window.size
    rows = rows[: window.size]
    if window.backward:
        rows.reverse()
        has_previous_page = overflow
        has_next_page = window.before is not None and rows_after
    else:
        has_next_page = overflow
        has_previous_page = window.after is not None and rows_before
    cursors = tuple(encode_cursor(ordering, row) for row in rows)
    return Page(
        rows=tuple(rows),
        cursors=cursors,
        has_next_page=has_next_page,
        has_previous_page=has_previous_page,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
        total_count=total_count,
    )
