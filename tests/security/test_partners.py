"""What a partner meets on /graphql in production: keys and scopes (401, 403), the budget and its
headers (429), the cap on requests in flight, persisted queries and trusted documents."""

import asyncio
import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.keys import Scope, revoke_key
from api.security.persisted import add_documents, document_hash, split_operations
from tests.security.production import (
    Production,
    codes,
    headers,
    locked,
    new_key,
    production,
    seeded,
    waiting_on_lock,
)

EVENTS = "{ events(first: 1) { totalCount } }"
# 1 for events, 5 for the statements page under each of its 5 events.
COSTS_SIX = "{ events(first: 5) { nodes { statements(first: 1) { totalCount } } } }"
TREATIES = "{ treaties(first: 1) { totalCount } }"
NO_REFILL = 1e-6


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def api(seed: URL) -> AsyncIterator[Production]:
    async with production(seed, access_cache_seconds=0) as served:
        yield served


# ---------------------------------------------------------------- keys and scopes


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer two keys",
        "Bearer not-an-eventgraph-key",
        "Bearer eg_live_00000000_" + "A" * 43,  # of the shape, but unknown
    ],
)
async def test_a_missing_malformed_or_unknown_key_is_401(
    api: Production, authorization: str | None
) -> None:
    request_headers = {} if authorization is None else {"authorization": authorization}
    response = await api.http.post("/graphql", json={"query": EVENTS}, headers=request_headers)
    assert (response.status_code, codes(response)) == (401, ["UNAUTHENTICATED"])
    assert response.headers["www-authenticate"] == 'Bearer realm="eventgraph"'
    assert "data" not in response.json()


async def test_a_revoked_key_is_401(api: Production, seed: URL) -> None:
    key = await new_key(seed, "Le Monde")
    assert (await api.post(EVENTS, key=key)).status_code == 200
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        await revoke_key(connection, "Le Monde")
    finally:
        await connection.close()
    response = await api.post(EVENTS, key=key)
    assert (response.status_code, codes(response)) == (401, ["UNAUTHENTICATED"])


async def test_a_key_without_the_admin_scope_runs_registered_operations_only(
    seed: URL,
) -> None:
    reader = await new_key(seed, "reader", Scope.READ)
    admin = await new_key(seed, "operator", Scope.READ, Scope.ADMIN)
    (registered,) = split_operations(EVENTS)
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        await add_documents(connection, [registered])
    finally:
        await connection.close()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": registered.sha256}}
    async with production(seed, trusted_documents_only=True) as api:
        refused = await api.post(TREATIES, key=reader)
        by_admin = await api.post(TREATIES, key=admin)
        by_hash = await api.http.post(
            "/graphql", json={"extensions": extensions}, headers=headers(reader)
        )
        as_text = await api.post(registered.document, key=reader)
    assert (refused.status_code, codes(refused)) == (403, ["FORBIDDEN"])
    assert by_admin.json()["data"] == {"treaties": {"totalCount": 3}}
    assert by_hash.json()["data"] == {"events": {"totalCount": 28}}
    assert as_text.json()["data"] == {"events": {"totalCount": 28}}


# ---------------------------------------------------------------- the budget


async def test_every_answer_carries_the_budget(api: Production, seed: URL) -> None:
    key = await new_key(seed, "small", budget_capacity=10, budget_restore_per_second=NO_REFILL)
    response = await api.post(COSTS_SIX, key=key)
    assert response.status_code == 200
    assert response.headers["x-ratelimit-limit"] == "10"
    assert response.headers["x-ratelimit-remaining"] == "4"
    assert int(response.headers["x-ratelimit-reset"]) > 0
    assert "retry-after" not in response.headers
    assert response.json()["extensions"]["cost"] == {
        "requestedQueryCost": 6,
        "actualQueryCost": 6,
        "throttleStatus": {
            "maximumAvailable": 10,
            "currentlyAvailable": 4,
            "restoreRate": NO_REFILL,
        },
    }


async def test_a_request_the_budget_cannot_pay_is_429_and_runs_nothing(
    api: Production, seed: URL
) -> None:
    key = await new_key(seed, "small", budget_capacity=10, budget_restore_per_second=0.5)
    await api.post(COSTS_SIX, key=key)
    executed = api.database.executed
    refused = await api.post(COSTS_SIX, key=key)
    assert (refused.status_code, codes(refused)) == (429, ["RATE_LIMITED"])
    assert "data" not in refused.json()
    assert api.database.executed == executed
    assert refused.headers["x-ratelimit-remaining"] == "4"
    # 2 points missing, 0.5 a second: 4 seconds.
    assert refused.headers["retry-after"] == "4"
    # A refused request spends nothing: a cheaper one still runs.
    assert (await api.post(EVENTS, key=key)).headers["x-ratelimit-remaining"] == "3"


