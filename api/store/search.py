"""Full-text search: one tsquery over every language's configuration, matching and ranking.

Each event and statement is indexed in its own language's configuration (accents folded before
stemming). A query's language is unknown, so it is parsed with every configuration and the
results are ORed: "évènements" stems to `even` in French and still matches plainly in `simple`.
All pieces are immutable functions of the query text, so the GIN indexes apply.
"""

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    cast,
    func,
    literal,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

from api.db import tables
from api.store.entities import ENTITIES, Entity, Row, entity_columns
from api.store.errors import StoreInputError
from api.vocabulary import STEMMED_LANGUAGES

CONFIGURATIONS = tuple(f"eventgraph_{name}" for name in [*STEMMED_LANGUAGES.values(), "simple"])
SEARCHABLE = (Entity.EVENT, Entity.STATEMENT, Entity.PARTICIPANT, Entity.TREATY, Entity.TOPIC)


class SearchHit(NamedTuple):
    entity: Entity
    row: Row
    rank: float


def checked_search_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise StoreInputError("a search needs some text")
    return text


def search_query(text: str) -> ColumnElement[Any]:
    """The tsquery for `text`: the web-search syntax, parsed in every language and ORed."""
    parsed = [
        func.websearch_to_tsquery(cast(literal(name), REGCONFIG), literal(text), type_=TSQUERY)
        for name in CONFIGURATIONS
    ]
    return functools.reduce(lambda left, right: left.op("||", return_type=TSQUERY)(right), parsed)


def matches(entity: Entity, table: FromClause, text: str) -> ColumnElement[bool]:
    """Events: the title or summary, or any of the event's statements; statements: the text."""
    query = search_query(checked_search_text(text))
    if entity is Entity.STATEMENT:
        return table.c.search_vector.bool_op("@@")(query)
    if entity is not Entity.EVENT:
        raise TypeError(f"{entity.name} has no full-text search")
    # A union of two GIN index scans, rather than an OR that would scan every event.
    event, statement = tables.events.alias(), tables.statements.alias()
    matching = union(
        select(event.c.id).where(event.c.search_vector.bool_op("@@")(query)),
        select(statement.c.event_id).where(
            statement.c.search_vector.bool_op("@@")(query), statement.c.event_id.is_not(None)
        ),
    )
    return table.c.id.in_(matching)


def relevance(entity: Entity, table: FromClause, text: str) -> ColumnElement[Any]:
    """ts_rank of the row's vector; for an event, its title/summary rank plus the rank of its
    best-matching statement, so a meeting whose quotes match ranks with its own words."""
    query = search_query(checked_search_text(text))
    own = func.ts_rank(table.c.search_vector, query, type_=Float)
    if entity is Entity.STATEMENT:
        return own
    if entity is not Entity.EVENT:
        raise TypeError(f"{entity.name} has no full-text relevance")
    statement = tables.statements.alias()
    best_statement = (
        select(func.max(func.ts_rank(statement.c.search_vector, query, type_=Float)))
        .where(
            statement.c.event_id == table.c.id,
            statement.c.search_vector.bool_op("@@")(query),
        )
        .scalar_subquery()
    )
    return own + func.coalesce(best_statement, 0)


def name_search(entity: Entity, text: str, first: int) -> Select[Any]:
    """Participants, treaties or topics whose name or label has a word like `text` (trigram word
    similarity on folded text, so "poutine" finds "Vladimir Poutine"), best first."""
    spec = ENTITIES[entity]
    assert spec.names is not None
    table, names = spec.table, spec.names.names.alias()
    folded_query = func.eventgraph_fold(text)
    folded_name = func.eventgraph_fold(names.c.value)
    owner = names.c[spec.names.owner_column]
    ranked = (
        select(
            owner.label("owner_id"),
            func.max(func.word_similarity(folded_query, folded_name, type_=Float)).label("rank"),
        )
        .where(folded_query.bool_op("<%")(folded_name))
        .group_by(owner)
        .subquery()
    )
    return (
        select(*entity_columns(table), ranked.c.rank)
        .join_from(table, ranked, ranked.c.owner_id == table.c.id)
        .order_by(ranked.c.rank.desc(), table.c.id)
        .limit(first)
    )


def text_search(entity: Entity, text: str, first: int) -> Select[Any]:
    """Events or statements matching `text`, most relevant first."""
    table = ENTITIES[entity].table
    rank = relevance(entity, table, text).label("rank")
    return (
        select(*entity_columns(table), rank)
        .where(matches(entity, table, text))
        .order_by(rank.desc(), table.c.id)
        .limit(first)
    )


def search_statements(
    text: str, types: Sequence[Entity], first: int
) -> list[tuple[Entity, Select[Any]]]:
    """One statement per type, each ranked and limited to `first`; merged by the caller."""
    checked_search_text(text)
    statements: list[tuple[Entity, Select[Any]]] = []
    for entity in types:
        if entity not in SEARCHABLE:
            raise TypeError(f"{entity.name} is not searchable")
        if entity in (Entity.EVENT, Entity.STATEMENT):
            statements.append((entity, text_search(entity, text, first)))
        else:
            statements.append((entity, name_search(entity, text, first)))
    return statements
