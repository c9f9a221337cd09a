"""Optimistic concurrency and idempotency under concurrent HTTP requests, against a server
process of its own (uvicorn, as `eventgraph serve` runs it), and idempotency's rules one request
at a time."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.keys import Scope
from api.store.entities import Entity
from tests.security.production import headers, new_key, seeded
from tests.security.served import served
from tests.write.conftest import Admin
from tests.write.examples import EXAMPLES, create_mutation, update_mutation

CLIENTS = 8
CREATE_EVENT = create_mutation(Entity.EVENT)
EVENT = EXAMPLES[Entity.EVENT].create


@pytest.fixture
async def server(database_url: URL) -> AsyncIterator[tuple[str, str, URL]]:
    """A server process over a seeded database, and an admin key: (base URL, key, database)."""
    url = await seeded(database_url)
    key = await new_key(url, "Concurrent desk", Scope.ADMIN)
    # Room for every client's request at once.
    async with served(url, max_concurrent_requests_per_client=str(CLIENTS)) as base_url:
        yield base_url, key, url


async def _all_at_once(
    base_url: str, key: str, requests: list[tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers(key)) as http:
        responses = await asyncio.gather(
            *(
                http.post("/graphql", json={"query": query, "variables": variables})
                for query, variables in requests
            )
        )
    bodies = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        bodies.append(body["data"])
    return bodies


async def _fetch(url: URL, query: str, *arguments: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        return await connection.fetch(query, *arguments)
    finally:
        await connection.close()


async def test_concurrent_updates_of_one_version_make_one_change(
    server: tuple[str, str, URL],
) -> None:
    base_url, key, url = server
    (created,) = await _all_at_once(base_url, key, [(CREATE_EVENT, {"input": EVENT})])
    node_id = created["eventCreate"]["event"]["id"]
    answers = await _all_at_once(
        base_url,
        key,
        [
            (
                update_mutation(Entity.EVENT),
                {"id": node_id, "version": 1, "input": {"title": f"T{n}"}},
            )
            for n in range(CLIENTS)
        ],
    )
    outcomes = [answer["eventUpdate"] for answer in answers]
    won = [outcome for outcome in outcomes if not outcome["userErrors"]]
    lost = [outcome for outcome in outcomes if outcome["userErrors"]]
    assert len(won) == 1
    assert won[0]["event"]["version"] == 2
    assert [error["code"] for outcome in lost for error in outcome["userErrors"]] == [
        "VERSION_CONFLICT"
    ] * (CLIENTS - 1)
    versions = await _fetch(url, "SELECT version FROM events WHERE slug = $1", EVENT["slug"])
    assert [row["version"] for row in versions] == [2]


async def test_concurrent_retries_with_one_key_make_one_change(
    server: tuple[str, str, URL],
) -> None:
    base_url, key, url = server
    answers = await _all_at_once(
        base_url, key, [(CREATE_EVENT, {"input": EVENT, "key": "retry-1"})] * CLIENTS
    )
    outcomes = [answer["eventCreate"] for answer in answers]
    assert all(outcome["userErrors"] == [] for outcome in outcomes), outcomes
    assert len({outcome["event"]["id"] for outcome in outcomes}) == 1
    logged = await _fetch(
        url,
        "SELECT op FROM changes c JOIN events e ON e.id = c.node_id WHERE e.slug = $1",
        EVENT["slug"],
    )
    assert [row["op"] for row in logged] == ["CREATE"]


async def test_a_retry_gets_the_first_answer_and_changes_nothing(admin: Admin, seed: URL) -> None:
    first = await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    again = await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    assert again["data"] == first["data"]
    node_id = first["data"]["eventCreate"]["event"]["id"]
    update = update_mutation(Entity.EVENT)
    changed = await admin.post(update, id=node_id, version=1, input={"title": "A"}, key="k2")
    retried = await admin.post(update, id=node_id, version=1, input={"title": "A"}, key="k2")
    assert retried["data"] == changed["data"]
    assert retried["data"]["eventUpdate"]["event"]["version"] == 2
    logged = await _fetch(
        seed,
        "SELECT op FROM changes c JOIN events e ON e.id = c.node_id WHERE e.slug = $1 "
        "ORDER BY c.id",
        EVENT["slug"],
    )
    assert [row["op"] for row in logged] == ["CREATE", "UPDATE"]


async def test_a_key_reused_for_another_input_or_mutation_is_refused(admin: Admin) -> None:
    await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    other_input = await admin.post(CREATE_EVENT, input={**EVENT, "title": "Other"}, key="k1")
    other_mutation = await admin.post(
        create_mutation(Entity.TOPIC), input=EXAMPLES[Entity.TOPIC].create, key="k1"
    )
    for body, name in ((other_input, "eventCreate"), (other_mutation, "topicCreate")):
        payload = body["data"][name]
        assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
            (["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")
        ]


async def test_a_refused_request_keeps_nothing_under_its_key(admin: Admin) -> None:
    refused = await admin.post(CREATE_EVENT, input={**EVENT, "topics": ["nothing"]}, key="k1")
    assert refused["data"]["eventCreate"]["userErrors"]
    corrected = await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    assert corrected["data"]["eventCreate"]["userErrors"] == []


async def test_keys_are_per_api_key_and_forgotten_after_the_retention(
    admin: Admin, seed: URL
) -> None:
    other = Admin(admin.api, await new_key(seed, "Other desk", Scope.ADMIN))
    first = await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    assert first["data"]["eventCreate"]["userErrors"] == []
    # Another key's "k1" is its own: the same input is a new write (here, a duplicate slug).
    theirs = await other.post(CREATE_EVENT, input=EVENT, key="k1")
    assert [e["code"] for e in theirs["data"]["eventCreate"]["userErrors"]] == ["DUPLICATE"]
    # Past the retention, a key is forgotten: the retry is a new write.
    await _fetch(seed, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    await _fetch(
        seed,
        "INSERT INTO idempotency_keys (owner, key, request_sha256, answer, created_at) "
        "VALUES ('someone', 'old', '\\x00', 'null', now() - interval '3 days')",
    )
    again = await admin.post(CREATE_EVENT, input=EVENT, key="k1")
    assert [e["code"] for e in again["data"]["eventCreate"]["userErrors"]] == ["DUPLICATE"]
    # A write's claim prunes the expired keys (a refused write, as above, undoes its pruning).
    topic = await admin.post(
        create_mutation(Entity.TOPIC), input=EXAMPLES[Entity.TOPIC].create, key="k2"
    )
    assert topic["data"]["topicCreate"]["userErrors"] == []
    left = await _fetch(seed, "SELECT key FROM idempotency_keys")
    assert [row["key"] for row in left] == ["k2"]


async def test_concurrent_creates_of_one_slug_make_one_object(
    server: tuple[str, str, URL],
) -> None:
    """The slug is checked before the insert, and the unique index decides between writes that
    passed the check together: the others answer DUPLICATE, not a 500."""
    base_url, key, url = server
    answers = await _all_at_once(base_url, key, [(CREATE_EVENT, {"input": EVENT})] * CLIENTS)
    outcomes = [answer["eventCreate"] for answer in answers]
    assert sum(1 for outcome in outcomes if not outcome["userErrors"]) == 1
    refusals = [error for outcome in outcomes for error in outcome["userErrors"]]
    assert [(error["field"], error["code"]) for error in refusals] == [
        (["input", "slug"], "DUPLICATE")
    ] * (CLIENTS - 1)
    rows = await _fetch(url, "SELECT count(*) AS n FROM events WHERE slug = $1", EVENT["slug"])
    assert rows[0]["n"] == 1
