"""The change hub in this process, on the real PostgreSQL: what the re-read after a lost
listening connection is for (a negative control), and one feed read per change for many
subscriptions."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.codes import ErrorCode
from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.security.access import Access
from api.settings import PROJECT_ROOT, Settings
from api.store.changes import FeedPosition
from api.store.statements import close_database, open_database
from api.subscriptions.hub import (
    LISTENER_NAME,
    ChangeHub,
    LiveConnection,
    Subscription,
    SubscriptionEndedError,
)
from tests.subscriptions.client import CALL, retitle

SEED = PROJECT_ROOT / "fixtures" / "seed"
LOOPBACK = "127.0.0.1"
SETTINGS = Settings(subscription_poll_seconds=600, subscription_listener_ping_seconds=0.5)


@pytest.fixture
async def primary(database_url: URL) -> AsyncIterator[asyncpg.Connection]:
    await load_fixtures(database_url, [SEED])
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


async def hub_on(
    database_url: URL, settings: Settings = SETTINGS, *, reread_after_reconnect: bool = True
) -> ChangeHub:
    dsn = to_asyncpg_dsn(database_url)
    database = await open_database(
        dsn, pool_size=4, statement_timeout_ms=5_000, acquire_timeout=5.0
    )
    access = Access(settings, database.hand_written)
    return ChangeHub(settings, database, access, dsn, reread_after_reconnect=reread_after_reconnect)


def anonymous(hub: ChangeHub) -> LiveConnection:
    """A connection of the developer at the machine: anonymous on loopback, charged nothing."""
    return LiveConnection(hub, LOOPBACK, hub.access.keys.anonymous(LOOPBACK))


async def title_of_next(subscription: Subscription, seconds: float) -> str:
    async with asyncio.timeout(seconds):
        delivered = await subscription.next()
    title: str = delivered.row["fields"]["title"]["after"]
    return title


async def until_listening(hub: ChangeHub) -> None:
    for _ in range(200):
        if hub.listening:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the hub does not listen")


@pytest.mark.parametrize("reread", [True, False])
async def test_only_the_reread_after_reconnecting_delivers_what_no_notification_announced(
    database_url: URL, primary: asyncpg.Connection, reread: bool
) -> None:
    hub = await hub_on(database_url, reread_after_reconnect=reread)
    subscription = await hub.subscribe(anonymous(hub), None, ["EVENT"])
    try:
        await until_listening(hub)
        await retitle(primary, "before")
        assert await title_of_next(subscription, 2.0) == "before"
        async with primary.transaction():
            await primary.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE $1",
                f"{LISTENER_NAME}%",
            )
            await primary.execute("UPDATE events SET title = 'during' WHERE slug = $1", CALL)
        await asyncio.sleep(0.1)
        await until_listening(hub)
        try:
            arrived = await title_of_next(subscription, 2.0)
        except TimeoutError:
            arrived = None
        # Without the re-read, the change waits for the next notification (or the slow
        # timer): the guarantee rests on the re-read.
        assert arrived == ("during" if reread else None)
        await retitle(primary, "later")
        expected = ["later"] if reread else ["during", "later"]
        assert [await title_of_next(subscription, 2.0) for _ in expected] == expected
    finally:
        hub.unsubscribe(subscription)
        await hub.stop()
        await close_database(hub.primary)


async def test_one_read_of_the_feed_serves_every_subscription_at_the_same_place(
    database_url: URL, primary: asyncpg.Connection
) -> None:
    hub = await hub_on(database_url)
    subscriptions = [await hub.subscribe(anonymous(hub), None, ["EVENT"]) for _ in range(50)]
    try:
        await until_listening(hub)
        await asyncio.sleep(0.3)  # the reads their subscribing asked for are done
        reads = hub.reads
        await retitle(primary, "fanned out")
        titles = [await title_of_next(subscription, 2.0) for subscription in subscriptions]
        assert titles == ["fanned out"] * 50
        assert hub.reads - reads == 1
    finally:
        for subscription in subscriptions:
            hub.unsubscribe(subscription)
        await asyncio.sleep(0.1)
        assert hub.tasks == 0
        await hub.stop()
        await close_database(hub.primary)


async def test_a_backlog_larger_than_the_queue_is_read_as_the_client_takes_it(
    database_url: URL, primary: asyncpg.Connection
) -> None:
    """Catching up from an old cursor pauses the reads instead of overflowing the queue: the
    backlog waits in the feed."""
    settings = Settings(subscription_queue_size=100, subscription_poll_seconds=600)
    hub = await hub_on(database_url, settings)
    titles = [f"backlog {number}" for number in range(250)]
    start = await hub.subscribe(anonymous(hub), None, ["EVENT"])
    try:
        await until_listening(hub)
        await retitle(primary, "start")
        await title_of_next(start, 2.0)
        after = FeedPosition.of_cursor(start.received)
        await retitle(primary, *titles)
        catching_up = await hub.subscribe(anonymous(hub), after, ["EVENT"])
        await asyncio.sleep(0.5)  # the hub reads what the queue holds, and no more
        assert catching_up.queue.qsize() <= 100
        assert [await title_of_next(catching_up, 2.0) for _ in titles] == titles
    finally:
        for subscription in list(hub.subscriptions):
            hub.unsubscribe(subscription)
        await hub.stop()
        await close_database(hub.primary)


async def test_a_cursor_older_than_the_retention_ends_the_subscription_with_cursor_expired(
    database_url: URL, primary: asyncpg.Connection
) -> None:
    hub = await hub_on(database_url)
    # As a pruning would leave it: the log holds nothing up to here any more.
    await primary.execute(
        "INSERT INTO change_log_horizon (xid, change_id) SELECT max(xid), max(id) FROM changes"
    )
    expired = await hub.subscribe(anonymous(hub), FeedPosition(1, 1), None)
    try:
        with pytest.raises(SubscriptionEndedError) as ended:
            await title_of_next(expired, 2.0)
        assert ended.value.code == ErrorCode.CURSOR_EXPIRED
        assert ended.value.cursor == FeedPosition(1, 1).cursor()
        assert hub.subscriptions == set()
    finally:
        await hub.stop()
        await close_database(hub.primary)
