"""Full-text search: one tsquery over every language's configuration, matching and ranking.

Each event and statement is indexed in its own language's configuration (accents folded before
stemming, so "evenement" and "évènements" both stem to `even` in French). A query's language is
unknown, so it is parsed with every configuration and the results are ORed: that one tsquery is
a constant of the query text, and the GIN index answers it. Each candidate row is then checked
against the query parsed in the row's own language alone, because a negation does not survive
the OR: "Chine -Russie" parsed in German is `chin & !russi`, which a French vector holding
`chin` and `russ` would satisfy. Ranks use the row's own-language query too.

Every parsed query is an uncorrelated scalar subquery, so PostgreSQL parses it once per statement
(an InitPlan) rather than once per row, whether the plan is custom or generic.

The ranked search (`search_hits`) is bounded for short and common words: it ranks at most
`RANKED_MATCHES` rows found by the full-text index (of events by their own text, of events by
their statements, of statements), whichever the index yields first, and searches names only
for a query of `NAME_QUERY_MIN_LENGTH` characters or more (a one-letter trigram query matches
most names).
"""

import functools
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    and_,
    case,
    func,
    literal_column,
    select,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

from api.db import tables
from api.store.entities import ENTITIES, Entity, entity_columns
from api.store.params import Param
from api.vocabulary import STEMMED_LANGUAGES

RANKED_MATCHES = 1_000
"""The most rows of one kind (or one path to events) the ranked search ranks."""
DEFAULT_SEARCH_SIZE = 20
"""How many results a search returns when its size is left out."""
NAME_QUERY_MIN_LENGTH = 2
"""The shortest query (spaces aside) the ranked search compares names and labels with."""
CONFIGURATIONS = tuple(f"eventgraph_{name}" for name in [*STEMMED_LANGUAGES.values(), "simple"])


