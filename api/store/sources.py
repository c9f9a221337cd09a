"""Who reports what: the sources of events and statements, and how many are independent.

A source's **origin** is the wire story it reprints (`reprint_of_id`), else itself: copies of one
wire story are one origin, so that a client can tell independent confirmations from copies
(`based_on` does not collapse sources: a report that takes facts from another is still a
report of its own). An event's sources are its `event_sources`; a statement's are the sources
of its renderings, its main one (the statement's own `source_id`) included.

Each rule is one SQL expression here, read by both paths (the filters, the batched reads, the
JSON documents), never a Python twin.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Subquery,
    distinct,
    func,
    literal,
    select,
    union_all,
)

from api.db import tables

ParentMatch = Callable[[ColumnElement[UUID]], ColumnElement[bool]]
"""The condition on a related row's parent id: all of a request's parents (`= ANY($n)`), or
the one parent row a JSON document is built for (`= events_1.id`)."""


@dataclass(frozen=True)
class GroupedRows:
    """A list read from a subquery over fresh aliases (the parent matched inside it): its
    rows' `parent`, their `columns` by name, their display `order` within one parent."""

    from_: FromClause
    parent: ColumnElement[Any]
    columns: Mapping[str, ColumnElement[Any]]
    order: tuple[ColumnElement[Any], ...]


MAIN_POSITION = -1
"""Where a statement's main rendering stands among its renderings (theirs count from 0)."""


def origin(source: FromClause) -> ColumnElement[UUID]:
    """The id of the source's origin: the wire story it reprints, else its own."""
    return func.coalesce(source.c.reprint_of_id, source.c.id)


def statement_source_links() -> Subquery:
    """(statement_id, source_id, position): each rendering's source, the main one at
    `MAIN_POSITION`; a statement may list a source more than once."""
    statements, renderings = tables.statements, tables.statement_renderings
    main = select(
        statements.c.id.label("statement_id"),
        statements.c.source_id,
        literal(MAIN_POSITION).label("position"),
    )
    others = select(renderings.c.statement_id, renderings.c.source_id, renderings.c.position)
    return union_all(main, others).subquery("statement_sources")


STATEMENT_SOURCE_LINKS = statement_source_links()
"""The link a statement's `sources` filter and count go through (aliased at each use)."""


def event_independent_sources(event_id: ColumnElement[UUID]) -> ColumnElement[int]:
    """How many distinct origins the event's sources have."""
    links, sources = tables.event_sources.alias(), tables.sources.alias()
    counted = (
        select(func.count(distinct(origin(sources))))
        .select_from(links.join(sources, sources.c.id == links.c.source_id))
        .where(links.c.event_id == event_id)
    )
    return counted.correlate_except(links, sources).scalar_subquery()


def statement_independent_sources(statement_id: ColumnElement[UUID]) -> ColumnElement[int]:
    """How many distinct origins the sources of the statement's renderings have."""
    links, sources = STATEMENT_SOURCE_LINKS.alias(), tables.sources.alias()
    counted = (
        select(func.count(distinct(origin(sources))))
        .select_from(links.join(sources, sources.c.id == links.c.source_id))
        .where(links.c.statement_id == statement_id)
    )
    return counted.correlate_except(links, sources).scalar_subquery()


def language_matches(tag: ColumnElement[Any], wanted: ColumnElement[Any]) -> ColumnElement[bool]:
    """`tag` is the BCP 47 tag `wanted`, or its primary subtag is ("zh" matches "zh-Hant"),
    ignoring case as BCP 47 does."""
    lowered = func.lower(tag)
    asked = func.lower(wanted)
    return (lowered == asked) | (func.split_part(lowered, "-", 1) == asked)
