"""The main reads use their indexes on a corpus of a few thousand rows (EXPLAIN, not timings)."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.entities import Entity
from api.store.ordering import Order, OrderDirection, StatementOrderField
from api.store.pagination import PageRequest
from api.store.reads import Store
from api.store.relations import Connection
from api.store.statements import Database

# 5,000 events, 20,000 statements (one in 500 about "coopération"), 5,000 people.
CORPUS = """
INSERT INTO participants (slug, kind) SELECT 'p-' || n, 'PERSON' FROM generate_series(1, 5000) n;
INSERT INTO participant_names (participant_id, value, language, is_primary, position)
    SELECT id, 'Personne ' || md5(slug), 'fr', true, 0 FROM participants;
INSERT INTO sources (slug, title, publisher, language)
    SELECT 's-' || n, 'source', 'publisher', 'fr' FROM generate_series(1, 200) n;
INSERT INTO events (slug, title, summary, language, kind, format, status, start_date,
                    date_precision)
    SELECT 'e-' || n, 'Réunion ' || md5(n::text), 'Résumé ' || md5((n * 7)::text), 'fr',
           'MEETING', 'VIDEO', 'HELD', date '2020-01-01' + (n % 2000), 'DAY'
    FROM generate_series(1, 5000) n;
INSERT INTO event_participants (event_id, participant_id, role)
    SELECT e.id, p.id, 'GUEST' FROM events e
    JOIN participants p ON p.slug = 'p-' || (1 + abs(hashtext(e.slug)) % 5000);
INSERT INTO statements (slug, text, language, kind, speaker_id, event_id, said_on, source_id,
                        position)
    SELECT 'st-' || n,
           'Déclaration ' || md5(n::text)
               || CASE WHEN n % 500 = 0 THEN ' sur la coopération' ELSE '' END,
           'fr', 'DIRECT_QUOTE', p.id, e.id, date '2020-01-01' + (n % 1500), s.id, n
    FROM generate_series(1, 20000) n
    JOIN participants p ON p.slug = 'p-' || (1 + n % 5000)
    JOIN events e ON e.slug = 'e-' || (1 + n % 5000)
    JOIN sources s ON s.slug = 's-' || (1 + n % 200);
VACUUM ANALYZE
"""


async def store_rows(engine: AsyncEngine, query: str) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(text(query))).scalars())


async def plans_of(database: Database, read: Callable[[], Awaitable[Any]]) -> list[str]:
    """The EXPLAIN output of each statement `read` executes, with its real parameters."""
    database.trace = []
    try:
        await read()
        executed, database.trace = database.trace, None
    finally:
        database.trace = None
    plans = []
    async with database.pool.acquire() as connection:
        for statement, arguments in executed:
            rows = await connection.fetch(f"EXPLAIN {statement}", *arguments)
            plans.append("\n".join(row[0] for row in rows))
    return plans


@pytest.mark.slow
async def test_main_reads_use_their_indexes(
    engine: AsyncEngine, database: Database, store: Store
) -> None:
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in CORPUS.split(";"):
            await autocommit.execute(text(statement))
        event_ids = list(
            (await connection.execute(text("SELECT id FROM events LIMIT 30"))).scalars()
        )

    first = await store.list(Entity.EVENT)

    async def expect(read: Callable[[], Awaitable[Any]], *indexes: str) -> None:
        (plan,) = await plans_of(database, read)
        for index in indexes:
            assert index in plan, plan

    # Pages of the default order read the (start_date, id) index, from a cursor too.
    await expect(lambda: store.list(Entity.EVENT), "Index Scan Backward using ix_events_start_date")
    await expect(
        lambda: store.list(Entity.EVENT, page=PageRequest(after=first.end_cursor)),
        "Index Cond: (ROW(start_date, id) < ROW(",
    )
    await expect(
        lambda: store.list(
            Entity.STATEMENT,
            None,
            [Order(StatementOrderField.UPDATED_AT, OrderDirection.ASC)],
            PageRequest(last=10),
        ),
        "Index Scan Backward using ix_statements_updated_at",
    )
    # Folded contains uses the trigram indexes; full text the GIN indexes.
    await expect(
        lambda: store.list(Entity.EVENT, {"title": {"contains": "ABC1"}}), "ix_events_title_trgm"
    )
    await expect(
        lambda: store.list(Entity.PARTICIPANT, {"name": {"contains": "abc1"}}),
        "ix_participant_names_value_trgm",
    )
    await expect(
        lambda: store.list(Entity.STATEMENT, {"search": "cooperation"}),
        "ix_statements_search_vector",
    )
    await expect(
        lambda: store.list(Entity.EVENT, {"search": "cooperation"}),
        "ix_events_search_vector",
        "ix_statements_search_vector",
    )
    # Statements, newest first and undated last: after a dated cursor, the dated rows by a
    # range of the index, then the undated ones, not a filter of every row before the cursor.
    deep = await store.list(Entity.STATEMENT, page=PageRequest(first=100))
    await expect(
        lambda: store.list(Entity.STATEMENT, page=PageRequest(after=deep.end_cursor)),
        "Merge Append",
        "(ROW(said_on, id) < ROW(",
        "Index Cond: (said_on IS NULL)",
    )
    # Nested pages for a batch of parents read the parent-key indexes.
    await expect(
        lambda: store.list_by_parent(Connection.EVENT_STATEMENTS, event_ids),
        "ix_statements_event_id_position",
    )
    speaker_ids = await store_rows(engine, "SELECT DISTINCT speaker_id FROM statements LIMIT 30")
    await expect(
        lambda: store.list_by_parent(Connection.PARTICIPANT_STATEMENTS, speaker_ids),
        "ix_statements_speaker_id_said_on",
    )