async def test_a_request_above_the_whole_capacity_is_refused_without_retry_after(
    api: Production, seed: URL
) -> None:
    key = await new_key(seed, "tiny", budget_capacity=5)
    response = await api.post(COSTS_SIX, key=key)
    assert (response.status_code, codes(response)) == (429, ["RATE_LIMITED"])
    assert "retry-after" not in response.headers
    assert response.headers["x-ratelimit-limit"] == "5"


async def test_anonymous_clients_have_a_budget_per_address(seed: URL) -> None:
    async with production(seed, anonymous_reads=True, anonymous_cost_budget=6) as api:
        first = await api.post(COSTS_SIX)
        second = await api.post(COSTS_SIX)
        elsewhere = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app, client=("192.0.2.7", 4000)),
            base_url="http://eventgraph.test",
        )
        async with elsewhere:
            other = await elsewhere.post("/graphql", json={"query": COSTS_SIX})
    assert first.status_code == 200
    assert (second.status_code, codes(second)) == (429, ["RATE_LIMITED"])
    assert other.status_code == 200


# ---------------------------------------------------------------- requests in flight


async def test_a_client_runs_at_most_its_cap_of_requests_at_once(seed: URL) -> None:
    flooder = await new_key(seed, "flooder")
    bystander = await new_key(seed, "bystander")
    async with (
        production(seed, max_concurrent_requests_per_client=2) as api,
        locked(seed, "treaties"),
    ):
        held = [asyncio.create_task(api.post(TREATIES, key=flooder)) for _ in range(2)]
        await waiting_on_lock(seed, 2)
        third = await api.post(TREATIES, key=flooder)
        light = await api.post(EVENTS, key=bystander)
        assert not any(task.done() for task in held)
    assert (third.status_code, codes(third)) == (429, ["RATE_LIMITED"])
    assert third.headers["retry-after"] == "1"
    assert "x-ratelimit-remaining" not in third.headers  # the budget was not asked
    assert light.json()["data"] == {"events": {"totalCount": 28}}
    assert [(await task).status_code for task in held] == [200, 200]


async def test_anonymous_clients_are_capped_per_address(seed: URL) -> None:
    async with (
        production(seed, anonymous_reads=True, max_concurrent_requests_per_client=1) as api,
        locked(seed, "treaties"),
    ):
        held = asyncio.create_task(api.post(TREATIES))
        await waiting_on_lock(seed, 1)
        second = await api.post(EVENTS)
        elsewhere = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app, client=("192.0.2.7", 4000)),
            base_url="http://eventgraph.test",
        )
        async with elsewhere:
            other = await elsewhere.post("/graphql", json={"query": EVENTS})
    assert (second.status_code, codes(second)) == (429, ["RATE_LIMITED"])
    assert other.json()["data"] == {"events": {"totalCount": 28}}
    assert (await held).status_code == 200


# ---------------------------------------------------------------- persisted queries


async def test_automatic_persisted_queries_over_http(api: Production, seed: URL) -> None:
    key = await new_key(seed, "apollo")
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(EVENTS)}}
    unknown = await api.http.post("/graphql", json={"extensions": extensions}, headers=headers(key))
    assert (unknown.status_code, codes(unknown)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert unknown.headers["cache-control"] == "private, no-cache, must-revalidate"
    registered = await api.post(EVENTS, key=key, extensions=extensions)
    by_hash = await api.http.post("/graphql", json={"extensions": extensions}, headers=headers(key))
    assert registered.json()["data"] == by_hash.json()["data"] == {"events": {"totalCount": 28}}
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    mismatch = await api.post(EVENTS, key=key, extensions=wrong)
    assert (mismatch.status_code, codes(mismatch)) == (400, ["BAD_USER_INPUT"])


async def test_a_get_of_a_persisted_query_is_cacheable(api: Production, seed: URL) -> None:
    key = await new_key(seed, "cdn")
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(EVENTS)}}
    await api.post(EVENTS, key=key, extensions=extensions)
    params = {"extensions": json.dumps(extensions)}
    first = await api.http.get("/graphql", params=params, headers=headers(key))
    assert first.headers["cache-control"] == "public, max-age=60"
    assert "Authorization" in first.headers["vary"]
    etag = first.headers["etag"]
    again = await api.http.get(
        "/graphql", params=params, headers={**headers(key), "if-none-match": etag}
    )
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
