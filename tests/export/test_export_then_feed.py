"""The export's snapshot under concurrent writes, over real HTTP on a real PostgreSQL: lines of
one snapshot whatever commits while they stream; then the feed from the export's cursor, folded
onto the export, is the live corpus, with no change lost and none seen twice; and a client that
goes away mid-stream leaves no transaction behind.

The export is held in the middle of its stream deterministically: a writer holds an ACCESS
EXCLUSIVE lock on `statements` (the last type exported), so the export, having sent every other
type, waits there while the other writers commit."""

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from uuid import UUID

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.store.entities import Entity
from tests.export.corpus import (
    changes_after,
    comparable,
    connect,
    fold,
    live_corpus,
    parse_export,
)
from tests.security.production import new_key, seeded
from tests.security.served import served

SETTLE_SECONDS = 3.0
"""How soon a disconnected export must be gone: below the 5 s statement timeout, so that the
server's own cleanup, not the timeout, is what the test sees."""


@pytest.fixture
async def api(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    await seeded(database_url)
    async with (
        served(database_url, access_cache_seconds="0") as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        yield http


async def ids(connection: asyncpg.Connection, table: str) -> list[UUID]:
    return [row["id"] for row in await connection.fetch(f"SELECT id FROM {table} ORDER BY slug")]


async def export_transactions(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    """The API's connections inside a transaction (an export's snapshot), and what they wait on."""
    return await connection.fetch(
        "SELECT pid, state, wait_event_type, query FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = 'eventgraph' "
        "AND xact_start IS NOT NULL"
    )


async def until(condition: Callable[[], Awaitable[bool]], seconds: float = 4) -> None:
    """Return once `condition` holds, asked every 20 ms; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.02)


async def waiting_on_lock(connection: asyncpg.Connection) -> bool:
    return any(row["wait_event_type"] == "Lock" for row in await export_transactions(connection))


async def no_export_transaction(connection: asyncpg.Connection) -> bool:
    return not await export_transactions(connection)


async def begin(url: URL) -> tuple[asyncpg.Connection, asyncpg.transaction.Transaction]:
    connection = await connect(url)
    transaction = connection.transaction()
    await transaction.start()
    return connection, transaction


async def commit(opened: tuple[asyncpg.Connection, asyncpg.transaction.Transaction]) -> None:
    connection, transaction = opened
    await transaction.commit()
    await connection.close()


async def random_writer(
    url: URL, events: list[UUID], topics: list[UUID], stop: asyncio.Event
) -> int:
    """Small transactions on one event each, with pauses inside, some rolled back, until
    `stop`; the number committed."""
    chance = random.Random(hash(events[0]))
    committed = 0
    connection = await connect(url)
    try:
        while not stop.is_set():
            event = chance.choice(events)
            transaction = connection.transaction()
            await transaction.start()
            await connection.execute(
                "UPDATE events SET duration_minutes = $1 WHERE id = $2",
                chance.randrange(10, 500),
                event,
            )
            await asyncio.sleep(chance.uniform(0, 0.05))
            topic = chance.choice(topics)
            if chance.random() < 0.5:
                await connection.execute(
                    "INSERT INTO event_topics (event_id, topic_id) VALUES ($1, $2) "
                    "ON CONFLICT DO NOTHING",
                    event,
                    topic,
                )
            else:
                await connection.execute("DELETE FROM event_topics WHERE event_id = $1", event)
            await asyncio.sleep(chance.uniform(0, 0.05))
            if chance.random() < 0.2:
                await transaction.rollback()
            else:
                await transaction.commit()
                committed += 1
    finally:
        await connection.close()
    return committed


async def read_stream(response: httpx.Response, received: list[bytes], some: asyncio.Event) -> None:
    async for chunk in response.aiter_bytes():
        received.append(chunk)
        some.set()


async def test_export_then_feed_under_concurrent_writes_is_the_live_corpus(
    api: httpx.AsyncClient, database_url: URL
) -> None:
    key = await new_key(database_url, "partner")
    setup = await connect(database_url)
    events, topics = await ids(setup, "events"), await ids(setup, "topics")
    statement = await setup.fetchval("SELECT id FROM statements ORDER BY slug LIMIT 1")
    # Before the export, and committed: in it.
    await setup.execute("UPDATE events SET title = title || ' (before)' WHERE id = $1", events[0])
    gone = await setup.fetchval("INSERT INTO topics (slug) VALUES ('export-gone') RETURNING id")
    # Begun before the export, committed during it (slow) or after it: not in it, in the feed.
    slow = await begin(database_url)
    await slow[0].execute("UPDATE events SET duration_minutes = 11 WHERE id = $1", events[1])
    late = await begin(database_url)
    await late[0].execute("UPDATE events SET title = 'late' WHERE id = $1", events[2])
    locker = await begin(database_url)
    await locker[0].execute("LOCK TABLE statements IN ACCESS EXCLUSIVE MODE")
    await locker[0].execute(
        "UPDATE statements SET text = text || ' (locker)' WHERE id = $1", statement
    )
    # Committed before the export, after the slow ones began: in the export, above the
    # snapshot's oldest running transaction; the feed must not give it again.
    await setup.execute("UPDATE events SET title = title || ' (seen)' WHERE id = $1", events[4])
    stop = asyncio.Event()
    writers = [
        asyncio.create_task(random_writer(database_url, events[5 + i :: 3], topics, stop))
        for i in range(3)
    ]
    received: list[bytes] = []
    headers = {"authorization": f"Bearer {key}"}
    async with api.stream("GET", "/export", headers=headers) as response:
        assert response.status_code == 200
        some = asyncio.Event()
        reading = asyncio.create_task(read_stream(response, received, some))
        await until(partial(waiting_on_lock, setup))
        # The export has sent the types before statements and waits: commits land now.
        await asyncio.wait_for(some.wait(), 4)
        during = await begin(database_url)
        await during[0].execute("UPDATE events SET summary = 'during' WHERE id = $1", events[0])
        await commit(during)
        during = await begin(database_url)
        await during[0].execute(
            "INSERT INTO event_topics (event_id, topic_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            events[3],
            topics[0],
        )
        await during[0].execute("DELETE FROM topics WHERE id = $1", gone)
        await during[0].execute(
            "INSERT INTO sources (slug, title, publisher, language) "
            "VALUES ('during', 'During', 'Someone', 'en')"
        )
        await commit(during)
        await commit(slow)
        await asyncio.sleep(0.1)
        assert len(await export_transactions(setup)) == 1  # still the one snapshot
        await commit(locker)
        await reading
    stop.set()
    committed = sum(await asyncio.gather(*writers))
    assert committed > 0
    await commit(late)
    await setup.execute("UPDATE events SET title = 'after' WHERE id = $1", events[0])
    await setup.execute("DELETE FROM event_topics WHERE event_id = $1", events[3])
    await setup.close()

    exported = parse_export(b"".join(received))
    corpus = exported.corpus()
    # One snapshot: what committed during the stream is not in it, even in the part read after.
    assert (Entity.TOPIC, gone) in corpus
    assert not corpus[Entity.STATEMENT, statement].fields["text"].endswith(" (locker)")
    assert corpus[Entity.EVENT, events[1]].fields.get("duration_minutes") != 11
    assert corpus[Entity.EVENT, events[0]].fields["title"].endswith(" (before)")
    assert corpus[Entity.EVENT, events[4]].fields["title"].endswith(" (seen)")
    changes = await changes_after(api, key, exported.cursor)
    assert len({change["cursor"] for change in changes}) == len(changes)
    changed = {change["node_id"] for change in changes}
    assert {statement, events[0], events[1], events[2], events[3], gone} <= changed
    # Folded, the feed brings the export to the live corpus: nothing lost, nothing twice (a
    # change of a version the export already holds fails `fold`).
    assert comparable(fold(corpus, changes)) == comparable(await live_corpus(database_url))


async def test_a_client_gone_mid_stream_leaves_no_transaction_behind(
    api: httpx.AsyncClient, database_url: URL
) -> None:
    key = await new_key(database_url, "partner")
    watcher = await connect(database_url)
    locker = await begin(database_url)
    await locker[0].execute("LOCK TABLE statements IN ACCESS EXCLUSIVE MODE")
    try:
        headers = {"authorization": f"Bearer {key}", "accept-encoding": "gzip"}
        async with api.stream("GET", "/export", headers=headers) as response:
            assert response.status_code == 200
            await until(partial(waiting_on_lock, watcher))
            [waiting] = await export_transactions(watcher)
        # The client closed its connection: the server ends the export at once, not when the
        # statement timeout would.
        await until(partial(no_export_transaction, watcher), SETTLE_SECONDS)
        assert not await watcher.fetchval(
            "SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted", waiting["pid"]
        )
    finally:
        await commit(locker)
    # Its connection went back to the pool, healthy: the next export runs.
    response = await api.get("/export", params={"types": "TOPIC"}, headers=headers)
    assert response.status_code == 200
    assert "cursor" in response.text.splitlines()[-1]
    assert not await export_transactions(watcher)
    await watcher.close()
