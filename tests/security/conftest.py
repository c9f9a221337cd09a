"""Connections to each test's own database, a log of the statements they send, a manual clock."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn


class StatementLog:
    """The statements a connection ran, from asyncpg's query logger."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, query: LoggedQuery) -> None:
        self.queries.append(query.query)

    async def count(self) -> int:
        # asyncpg calls the logger with call_soon: let it run first.
        await asyncio.sleep(0)
        return len(self.queries)


class ManualClock:
    """A monotonic clock the test moves: what the in-process caches read their time from."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def connection(database_url: URL) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    yield connection
    await connection.close()


@pytest.fixture
async def closed(database_url: URL) -> asyncpg.Connection:
    """A real connection, closed: any statement sent on it fails, so a call given it proves
    it needed no database."""
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    await connection.close()
    return connection


@pytest.fixture
def statements(connection: asyncpg.Connection) -> Iterator[StatementLog]:
    log = StatementLog()
    connection.add_query_logger(log)
    yield log
    connection.remove_query_logger(log)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
