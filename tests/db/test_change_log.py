"""The change log's triggers, driven by plain SQL as an operator in psql would: one row per node
per transaction, versions raised once, owned rows logged as their owner's field, nothing for a
statement that changes nothing."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest
from sqlalchemy.engine import URL

from api.db.change_log import CHANNEL
from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "fixtures" / "seed"
CALL = "xi-putin-video-call-2026-02-04"


@pytest.fixture
async def connection(database_url: URL) -> AsyncIterator[asyncpg.Connection]:
    await load_fixtures(database_url, [SEED])
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


async def changes_of(connection: asyncpg.Connection, slug: str) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        "SELECT c.op, c.version, c.actor, c.fields::text AS fields, c.type FROM changes c "
        "JOIN events e ON e.id = c.node_id WHERE e.slug = $1 ORDER BY c.xid, c.id",
        slug,
    )
    return [{**dict(row), "fields": orjson.loads(row["fields"])} for row in rows]


async def version_of(connection: asyncpg.Connection, slug: str) -> int:
    version: int = await connection.fetchval("SELECT version FROM events WHERE slug = $1", slug)
    return version


async def test_a_load_logs_each_node_created_once(connection: asyncpg.Connection) -> None:
    [created] = await changes_of(connection, CALL)
    assert created["op"] == "CREATE"
    assert created["version"] == 1
    assert created["type"] == "EVENT"
    assert created["fields"]["slug"] == {"before": None, "after": CALL}
    # Its participants came in the same transaction: the CREATE says it all.
    assert "participants" not in created["fields"]
    counts = await connection.fetch("SELECT type, count(*) FROM changes GROUP BY type")
    stored = {
        "EVENT": "events",
        "STATEMENT": "statements",
        "PARTICIPANT": "participants",
        "TREATY": "treaties",
        "TOPIC": "topics",
        "SOURCE": "sources",
    }
    for row in counts:
        assert row["count"] == await connection.fetchval(
            f"SELECT count(*) FROM {stored[row['type']]}"
        )
    assert {row["type"] for row in counts} == set(stored)


async def test_an_update_logs_before_and_after_and_raises_the_version(
    connection: asyncpg.Connection,
) -> None:
    async with connection.transaction():
        await connection.execute("SELECT set_config('eventgraph.actor', 'an editor', true)")
        await connection.execute("UPDATE events SET duration_minutes = 95 WHERE slug = $1", CALL)
    *_, change = await changes_of(connection, CALL)
    assert change["op"] == "UPDATE"
    assert change["version"] == 2
    assert change["actor"] == "an editor"
    [field] = change["fields"]
    assert field == "duration_minutes"
    assert change["fields"][field]["after"] == 95
    assert await version_of(connection, CALL) == 2


async def test_an_update_that_changes_nothing_logs_nothing(connection: asyncpg.Connection) -> None:
    before = await connection.fetchval("SELECT count(*) FROM changes")
    await connection.execute("UPDATE events SET title = title, updated_at = now()")
    await connection.execute("UPDATE event_topics SET topic_id = topic_id")
    assert await connection.fetchval("SELECT count(*) FROM changes") == before
    assert await version_of(connection, CALL) == 1


async def test_one_transaction_is_one_change_of_a_node(connection: asyncpg.Connection) -> None:
    topic = await connection.fetchval(
        "SELECT id FROM topics WHERE id NOT IN (SELECT topic_id FROM event_topics e "
        "JOIN events ON events.id = e.event_id WHERE slug = $1) LIMIT 1",
        CALL,
    )
    async with connection.transaction():
        await connection.execute("UPDATE events SET title = 'A' WHERE slug = $1", CALL)
        await connection.execute("UPDATE events SET title = 'B' WHERE slug = $1", CALL)
        await connection.execute(
            "INSERT INTO event_topics (event_id, topic_id) "
            "SELECT id, $2 FROM events WHERE slug = $1",
            CALL,
            topic,
        )
    *_, change = await changes_of(connection, CALL)
    assert change["version"] == 2
    assert await version_of(connection, CALL) == 2
    assert set(change["fields"]) == {"title", "topics"}
    assert change["fields"]["title"]["after"] == "B"
    topics = change["fields"]["topics"]
    assert len(topics["after"]) == len(topics["before"]) + 1
    assert {"topic_id": str(topic)} in topics["after"]


async def test_an_owned_row_alone_changes_its_owner(connection: asyncpg.Connection) -> None:
    await connection.execute(
        "DELETE FROM event_topics WHERE event_id = (SELECT id FROM events WHERE slug = $1)", CALL
    )
    *_, change = await changes_of(connection, CALL)
    assert change["op"] == "UPDATE"
    assert change["version"] == 2
    assert list(change["fields"]) == ["topics"]
    assert change["fields"]["topics"]["after"] == []


async def test_a_delete_is_logged_with_its_last_values(connection: asyncpg.Connection) -> None:
    event_id = await connection.fetchval("SELECT id FROM events WHERE slug = $1", CALL)
    await connection.execute("DELETE FROM statements WHERE event_id = $1", event_id)
    await connection.execute(
        "UPDATE treaty_milestones SET event_id = NULL WHERE event_id = $1", event_id
    )
    await connection.execute("DELETE FROM events WHERE id = $1", event_id)
    rows = await connection.fetch(
        "SELECT op, version, fields::text FROM changes WHERE node_id = $1 ORDER BY id", event_id
    )
    assert [row["op"] for row in rows] == ["CREATE", "DELETE"]
    assert rows[-1]["version"] == 2
    assert orjson.loads(rows[-1]["fields"])["slug"] == {"before": CALL, "after": None}


async def test_a_change_notifies_listeners(
    database_url: URL, connection: asyncpg.Connection
) -> None:
    listener = await asyncpg.connect(to_asyncpg_dsn(database_url))
    heard: list[str] = []
    await listener.add_listener(CHANNEL, lambda *args: heard.append(args[2]))
    try:
        await connection.execute("UPDATE events SET title = 'C' WHERE slug = $1", CALL)
        await listener.execute("SELECT 1")  # delivers what arrived meanwhile
        assert heard == [CHANNEL]
    finally:
        await listener.close()


async def test_reloading_the_same_files_logs_nothing(
    database_url: URL, connection: asyncpg.Connection
) -> None:
    before = await connection.fetchval("SELECT count(*) FROM changes")
    await load_fixtures(database_url, [SEED])
    assert await connection.fetchval("SELECT count(*) FROM changes") == before


async def test_a_load_names_itself_and_the_user(connection: asyncpg.Connection) -> None:
    actors = await connection.fetch("SELECT DISTINCT actor FROM changes")
    [actor] = [row["actor"] for row in actors]
    assert actor.startswith("fixtures load (")
    assert actor != "fixtures load ()"


async def test_timestamps_are_logged_in_utc_whatever_the_session_s_zone(
    connection: asyncpg.Connection,
) -> None:
    async with connection.transaction():
        await connection.execute("SET LOCAL timezone = 'Asia/Shanghai'")
        await connection.execute(
            "UPDATE events SET starts_at = '2026-02-04 15:00:00+08' WHERE slug = $1", CALL
        )
    *_, change = await changes_of(connection, CALL)
    assert change["fields"]["starts_at"]["after"] == "2026-02-04T07:00:00+00:00"
