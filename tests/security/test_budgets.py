"""Cost budgets in PostgreSQL: one statement per debit, exact under concurrency across processes."""

import asyncio
import multiprocessing
from multiprocessing.synchronize import Barrier
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.budgets import (
    Budget,
    Debit,
    anonymous_bucket,
    anonymous_budget,
    debit,
    debit_arguments,
    key_bucket,
    key_budget,
    metered_statement,
    prune_buckets,
)
from api.settings import Settings
from api.store.statements import close_database, open_database
from tests.security.conftest import StatementLog

# Refills too slowly to matter within a test: a bucket then grants exactly its capacity.
NO_REFILL = 1e-6


async def _tokens(connection: asyncpg.Connection, bucket: str) -> float:
    tokens: float = await connection.fetchval(
        "SELECT tokens FROM rate_limit_buckets WHERE bucket_key = $1", bucket
    )
    return tokens


async def _go_back(connection: asyncpg.Connection, bucket: str, seconds: int) -> None:
    """Move a bucket's last debit into the past, as if `seconds` had gone by since."""
    await connection.execute(
        "UPDATE rate_limit_buckets SET refilled_at = refilled_at - make_interval(secs => $2), "
        "full_at = full_at - make_interval(secs => $2) WHERE bucket_key = $1",
        bucket,
        seconds,
    )


async def test_a_new_bucket_starts_full_and_is_debited(connection: asyncpg.Connection) -> None:
    answer = await debit(connection, "key:a", Budget(100, 2.0), 10)
    assert answer == Debit(
        allowed=True, cost=10, limit=100, remaining=90, reset_seconds=5, retry_after_seconds=None
    )
    assert await _tokens(connection, "key:a") == 90


async def test_a_bucket_refuses_what_it_does_not_hold_and_says_when_to_retry(
    connection: asyncpg.Connection,
) -> None:
    budget = Budget(100, 2.0)
    assert (await debit(connection, "key:a", budget, 100)).remaining == 0

    refused = await debit(connection, "key:a", budget, 10)
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert refused.retry_after_seconds == 5  # 10 points at 2 a second
    assert refused.reset_seconds == 50
    assert refused.headers() == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "50",
        "Retry-After": "5",
    }


async def test_a_refused_debit_writes_nothing(connection: asyncpg.Connection) -> None:
    budget = Budget(10, NO_REFILL)
    await debit(connection, "key:a", budget, 10)
    query = "SELECT tokens, refilled_at, xmin::text FROM rate_limit_buckets"
    before = await connection.fetchrow(query)
    assert not (await debit(connection, "key:a", budget, 1)).allowed
    assert await connection.fetchrow(query) == before


async def test_time_restores_points_up_to_the_capacity(connection: asyncpg.Connection) -> None:
    budget = Budget(100, 2.0)
    await debit(connection, "key:a", budget, 100)
    await _go_back(connection, "key:a", 10)

    answer = await debit(connection, "key:a", budget, 15)  # 20 restored
    assert (answer.allowed, answer.remaining, answer.reset_seconds) == (True, 5, 48)

    await _go_back(connection, "key:a", 3_600)
    assert (await debit(connection, "key:a", budget, 0)).remaining == 100
    assert await _tokens(connection, "key:a") == 100


async def test_full_at_is_when_the_bucket_refills(connection: asyncpg.Connection) -> None:
    await debit(connection, "key:a", Budget(100, 4.0), 30)
    seconds = await connection.fetchval(
        "SELECT extract(epoch FROM full_at - refilled_at)::float8 FROM rate_limit_buckets"
    )
    assert seconds == pytest.approx(7.5)


async def test_a_cost_above_the_capacity_is_refused_for_good(
    connection: asyncpg.Connection,
) -> None:
    budget = Budget(100, 2.0)
    never = await debit(connection, "key:a", budget, 101)
    assert never == Debit(
        allowed=False, cost=101, limit=100, remaining=100, reset_seconds=0, retry_after_seconds=None
    )
    assert "Retry-After" not in never.headers()
    assert await connection.fetchval("SELECT count(*) FROM rate_limit_buckets") == 0

    await debit(connection, "key:a", budget, 40)
    assert (await debit(connection, "key:a", budget, 500)).retry_after_seconds is None
    assert await _tokens(connection, "key:a") == 60


