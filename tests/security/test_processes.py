"""Real server processes (uvicorn, as `eventgraph serve` runs) on one PostgreSQL: a budget shared
by two processes, and a flooding client that cannot take the connections another one needs."""

import asyncio
from collections import Counter

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from tests.security.production import headers, locked, new_key, seeded, waiting_on_lock
from tests.security.served import served

EVENTS = "{ events(first: 1) { totalCount } }"
TREATIES = "{ treaties(first: 1) { totalCount } }"
FLOOD = 20


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


async def test_two_processes_cannot_spend_more_than_one_budget(seed: URL) -> None:
    key = await new_key(seed, "shared", budget_capacity=60, budget_restore_per_second=1e-6)
    # Nothing but the budget refuses: no cap on requests in flight, a patient pool.
    settings = {"max_concurrent_requests_per_client": "100", "pool_timeout_seconds": "30"}
    async with (
        served(seed, **settings) as first,
        served(seed, **settings) as second,
        httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as http,
    ):
        responses = await asyncio.gather(
            *(
                http.post(f"{server}/graphql", json={"query": EVENTS}, headers=headers(key))
                for server in (first, second)
                for _ in range(50)
            )
        )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 60, 429: 40}
    granted = [r for r in responses if r.status_code == 200]
    # Each grant took a point of its own: the points left after each are 59, 58, …, 0.
    assert sorted(int(r.headers["x-ratelimit-remaining"]) for r in granted) == list(range(60))
    refused = [r for r in responses if r.status_code == 429]
    assert {r.json()["errors"][0]["extensions"]["code"] for r in refused} == {"RATE_LIMITED"}
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        tokens = await connection.fetchval("SELECT tokens FROM rate_limit_buckets")
    finally:
        await connection.close()
    assert 0 <= tokens < 1


@pytest.mark.parametrize("flooder_has_a_key", [True, False], ids=["a key", "an address"])
async def test_a_flooding_client_leaves_the_connections_another_needs(
    seed: URL, flooder_has_a_key: bool
) -> None:
    """One client sends 20 slow requests at once (each waits on a lock, holding a connection);
    another sends a light one. The pool has 4 connections and a request waits at most a second
    for one (then 503): the light request is answered, with its data, because the flooding client
    holds only its cap of 2; the 18 others are refused at once (429), not queued."""
    flooder = await new_key(seed, "flooder") if flooder_has_a_key else None
    light = await new_key(seed, "light")
    async with (
        served(
            seed,
            pool_size="4",
            max_concurrent_requests_per_client="2",
            statement_timeout_ms="60000",
            anonymous_reads="true",
        ) as server,
        httpx.AsyncClient(base_url=server, timeout=60) as http,
    ):
        async with locked(seed, "treaties"):
            flood = [
                asyncio.create_task(
                    http.post("/graphql", json={"query": TREATIES}, headers=headers(flooder))
                )
                for _ in range(FLOOD)
            ]
            await waiting_on_lock(seed, 2)
            answer = await http.post("/graphql", json={"query": EVENTS}, headers=headers(light))
            held = sum(not task.done() for task in flood)
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"] == {"events": {"totalCount": 28}}
        statuses = Counter(response.status_code for response in await asyncio.gather(*flood))
    assert held <= 2
    assert statuses == {200: 2, 429: FLOOD - 2}


async def test_without_the_cap_a_flood_takes_every_connection(seed: URL) -> None:
    """The same flood, with a cap above it and no connection reserved: the light request
    waits its second for a connection the flood holds, and is refused. (What the test above
    guards against.)"""
    flooder = await new_key(seed, "flooder")
    light = await new_key(seed, "light")
    async with (
        served(
            seed,
            pool_size="4",
            max_concurrent_requests_per_client=str(FLOOD),
            statement_timeout_ms="60000",
            pool_reserved_connections="0",
        ) as server,
        httpx.AsyncClient(base_url=server, timeout=60) as http,
    ):
        async with locked(seed, "treaties"):
            flood = [
                asyncio.create_task(
                    http.post("/graphql", json={"query": TREATIES}, headers=headers(flooder))
                )
                for _ in range(FLOOD)
            ]
            await waiting_on_lock(seed, 4)
            answer = await http.post("/graphql", json={"query": EVENTS}, headers=headers(light))
        await asyncio.gather(*flood)
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def _flood(http: httpx.AsyncClient, key: str, stop: asyncio.Event) -> Counter[int]:
    """One worker of a flooding key: slow requests, one after the other, until `stop`."""
    statuses: Counter[int] = Counter()
    while not stop.is_set():
        response = await http.post("/graphql", json={"query": TREATIES}, headers=headers(key))
        statuses[response.status_code] += 1
    return statuses


@pytest.mark.parametrize(
    ("reserved", "answered"), [(None, True), ("0", False)], ids=["default", "no reserve"]
)
async def test_five_flooding_keys_leave_room_for_a_light_request(
    seed: URL, reserved: str | None, answered: bool
) -> None:
    """On the default settings (a pool of 10, 4 requests per key), five keys flood: each keeps
    six slow requests going (past its cap of 4: the rest refused, 429, and sent again), every
    slow one waiting on a lock with its connection. A sixth key's light requests, `{ __typename }`
    and a read, are answered meanwhile: the two reserved connections serve its key lookup, its
    debit and its read. Without the reserve the flood holds every connection, and the light
    request waits its second and is refused, as it was with three flooding keys before."""
    flooders = [await new_key(seed, f"flooder-{n}") for n in range(5)]
    light = await new_key(seed, "light")
    settings = {"statement_timeout_ms": "60000", "request_timeout_seconds": "30"}
    if reserved is not None:
        settings["pool_reserved_connections"] = reserved
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=100)
    async with (
        served(seed, **settings) as server,
        httpx.AsyncClient(base_url=server, timeout=60, limits=limits) as http,
    ):
        async with locked(seed, "treaties"):
            flood = [
                asyncio.create_task(_flood(http, key, stop)) for key in flooders for _ in range(6)
            ]
            await waiting_on_lock(seed, 8 if reserved is None else 10)
            await asyncio.sleep(0.3)  # the other flooding requests queue for the shared part
            answers = [
                await http.post("/graphql", json={"query": query}, headers=headers(light))
                for query in ("{ __typename }", EVENTS, "{ __typename }", EVENTS)
            ]
            stop.set()
        statuses = sum((await asyncio.gather(*flood)), Counter())
    # What tells the two apart is the answer, not its time: waiting for a connection ends in a
    # 503 after the pool wait (the measure), which a loaded machine can only lengthen.
    if answered:
        for answer in answers:
            assert answer.status_code == 200, answer.text
        assert answers[1].json()["data"] == {"events": {"totalCount": 28}}
        assert answers[0].json()["data"] == {"__typename": "Query"}
    else:
        assert answers[0].status_code == 503
        assert answers[0].json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    # The flood was at its cap: beyond it, refused at once.
    assert statuses[429] > 0
