"""Subscriptions served by real server processes (production mode), on the real PostgreSQL, to a
real WebSocket client: across processes, through a lost listening connection, after a client
vanishes, and the refusals and bounds."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.security.keys import Scope, create_key, revoke_key
from api.settings import PROJECT_ROOT
from api.subscriptions.hub import LISTENER_NAME
from tests.security.served import served, served_process
from tests.subscriptions.client import (
    CALL,
    bearer,
    gauges,
    global_id,
    live_client,
    refusal,
    retitle,
)

SEED = PROJECT_ROOT / "fixtures" / "seed"
EVENT_CHANGED = "subscription($id: ID!) { eventChanged(id: $id) { title } }"
CHANGES = """subscription($after: String) {
  changes(after: $after, types: [EVENT]) { cursor op fields { name after } }
}"""
# The timer would mask a lost notification: these servers read on notifications only.
NO_TIMER = {"subscription_poll_seconds": "600", "metrics": "public"}


@pytest.fixture
async def primary(database_url: URL) -> AsyncIterator[asyncpg.Connection]:
    await load_fixtures(database_url, [SEED])
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def key(primary: asyncpg.Connection) -> str:
    return (await create_key(primary, "live", [Scope.READ])).secret


RETITLE = """
mutation Retitle($id: ID!) {
  eventUpdate(id: $id, input: {title: "Edited"}) { userErrors { code } }
}
"""


def titles(messages: list[dict[str, Any]]) -> list[str]:
    """The title each change of the `CHANGES` subscription set."""
    found = []
    for message in messages:
        change = message["payload"]["data"]["changes"]
        assert change["op"] == "UPDATE"
        [field] = change["fields"]
        assert field["name"] == "title"
        found.append(field["after"])
    return found


async def test_a_change_reaches_subscribers_of_every_process_within_a_second(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    async with (
        served(database_url, **NO_TIMER) as a,
        served(database_url, **NO_TIMER) as b,
        live_client(a, bearer(key)) as on_a,
        live_client(b, bearer(key)) as on_b,
    ):
        event = await global_id(a, key)
        for client in (on_a, on_b):
            await client.subscribe(EVENT_CHANGED, {"id": event})
        await asyncio.sleep(0.5)  # both subscribed (they start from the feed's end)
        started = time.monotonic()
        await retitle(primary, "Renamed")
        for client in (on_a, on_b):
            message = await client.receive(1.0)
            assert message["payload"] == {"data": {"eventChanged": {"title": "Renamed"}}}
        assert time.monotonic() - started < 1.0
        # An editor's mutation through A reaches the subscriber on B as well.
        editor = (await create_key(primary, "editor", [Scope.ADMIN])).secret
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=a, headers=bearer(editor)) as http:
            answer = await http.post(
                "/graphql", json={"query": RETITLE, "variables": {"id": event}}
            )
        assert answer.json()["data"]["eventUpdate"]["userErrors"] == []
        for client in (on_a, on_b):
            message = await client.receive(1.0)
            assert message["payload"] == {"data": {"eventChanged": {"title": "Edited"}}}
        assert time.monotonic() - started < 1.0


async def test_a_killed_listener_loses_and_repeats_nothing_and_a_client_resumes_from_its_cursor(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    after = [f"after {number}" for number in range(8)]
    async with served_process(
        database_url, subscription_listener_ping_seconds="0.5", **NO_TIMER
    ) as (server, pid):
        async with live_client(server, bearer(key)) as client:
            await client.subscribe(CHANGES)
            await asyncio.sleep(0.5)
            await retitle(primary, "before")
            assert titles([await client.receive(1.0)]) == ["before"]
            name = f"{LISTENER_NAME} {pid}"
            # Killed in the writing transaction: its notification has no listener to reach.
            async with primary.transaction():
                killed = await primary.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = $1",
                    name,
                )
                await primary.execute("UPDATE events SET title = 'during' WHERE slug = $1", CALL)
            assert killed == 1
            await retitle(primary, *after)
            received = [await client.receive(3.0) for _ in range(9)]
            assert titles(received) == ["during", *after]
            assert await client.quiet(1.0) == []
            listening = await primary.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name
            )
            assert listening == 1, "the listening connection was re-opened"
            last = received[-1]["payload"]["data"]["changes"]["cursor"]
        # Away, then back with the last cursor: exactly what it missed.
        await retitle(primary, "missed 1", "missed 2")
        async with live_client(server, bearer(key)) as client:
            await client.subscribe(CHANGES, {"after": last})
            back = [await client.receive(3.0) for _ in range(2)]
            assert titles(back) == ["missed 1", "missed 2"]
            assert await client.quiet(1.0) == []


async def test_a_vanished_client_leaves_no_subscription_task_listener_or_queue(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    async with served(database_url, **NO_TIMER) as server:
        event = await global_id(server, key)
        async with live_client(server, bearer(key)) as client:
            for _ in range(3):
                await client.subscribe(EVENT_CHANGED, {"id": event})
            await until(server, eventgraph_subscriptions=3)
            assert await gauges(server) == {
                "eventgraph_subscriptions": 3,
                "eventgraph_subscription_hub_tasks": 2,
                "eventgraph_change_listeners": 1,
                "eventgraph_websocket_connections": 1,
            }
            # No close frame: the TCP connection just goes.
            client.socket.transport.abort()
        await until(server, eventgraph_websocket_connections=0)
        await until(server, eventgraph_subscriptions=0)
        assert await gauges(server) == {
            "eventgraph_subscriptions": 0,
            "eventgraph_subscription_hub_tasks": 0,
            "eventgraph_change_listeners": 0,
            "eventgraph_websocket_connections": 0,
        }
        listeners = await primary.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1",
            f"{LISTENER_NAME}%",
        )
        assert listeners == 0


async def until(server: str, **expected: float) -> None:
    for _ in range(100):
        found = await gauges(server)
        if all(found.get(name) == value for name, value in expected.items()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{expected} never held: {await gauges(server)}")


async def test_a_bad_revoked_or_missing_key_is_refused_and_a_revoked_one_ends_its_subscriptions(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    async with (
        served(database_url, access_cache_seconds="0") as server,
        live_client(server, bearer(key)) as client,
    ):
        forbidden = (4403, "Forbidden")
        assert await refusal(server, bearer("eg_live_00000000_" + "x" * 43)) == forbidden
        assert await refusal(server, {"Authorization": "Basic abc"}) == forbidden
        assert await refusal(server, {}) == forbidden  # production: no anonymous reads
        await client.subscribe(CHANGES)
        await asyncio.sleep(0.5)
        await revoke_key(primary, "live")
        assert await refusal(server, bearer(key)) == forbidden
        # A subscription open when its key was revoked ends at its next change.
        await retitle(primary, "after the revocation")
        ended = await client.receive()
        [error] = ended["payload"]["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await client.receive())["type"] == "complete"


async def test_a_slow_consumer_and_too_many_subscriptions_end_with_a_code_and_a_cursor(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    async with (
        served(
            database_url, subscription_queue_size="3", subscriptions_per_connection="2"
        ) as server,
        live_client(server, bearer(key)) as client,
    ):
        event = await global_id(server, key)
        slow = await client.subscribe(EVENT_CHANGED, {"id": event})
        await client.subscribe(EVENT_CHANGED, {"id": event})
        third = await client.subscribe(EVENT_CHANGED, {"id": event})
        refused = await client.receive()
        assert refused["id"] == third, refused
        [error] = refused["payload"]["errors"]
        assert error["extensions"] == {
            "code": "RATE_LIMITED",
            "settings": ["EVENTGRAPH_SUBSCRIPTIONS_PER_CONNECTION"],
        }
        assert (await client.receive())["type"] == "complete"
        # One statement changes every event: more changes at once than the queue may hold.
        events = await primary.fetchval("SELECT count(*) FROM events")
        assert events > 3
        await primary.execute("UPDATE events SET title = title || '.'")
        ended = [message for message in await client.quiet(2.0) if message["id"] == slow]
        *_, last, done = ended
        assert done["type"] == "complete"
        [error] = last["payload"]["errors"]
        assert error["extensions"]["code"] == "SLOW_CONSUMER"
        assert isinstance(error["extensions"]["cursor"], str)
        assert "EVENTGRAPH_SUBSCRIPTION_QUEUE_SIZE" in error["message"]


async def test_subscriptions_go_over_websocket_and_only_they(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    async with served(database_url) as server, live_client(server, bearer(key)) as client:
        async with httpx.AsyncClient(base_url=server) as http:
            answer = await http.post(
                "/graphql",
                json={"query": "subscription { statementAdded { text } }"},
                headers={"Authorization": f"Bearer {key}"},
            )
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "WebSocket" in error["message"]
        query = await client.subscribe("{ events(first: 1) { totalCount } }")
        refused = await client.receive()
        assert refused["id"] == query
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_statement_added_answers_only_the_statements_its_filter_matches(
    database_url: URL, primary: asyncpg.Connection, key: str
) -> None:
    original = await primary.fetchrow("SELECT slug, language FROM statements ORDER BY slug LIMIT 1")
    assert original is not None
    added = "subscription($filter: StatementFilter) { statementAdded(filter: $filter) { text } }"
    async with served(database_url) as server, live_client(server, bearer(key)) as client:
        matching = await client.subscribe(
            added, {"filter": {"language": {"eq": original["language"]}}}
        )
        await client.subscribe(added, {"filter": {"language": {"eq": "xx-none"}}})
        await asyncio.sleep(0.5)
        # A copy of a statement, as an operator would insert one (generated columns aside).
        names = [
            row["attname"]
            for row in await primary.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'statements'::regclass "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
            )
        ]
        columns = ", ".join(f'"{name}"' for name in names)
        copied = ", ".join(f'copy."{name}"' for name in names)
        await primary.execute(
            f"INSERT INTO statements ({columns}) SELECT {copied} FROM statements s, "
            "jsonb_populate_record(NULL::statements, to_jsonb(s) || jsonb_build_object("
            "'id', gen_random_uuid(), 'slug', s.slug || '-again', 'text', 'Said again.', "
            "'position', s.position + 100000)) AS copy WHERE s.slug = $1",
            original["slug"],
        )
        received = await client.quiet(1.5)
        assert received == [
            {
                "id": matching,
                "type": "next",
                "payload": {"data": {"statementAdded": {"text": "Said again."}}},
            }
        ]