async def test_a_negative_cost_or_budget_is_a_mistake(connection: asyncpg.Connection) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        await debit(connection, "key:a", Budget(10, 1.0), -1)
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        Budget(0, 1.0)
    with pytest.raises(ValueError, match="restore rate must be positive"):
        Budget(10, 0.0)


async def test_a_debit_is_one_statement(
    connection: asyncpg.Connection, statements: StatementLog
) -> None:
    budget = Budget(3, NO_REFILL)
    for number in range(1, 6):  # three granted, two refused
        await debit(connection, "key:a", budget, 1)
        assert await statements.count() == number


async def test_concurrent_debits_in_one_process_never_overspend(database_url: URL) -> None:
    connections = [await asyncpg.connect(to_asyncpg_dsn(database_url)) for _ in range(12)]
    budget = Budget(100, NO_REFILL)

    async def spend(connection: asyncpg.Connection) -> int:
        return sum([(await debit(connection, "key:a", budget, 1)).allowed for _ in range(20)])

    try:
        granted = await asyncio.gather(*(spend(connection) for connection in connections))
        assert sum(granted) == 100
        assert 0 <= await _tokens(connections[0], "key:a") < 1
    finally:
        for connection in connections:
            await connection.close()


async def test_a_pool_or_the_apps_database_serves_as_a_source(database_url: URL) -> None:
    budget = Budget(10, NO_REFILL)
    dsn = to_asyncpg_dsn(database_url)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    database = await open_database(dsn, pool_size=2, statement_timeout_ms=5_000, acquire_timeout=5)
    try:
        assert (await debit(pool, "key:a", budget, 4)).remaining == 6
        assert (await debit(database.hand_written, "key:a", budget, 4)).remaining == 2
        assert not (await debit(pool, "key:a", budget, 4)).allowed
    finally:
        await pool.close()
        await close_database(database)


# ---------------------------------------------------------------- two OS processes


def _hammer(
    dsn: str,
    bucket: str,
    budget: Budget,
    connections: int,
    attempts: int,
    start: Barrier,
    results: "multiprocessing.Queue[int]",
) -> None:
    """A process of its own debiting 1 point `attempts` times on each of `connections`."""

    async def run() -> int:
        opened = [await asyncpg.connect(dsn) for _ in range(connections)]
        start.wait()  # both processes connected: now they race

        async def spend(connection: asyncpg.Connection) -> int:
            return sum(
                [(await debit(connection, bucket, budget, 1)).allowed for _ in range(attempts)]
            )

        try:
            return sum(await asyncio.gather(*(spend(connection) for connection in opened)))
        finally:
            for connection in opened:
                await connection.close()

    results.put(asyncio.run(run()))


