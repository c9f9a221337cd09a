"""The bounds of one process: a whole-request timeout, a short wait for a connection that fails
with 503, and PostgreSQL going away and coming back (503 meanwhile, recovery by itself).

The waits these tests rely on are the settings' (`pool_timeout_seconds`, one second by
default, is the longest a request waits for a connection, and the connection attempt itself
gives up after as long): the tests check what the client is answered, not how fast.
"""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from tests.security.database_proxy import DatabaseProxy
from tests.security.production import codes, locked, new_key, production, seeded, waiting_on_lock

TREATIES = "{ treaties(first: 1) { totalCount } }"
EVENTS = "{ events(first: 1) { totalCount } }"


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def key(seed: URL) -> str:
    return await new_key(seed, "partner")


async def statements_waiting(url: URL) -> int:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        waiting: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'eventgraph' AND wait_event_type = 'Lock'"
        )
        return waiting
    finally:
        await connection.close()


async def test_a_request_past_the_whole_request_timeout_is_504_and_cancelled(
    seed: URL, key: str
) -> None:
    # The statement would wait for the lock a minute; the request may take half a second.
    async with production(seed, request_timeout_seconds=0.5, statement_timeout_ms=60_000) as api:
        async with locked(seed, "treaties"):
            response = await api.post(TREATIES, key=key)
            assert (response.status_code, codes(response)) == (504, ["TIMEOUT"])
            assert "data" not in response.json()
            # Its statement was cancelled in PostgreSQL too, not left waiting.
            for _ in range(200):
                if await statements_waiting(seed) == 0:
                    break
                await asyncio.sleep(0.05)
            assert await statements_waiting(seed) == 0
        again = await api.post(TREATIES, key=key)
    assert again.json()["data"] == {"treaties": {"totalCount": 3}}


async def test_a_statement_past_the_statement_timeout_is_504(seed: URL, key: str) -> None:
    async with production(seed, statement_timeout_ms=200) as api, locked(seed, "treaties"):
        response = await api.post(TREATIES, key=key)
    assert (response.status_code, codes(response)) == (504, ["TIMEOUT"])


async def test_no_connection_free_in_time_is_503_with_retry_after(seed: URL, key: str) -> None:
    async with production(seed, pool_size=1, metrics="public") as api:
        async with api.database.pool.acquire():  # the pool's one connection, taken
            response = await api.post(EVENTS, key=key)
            metrics = (await api.http.get("/metrics")).text
        assert "eventgraph_pool_connections_in_use 1.0" in metrics.splitlines()
        assert (response.status_code, codes(response)) == (503, ["SERVICE_UNAVAILABLE"])
        assert response.headers["retry-after"] == "1"
        assert "data" not in response.json()
        after = await api.post(EVENTS, key=key)
    assert after.json()["data"] == {"events": {"totalCount": 28}}


async def test_one_request_waiting_on_the_database_leaves_the_pool_to_others(
    seed: URL, key: str
) -> None:
    # A statement waiting on a lock holds one connection; the other serves another client's
    # request (of a pool of 2, one is shared and one reserved: the same client's second request
    # would wait for the shared one).
    other = await new_key(seed, "other")
    async with production(seed, pool_size=2) as api, locked(seed, "treaties"):
        held = asyncio.create_task(api.post(TREATIES, key=key))
        await waiting_on_lock(seed, 1)
        light = await api.post(EVENTS, key=other)
        assert not held.done()
    assert light.json()["data"] == {"events": {"totalCount": 28}}
    assert (await held).status_code == 200


@pytest.fixture
async def proxy(seed: URL) -> AsyncIterator[DatabaseProxy]:
    proxy = DatabaseProxy(seed)
    await proxy.start()
    yield proxy
    if proxy.running:
        await proxy.stop()


async def test_the_database_going_away_is_503_and_its_return_is_noticed(
    proxy: DatabaseProxy, key: str
) -> None:
    async with production(proxy.url) as api:
        assert (await api.post(EVENTS, key=key)).status_code == 200
        assert (await api.http.get("/readyz")).status_code == 200

        await proxy.stop()
        down = await api.post(EVENTS, key=key)
        assert (down.status_code, codes(down)) == (503, ["SERVICE_UNAVAILABLE"])
        assert down.headers["retry-after"] == "1"
        assert (await api.http.get("/readyz")).status_code == 503
        assert (await api.http.get("/healthz")).status_code == 200

        await proxy.start()
        back = await api.post(EVENTS, key=key)
        assert back.json()["data"] == {"events": {"totalCount": 28}}
        assert (await api.http.get("/readyz")).status_code == 200


async def test_an_app_started_while_the_database_is_down_recovers_by_itself(
    proxy: DatabaseProxy, key: str
) -> None:
    await proxy.stop()
    async with production(proxy.url) as api:
        down = await api.post(EVENTS, key=key)
        assert (down.status_code, codes(down)) == (503, ["SERVICE_UNAVAILABLE"])
        await proxy.start()
        back = await api.post(EVENTS, key=key)
    assert back.json()["data"] == {"events": {"totalCount": 28}}
