"""A statement's renderings, its sources and the statements it may be the same as.

A statement's own text, language, kind and source are its **main rendering**; its other
renderings (other words, languages, sources) are rows of `statement_renderings`. Statements that
may report the same words are linked, not merged, and the link reads the same from either end.
"""

from typing import Any

from sqlalchemy import ColumnElement, func, literal, literal_column, select, union, union_all

from api.db import tables
from api.store.entities import PARENT_KEY, entity_columns
from api.store.sources import (
    MAIN_POSITION,
    STATEMENT_SOURCE_LINKS,
    GroupedRows,
    ParentMatch,
    language_matches,
)


def renderings(parent_match: ParentMatch, language: ColumnElement[Any] | None) -> GroupedRows:
    """The statement's main rendering (its own text, language, kind, source), then the others
    in their order; only those in `language` (a tag or its primary subtag) when given."""
    statements, renderings = tables.statements.alias(), tables.statement_renderings.alias()
    shown = ("text", "language", "kind", "source_id", "translation", "distortion")
    main = select(
        statements.c.id.label(PARENT_KEY),
        *(statements.c[name] for name in shown),
        literal_column("true").label("main"),
        literal(MAIN_POSITION).label("position"),
    ).where(parent_match(statements.c.id))
    others = select(
        renderings.c.statement_id.label(PARENT_KEY),
        *(renderings.c[name] for name in shown),
        literal_column("false").label("main"),
        renderings.c.position,
    ).where(parent_match(renderings.c.statement_id))
    if language is not None:
        main = main.where(language_matches(statements.c.language, language))
        others = others.where(language_matches(renderings.c.language, language))
    both = union_all(
        main.correlate_except(statements), others.correlate_except(renderings)
    ).subquery("renderings")
    return GroupedRows(
        both,
        both.c[PARENT_KEY],
        {key: both.c[key] for key in (*shown, "main")},
        (both.c.position,),
    )


def statement_sources(parent_match: ParentMatch) -> GroupedRows:
    """The sources of the statement's renderings, the main one first, then in the renderings'
    order, none twice."""
    links, sources = STATEMENT_SOURCE_LINKS.alias(), tables.sources.alias()
    grouped = (
        select(
            *entity_columns(sources),
            links.c.statement_id.label(PARENT_KEY),
            func.min(links.c.position).label("link_position"),
        )
        .select_from(links.join(sources, sources.c.id == links.c.source_id))
        .where(parent_match(links.c.statement_id))
        .group_by(links.c.statement_id, sources.c.id)
        .correlate_except(links, sources)
        .subquery("statement_sources")
    )
    return GroupedRows(
        grouped,
        grouped.c[PARENT_KEY],
        {
            key: column
            for key, column in grouped.c.items()
            if key not in (PARENT_KEY, "link_position")
        },
        (grouped.c.link_position, grouped.c.id),
    )


def may_be_same_as(parent_match: ParentMatch) -> GroupedRows:
    """Statements linked as maybe the same words, from either end of the link, by slug."""
    links, statements = tables.statement_may_be_same_as.alias(), tables.statements.alias()
    back_links, back_statements = tables.statement_may_be_same_as.alias(), tables.statements.alias()
    forward = (
        select(*entity_columns(statements), links.c.statement_id.label(PARENT_KEY))
        .join_from(links, statements, statements.c.id == links.c.may_be_same_as_id)
        .where(parent_match(links.c.statement_id))
        .correlate_except(links, statements)
    )
    backward = (
        select(*entity_columns(back_statements), back_links.c.may_be_same_as_id.label(PARENT_KEY))
        .join_from(back_links, back_statements, back_statements.c.id == back_links.c.statement_id)
        .where(parent_match(back_links.c.may_be_same_as_id))
        .correlate_except(back_links, back_statements)
    )
    # UNION: a pair linked both ways is listed once.
    both = union(forward, backward).subquery("may_be_same_as")
    return GroupedRows(
        both,
        both.c[PARENT_KEY],
        {str(column.key): column for column in both.c if column.key != PARENT_KEY},
        (both.c.slug,),
    )