def _race(dsn: str, bucket: str, budget: Budget, connections: int, attempts: int) -> list[int]:
    """Two processes hammering one bucket at once; what each was granted."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    results: multiprocessing.Queue[int] = context.Queue()
    processes = [
        context.Process(
            target=_hammer, args=(dsn, bucket, budget, connections, attempts, start, results)
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    granted = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return granted


async def _database_clock(connection: asyncpg.Connection) -> Any:
    return await connection.fetchval("SELECT clock_timestamp()")


async def test_two_processes_cannot_double_a_budget(
    database_url: URL, connection: asyncpg.Connection
) -> None:
    dsn = to_asyncpg_dsn(database_url)
    budget = Budget(150, NO_REFILL)
    loop = asyncio.get_running_loop()
    # 2 processes x 4 connections x 60 attempts: 480 debits of 1 point against 150.
    granted = await loop.run_in_executor(None, _race, dsn, "key:shared", budget, 4, 60)
    assert sum(granted) == 150
    assert await _tokens(connection, "key:shared") >= 0


async def test_two_processes_are_granted_no_more_than_capacity_and_refill(
    database_url: URL, connection: asyncpg.Connection
) -> None:
    dsn = to_asyncpg_dsn(database_url)
    budget = Budget(50, 100.0)
    loop = asyncio.get_running_loop()
    started = await _database_clock(connection)
    granted = await loop.run_in_executor(None, _race, dsn, "key:refilled", budget, 4, 150)
    elapsed = (await _database_clock(connection) - started).total_seconds()

    assert 50 <= sum(granted) <= 50 + 100.0 * elapsed
    assert sum(granted) < 2 * 4 * 150  # the bucket did refuse: it was contended
    assert await _tokens(connection, "key:refilled") >= 0


# ---------------------------------------------------------------- storage and buckets


async def test_the_buckets_table_is_unlogged(connection: asyncpg.Connection) -> None:
    persistence = await connection.fetchval(
        "SELECT relpersistence::text FROM pg_class WHERE relname = 'rate_limit_buckets'"
    )
    assert persistence == "u"


async def test_pruning_drops_only_the_buckets_that_are_full_again(
    connection: asyncpg.Connection,
) -> None:
    budget = Budget(100, 1.0)
    await debit(connection, "key:drained", budget, 100)
    await debit(connection, "key:rested", budget, 100)
    await _go_back(connection, "key:rested", 101)

    assert await prune_buckets(connection) == 1
    remaining = await connection.fetch("SELECT bucket_key FROM rate_limit_buckets")
    assert [row[0] for row in remaining] == ["key:drained"]
    assert (await debit(connection, "key:rested", budget, 100)).allowed  # recreated full
    assert await prune_buckets(connection) == 0


async def test_the_metered_statement_locks_the_bucket_only_once_its_document_is_built(
    database_url: URL,
) -> None:
    """The take comes last: while a metered statement builds its document (here one that
    sleeps), the bucket's row is not locked, and a debit of the same bucket goes through."""
    budget = Budget(100, NO_REFILL)
    slow_document = "SELECT json_build_object('slept', pg_sleep(2)::text)"
    statement = metered_statement(slow_document, 0, "1")
    dsn = to_asyncpg_dsn(database_url)
    first, second = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        await debit(first, "key:side", budget, 1)  # the row exists: 99 left
        slow = asyncio.create_task(
            first.fetchrow(statement, *debit_arguments("key:side", budget, 5))
        )
        sleeping = "SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $1"
        while True:  # until the document sleeps
            if await second.fetchval(sleeping, first.get_server_pid()):
                break
            await asyncio.sleep(0.02)
        await second.execute("SET lock_timeout = '500ms'")
        assert (await debit(second, "key:side", budget, 1)).remaining == 98
        assert not slow.done()
        row = await slow
        assert row is not None
        # Asked 5, held 99: built; it cost 1, taken from the 98 left.
        assert (row["allowed"], row["actual"]) == (True, 1)
        assert row["tokens"] == pytest.approx(97, abs=0.01)
    finally:
        await first.close()
        await second.close()


def test_anonymous_clients_are_budgeted_by_address_or_ipv6_network() -> None:
    assert anonymous_bucket("203.0.113.7") == "anonymous:203.0.113.7"
    assert anonymous_bucket("2001:db8:1:2:3:4:5:6") == "anonymous:2001:db8:1:2::/64"
    assert anonymous_bucket("2001:db8:1:2::ffff") == anonymous_bucket("2001:db8:1:2:aaaa::1")
    assert anonymous_bucket("::ffff:203.0.113.7") == "anonymous:203.0.113.7"
    assert anonymous_bucket(None) == "anonymous:unknown"
    assert anonymous_bucket("testclient") == "anonymous:testclient"
    key_id = UUID("00000000-0000-0000-0000-000000000001")
    assert key_bucket(key_id) == "key:00000000-0000-0000-0000-000000000001"


def test_budgets_come_from_the_settings() -> None:
    assert key_budget(Settings()) == Budget(50_000, 50_000 / 3600)
    assert key_budget(Settings(key_budget_restore_per_second=20)) == Budget(50_000, 20.0)
    assert key_budget(Settings(key_budget_capacity=600), None, None) == Budget(600, 600 / 3600)
    assert key_budget(Settings(), 1_000, 3.0) == Budget(1_000, 3.0)
    assert anonymous_budget(Settings()) == Budget(5_000, 5_000 / 3600)
    assert anonymous_budget(
        Settings(anonymous_cost_budget=300, anonymous_budget_restore_per_second=1)
    ) == Budget(300, 1.0)
