"""The feed never skips a transaction that started earlier and commits later: it stops below the
oldest transaction still running, on separate connections, with no sleep standing in for proof."""

import asyncpg
from sqlalchemy.engine import URL

from schema.global_ids import encode_global_id
from tests.feed.conftest import Feed, connect

CALL = "xi-putin-video-call-2026-02-04"


async def event_id(connection: asyncpg.Connection, slug: str) -> str:
    """The global ID of the event `slug`."""
    return encode_global_id(
        "Event", await connection.fetchval("SELECT id FROM events WHERE slug = $1", slug)
    )


async def test_a_transaction_still_running_holds_the_feed_back(feed: Feed, seeded_url: URL) -> None:
    _, cursor = await feed.drain()
    first, second = await connect(seeded_url), await connect(seeded_url)
    try:
        other = await first.fetchval("SELECT slug FROM events WHERE slug <> $1 LIMIT 1", CALL)
        a = first.transaction()
        await a.start()
        await first.execute("UPDATE events SET title = 'A' WHERE slug = $1", CALL)
        async with second.transaction():
            await second.execute("UPDATE events SET title = 'B' WHERE slug = $1", other)
        # B has committed, A has not: the feed returns neither, and stays before A.
        page = await feed.page(cursor)
        assert page.changes == []
        assert not page.has_next_page
        held = page.end_cursor
        assert (await feed.page(held)).changes == []
        await a.commit()
        changes, _ = await feed.drain(held)
        assert [(change["nodeId"], change["fields"][0]["after"]) for change in changes] == [
            (await event_id(first, CALL), "A"),
            (await event_id(first, other), "B"),
        ]
    finally:
        await first.close()
        await second.close()


async def test_a_reader_at_the_end_keeps_its_position(feed: Feed, seeded_url: URL) -> None:
    _, cursor = await feed.drain()
    page = await feed.page(cursor)
    assert (page.changes, page.has_next_page) == ([], False)
    connection = await connect(seeded_url)
    try:
        await connection.execute("UPDATE events SET title = 'later' WHERE slug = $1", CALL)
    finally:
        await connection.close()
    [change] = (await feed.page(page.end_cursor)).changes
    assert change["op"] == "UPDATE"
    assert change["fields"][0]["after"] == "later"