def configuration(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'::regconfig", REGCONFIG)


def parsed(name: str, text: Param) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(configuration(name), text.sql(), type_=TSQUERY)


def search_query(text: Param) -> ColumnElement[Any]:
    """The tsquery for `text`: the web-search syntax, parsed in every language and ORed."""
    queries = [parsed(name, text) for name in CONFIGURATIONS]
    combined = functools.reduce(
        lambda left, right: left.op("||", return_type=TSQUERY)(right), queries
    )
    return select(combined).scalar_subquery()


def own_language_query(table: FromClause, text: Param) -> ColumnElement[Any]:
    """`text` parsed in the configuration of each row's language."""
    row_configuration = func.eventgraph_search_config(table.c.language, type_=REGCONFIG)
    *stemmed, simple = CONFIGURATIONS
    return case(
        *(
            (row_configuration == configuration(name), select(parsed(name, text)).scalar_subquery())
            for name in stemmed
        ),
        else_=select(parsed(simple, text)).scalar_subquery(),
    )


def vector_matches(table: FromClause, text: Param) -> ColumnElement[bool]:
    """The row's vector matches `text`: found through the index, confirmed in its language."""
    vector = table.c.search_vector
    return and_(
        vector.bool_op("@@")(search_query(text)),
        vector.bool_op("@@")(own_language_query(table, text)),
    )


def matches(
    entity: Entity, table: FromClause, text: Param, *, limit: int | None = None
) -> ColumnElement[bool]:
    """Events: the title or summary, or any of the event's statements; statements: the text.
    With `limit`, only the first `limit` rows each index scan finds (for the ranked search)."""
    if entity is Entity.STATEMENT:
        if limit is None:
            return vector_matches(table, text)
        statement = tables.statements.alias()
        found = select(statement.c.id).where(vector_matches(statement, text)).limit(limit)
        return table.c.id.in_(found)
    if entity is not Entity.EVENT:
        raise TypeError(f"{entity.name} has no full-text search")
    # A union of two GIN index scans, rather than an OR that would scan every event.
    event, statement = tables.events.alias(), tables.statements.alias()
    by_text = select(event.c.id).where(vector_matches(event, text))
    by_statements = select(statement.c.event_id).where(
        vector_matches(statement, text), statement.c.event_id.is_not(None)
    )
    if limit is None:
        return table.c.id.in_(union(by_text, by_statements))
    # UNION ALL, so that each branch stops at its limit (IN removes the duplicates).
    return table.c.id.in_(union_all(by_text.limit(limit), by_statements.limit(limit)))


def relevance(entity: Entity, table: FromClause, text: Param) -> ColumnElement[Any]:
    """ts_rank of the row's vector; for an event, its title/summary rank plus the rank of its
    best-matching statement, so a meeting whose quotes match ranks with its own words."""
    own = func.ts_rank(table.c.search_vector, own_language_query(table, text), type_=Float)
    if entity is Entity.STATEMENT:
        return own
    if entity is not Entity.EVENT:
        raise TypeError(f"{entity.name} has no full-text relevance")
    statement = tables.statements.alias()
    own_query = own_language_query(statement, text)
    statement_rank = func.ts_rank(statement.c.search_vector, own_query, type_=Float)
    # The match is an aggregate FILTER, not a WHERE: the event's few statements are found by
    # their event_id index and tested one by one. As a WHERE, PostgreSQL ANDs the full-text
    # index into every event's lookup, which reads the whole posting list of a common word
    # once per event (30 s for "a" over 10,000 events).
    best_statement = (
        select(func.max(statement_rank).filter(statement.c.search_vector.bool_op("@@")(own_query)))
        .where(statement.c.event_id == table.c.id)
        .scalar_subquery()
    )
    return own + func.coalesce(best_statement, 0)


def name_rank(entity: Entity, text: Param) -> Select[Any]:
    """(owner_id, rank) of the participants, treaties or topics whose name or label has a word
    like `text` (trigram word similarity on folded text, so "poutine" finds "Vladimir Poutine")."""
    spec = ENTITIES[entity]
    assert spec.names is not None
    names = spec.names.names.alias()
    folded_query = func.eventgraph_fold(text.sql())
    folded_name = func.eventgraph_fold(names.c.value)
    owner = names.c[spec.names.owner_column]
    return (
        select(
            owner.label("owner_id"),
            func.max(func.word_similarity(folded_query, folded_name, type_=Float)).label("rank"),
        )
        .where(
            # A condition on the query alone: PostgreSQL tests it once, before any scan.
            func.char_length(func.btrim(text.sql())) >= NAME_QUERY_MIN_LENGTH,
            folded_query.bool_op("<%")(folded_name),
        )
        .group_by(owner)
    )


def source_rank(text: Param) -> Select[Any]:
    """(owner_id, rank) of the sources whose title or publisher has a word like `text` (as
    `name_rank`; sources have no names table)."""
    source = tables.sources.alias()
    folded_query = func.eventgraph_fold(text.sql())
    folded_source = func.eventgraph_fold(func.concat_ws(" ", source.c.title, source.c.publisher))
    return select(
        source.c.id.label("owner_id"),
        func.word_similarity(folded_query, folded_source, type_=Float).label("rank"),
    ).where(
        func.char_length(func.btrim(text.sql())) >= NAME_QUERY_MIN_LENGTH,
        folded_query.bool_op("<%")(folded_source),
    )


def search_hits(entity: Entity, text: Param, first: Param) -> Select[Any]:
    """The `first` best rows of `entity` for `text` with their `rank`, best first: events and
    statements by full-text relevance, the others by the word similarity of their best name
    (sources: of their title and publisher)."""
    table = ENTITIES[entity].table
    if entity in (Entity.EVENT, Entity.STATEMENT):
        rank = relevance(entity, table, text).label("rank")
        return (
            select(*entity_columns(table), rank)
            .where(matches(entity, table, text, limit=RANKED_MATCHES))
            .order_by(rank.desc(), table.c.id)
            .limit(first.sql())
        )
    ranked = (source_rank(text) if entity is Entity.SOURCE else name_rank(entity, text)).subquery()
    return (
        select(*entity_columns(table), ranked.c.rank)
        .join_from(table, ranked, ranked.c.owner_id == table.c.id)
        .order_by(ranked.c.rank.desc(), table.c.id)
        .limit(first.sql())
    )
