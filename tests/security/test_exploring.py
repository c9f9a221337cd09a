"""A person exploring the development server is not metered; everyone else is, and every 429
names the setting that changes what refused it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.app import create_app
from api.db.server import to_asyncpg_dsn
from api.settings import Environment, Settings
from tests.security.production import locked, new_key, seeded, waiting_on_lock

# The exploring query: 1,021 points on the seed corpus (28 events, a page of 20).
EXPLORING = """{ events { nodes { id title participants { participant { id name
  events { nodes { id title } } } } } } }"""
# Each needs 1,021 in the bucket and takes what it cost: the default page of 20 events comes back
# full, so 1,021 too: 5,000 points answer four, the fifth finds 916.
ANSWERED = 4
ANONYMOUS_SETTINGS = [
    "EVENTGRAPH_ANONYMOUS_COST_BUDGET",
    "EVENTGRAPH_ANONYMOUS_BUDGET_RESTORE_PER_SECOND",
    "EVENTGRAPH_UNMETERED_LOOPBACK",
]


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@asynccontextmanager
async def calling_from(
    url: URL, address: str, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app (`overrides` on the default, development, settings) whose requests
    come from `address`."""
    app = create_app(Settings(**overrides), url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 50_000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://eventgraph.test"
        ) as http:
            yield http


async def buckets(url: URL) -> list[str]:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        rows = await connection.fetch("SELECT bucket_key FROM rate_limit_buckets ORDER BY 1")
    finally:
        await connection.close()
    return [row[0] for row in rows]


async def explore(http: httpx.AsyncClient, times: int) -> list[httpx.Response]:
    return [await http.post("/graphql", json={"query": EXPLORING}) for _ in range(times)]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
async def test_a_developer_at_the_machine_is_not_metered(seed: URL, address: str) -> None:
    async with calling_from(seed, address) as http:
        responses = await explore(http, 30)  # 30,630 points: six anonymous budgets
        last = responses[-1].json()
    assert {response.status_code for response in responses} == {200}
    assert last["extensions"]["cost"]["requestedQueryCost"] == 1_021
    throttle = last["extensions"]["cost"]["throttleStatus"]
    assert throttle["currentlyAvailable"] == throttle["maximumAvailable"] == 5_000
    assert await buckets(seed) == []  # not a statement spent on a budget


async def test_another_address_is_metered_in_development_and_told_the_settings(
    seed: URL,
) -> None:
    async with calling_from(seed, "203.0.113.7") as http:
        responses = await explore(http, ANSWERED + 1)
    assert [response.status_code for response in responses] == [200] * ANSWERED + [429]
    [error] = responses[-1].json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "settings": ANONYMOUS_SETTINGS}
    for setting in ANONYMOUS_SETTINGS:
        assert setting in error["message"]
    assert await buckets(seed) == ["anonymous:203.0.113.7"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"environment": Environment.PRODUCTION, "anonymous_reads": True},
        {"unmetered_loopback": False},
    ],
    ids=["production", "turned off"],
)
async def test_the_loopback_is_metered_in_production_or_when_turned_off(
    seed: URL, overrides: dict[str, Any]
) -> None:
    async with calling_from(seed, "127.0.0.1", **overrides) as http:
        responses = await explore(http, ANSWERED + 1)
    assert [response.status_code for response in responses] == [200] * ANSWERED + [429]
    assert responses[-1].json()["errors"][0]["extensions"]["settings"] == ANONYMOUS_SETTINGS
    assert await buckets(seed) == ["anonymous:127.0.0.1"]


async def test_a_keys_429_names_the_settings_and_the_command(seed: URL) -> None:
    key = await new_key(seed, "small", budget_capacity=1_500, budget_restore_per_second=1e-6)
    async with calling_from(seed, "127.0.0.1") as http:
        auth = {"authorization": f"Bearer {key}"}
        first = await http.post("/graphql", json={"query": EXPLORING}, headers=auth)
        second = await http.post("/graphql", json={"query": EXPLORING}, headers=auth)
    assert (first.status_code, second.status_code) == (200, 429)
    [error] = second.json()["errors"]
    assert error["extensions"]["settings"] == [
        "EVENTGRAPH_KEY_BUDGET_CAPACITY",
        "EVENTGRAPH_KEY_BUDGET_RESTORE_PER_SECOND",
        "eventgraph keys create --budget-capacity --budget-restore",
    ]
    assert "eventgraph keys create --budget-capacity --budget-restore" in error["message"]


async def test_the_cap_on_requests_in_flight_names_its_setting(seed: URL) -> None:
    overrides = {"max_concurrent_requests_per_client": 1, "statement_timeout_ms": 60_000}
    async with calling_from(seed, "127.0.0.1", **overrides) as http:
        async with locked(seed, "treaties"):
            held = asyncio.create_task(
                http.post("/graphql", json={"query": "{ treaties { totalCount } }"})
            )
            await waiting_on_lock(seed, 1)
            refused = await http.post("/graphql", json={"query": "{ __typename }"})
        assert (await held).status_code == 200
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["extensions"]["settings"] == ["EVENTGRAPH_MAX_CONCURRENT_REQUESTS_PER_CLIENT"]
    assert "EVENTGRAPH_MAX_CONCURRENT_REQUESTS_PER_CLIENT" in error["message"]
