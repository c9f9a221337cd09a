"""Statements compiled once per shape, and the pool they run on.

`StatementCache` turns a shape (see `api.store.params`) into SQL text once, with the order in
which the read's values fill `$1, $2, …`; asyncpg prepares each text once per connection. The
`Database` runs them on an asyncpg pool and turns driver failures into the store's own errors.
"""

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from api.cache import LRUCache
from api.store.errors import StoreTimeoutError, StoreUnavailableError

DIALECT: Dialect = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]
PARAM_NAME = re.compile(r"^p(\d+)$")
PLACEHOLDER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Constant:
    """A value the statement itself carries (a literal of the builder), the same every time."""

    value: Any


@dataclass(frozen=True)
class CompiledStatement:
    sql: str
    slots: tuple[int | Constant, ...]
    """For `$1, $2, …`: the index of the read's value, or a constant."""

    def arguments(self, values: Sequence[Any]) -> list[Any]:
        return [slot.value if isinstance(slot, Constant) else values[slot] for slot in self.slots]


def sql_literal(value: Any) -> str | None:
    """`value` written into SQL, for the plain constants a builder uses ('UTF8', 1, '%');
    None for anything else, which stays a parameter."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def compile_statement(statement: ClauseElement) -> CompiledStatement:
    """The SQL of `statement`, with `$n` placeholders for the read's values only: the builder's
    own constants are written in (dozens of them in a JSON document, each of which the driver
    would otherwise encode and send on every execution)."""
    compiled = statement.compile(dialect=DIALECT)
    assert isinstance(compiled, SQLCompiler)
    placeholders: dict[int, str] = {}
    slots: list[int | Constant] = []
    for position, name in enumerate(compiled.positiontup or (), start=1):
        match = PARAM_NAME.match(name)
        if match:
            slots.append(int(match.group(1)))
            placeholders[position] = f"${len(slots)}"
            continue
        value = compiled.binds[name].effective_value
        value = value.name if isinstance(value, Enum) else value
        literal = sql_literal(value)
        if literal is None:
            slots.append(Constant(value))
            placeholders[position] = f"${len(slots)}"
        else:
            placeholders[position] = literal
    # One pass, so that nothing written in is read again as a placeholder.
    sql = PLACEHOLDER.sub(lambda found: placeholders[int(found.group(1))], str(compiled))
    return CompiledStatement(sql, tuple(slots))


class StatementCache:
    """A bounded LRU of compiled statements by shape."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._statements: LRUCache[Hashable, CompiledStatement] = LRUCache(maxsize)
        self.compiled = 0

    def get(self, shape: Hashable, build: Callable[[], ClauseElement]) -> CompiledStatement:
        statement = self._statements.get(shape)
        if statement is not None:
            return statement
        statement = compile_statement(build())
        self.compiled += 1
        self._statements.put(shape, statement)
        return statement


# Failures that mean "the database is not there (or not for us) right now".
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InterfaceError,
)


class HandWritten:
    """Statements written by hand (the access control's: keys, budgets) on the database's pool,
    which may use its reserve, with the same classification of failures. asyncpg's `fetch`,
    `fetchrow` and `execute`."""

    def __init__(self, database: "Database") -> None:
        self.database = database

    async def fetch(self, query: str, *args: object) -> list[Any]:
        async with self.database.connection(access=True) as connection:
            rows: list[Any] = await connection.fetch(query, *args)
            return rows

    async def fetchrow(self, query: str, *args: object) -> Any:
        async with self.database.connection(access=True) as connection:
            return await connection.fetchrow(query, *args)

    async def execute(self, query: str, *args: object) -> str:
        async with self.database.connection(access=True) as connection:
            status: str = await connection.execute(query, *args)
            return status


ALONE: ContextVar[Callable[[], bool]] = ContextVar("eventgraph_alone", default=lambda: False)
"""Whether the current request's client has no other request in flight in this process, asked
when a connection is taken (the HTTP layer sets it): such a request may use the reserve."""


class Database:
    """PostgreSQL for the API: pools (the primary's, or one per read replica, taken in turn),
    and the statements compiled for them.

    `reserved` connections of each pool are out of reach of most requests: a request takes one
    of the others (the shared part, a semaphore) and waits for it when all are taken, unless it
    is an access statement (a key, a budget: one short statement) or its client has no other
    request in flight (`ALONE`); those use the reserve when the shared part is full. A flood of
    slow requests from clients at their cap on requests in flight thus holds the shared part
    at most, and a light request of another client finds a connection."""

    def __init__(
        self,
        pools: Sequence[asyncpg.Pool],
        *,
        acquire_timeout: float,
        cache_size: int,
        reserved: int = 0,
    ) -> None:
        self.pools = tuple(pools)
        self._turns = itertools.cycle(self.pools)
        self._shared = {
            pool: asyncio.Semaphore(max(pool.get_max_size() - reserved, 1)) for pool in self.pools
        }
        self.acquire_timeout = acquire_timeout
        self.waiting = 0
        """Requests waiting for a connection."""
        self.statements = StatementCache(cache_size)
        self.executed = 0
        """Statements run since start, all requests together."""
        self.trace: list[tuple[str, list[Any]]] | None = None
        """When a list, each statement run is appended with its arguments (tests, EXPLAIN)."""
        self.hand_written = HandWritten(self)

    @property
    def in_use(self) -> int:
        """Connections of the pools checked out now (by the store or anyone else)."""
        return sum(pool.get_size() - pool.get_idle_size() for pool in self.pools)

    @property
    def pool(self) -> asyncpg.Pool:
        """The first pool (the primary's, when there are no replicas)."""
        return self.pools[0]

    @asynccontextmanager
    async def connection(
        self, *, access: bool = False, primary: bool = False
    ) -> AsyncIterator["asyncpg.pool.PoolConnectionProxy[Any]"]:
        """A connection of the next pool (of the primary's, for a write), within
        `acquire_timeout`; `access` for the access control's statements, which may use the
        reserve."""
        pool = self.pools[0] if primary else next(self._turns)
        shared = self._shared[pool]
        took_share = False
        self.waiting += 1
        try:
            async with asyncio.timeout(self.acquire_timeout):
                if not (shared.locked() and (access or ALONE.get()())):
                    await shared.acquire()
                    took_share = True
                try:
                    connection = await pool.acquire()
                except BaseException:
                    if took_share:
                        shared.release()
                    raise
        except TimeoutError:
            raise StoreUnavailableError("no database connection came free in time") from None
        except UNAVAILABLE as error:
            raise StoreUnavailableError(f"the database is unreachable: {error}") from error
        finally:
            self.waiting -= 1
        try:
            yield connection
        except asyncpg.QueryCanceledError as error:
            raise StoreTimeoutError(str(error)) from error
        except UNAVAILABLE as error:
            raise StoreUnavailableError(f"the database went away: {error}") from error
        finally:
            await pool.release(connection)
            if took_share:
                shared.release()

    async def fetch(self, statement: CompiledStatement, values: Sequence[Any]) -> list[Any]:
        """The rows of one statement (asyncpg Records: by column name or position)."""
        arguments = self._arguments(statement, values)
        async with self.connection() as connection:
            rows: list[Any] = await connection.fetch(statement.sql, *arguments)
            return rows

    async def fetchval(self, statement: CompiledStatement, values: Sequence[Any]) -> Any:
        """The first column of the first row of one statement."""
        arguments = self._arguments(statement, values)
        async with self.connection() as connection:
            return await connection.fetchval(statement.sql, *arguments)

    def _arguments(self, statement: CompiledStatement, values: Sequence[Any]) -> list[Any]:
        self.executed += 1
        arguments = statement.arguments(values)
        if self.trace is not None:
            self.trace.append((statement.sql, arguments))
        return arguments


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What a connection needs before it goes back to the pool: nothing. The store leaves no
    session state behind (autocommit statements, no LISTEN, no advisory locks, no cursors),
    and asyncpg's default reset costs a round trip of four statements on every release."""


CACHEABLE_STATEMENT_BYTES = 256 * 1024
"""The longest statement a connection keeps prepared. asyncpg's default, 15 KiB, is shorter
than some compiled reads (a meeting with its sources, claims and renderings: 18 KB), which it
then parses and plans again on every request: 2.3 ms of planning for 0.4 ms of execution."""


async def open_database(
    dsns: str | Sequence[str],
    *,
    pool_size: int,
    statement_timeout_ms: int,
    acquire_timeout: float,
    cache_size: int = 1_024,
    reserved: int = 0,
) -> Database:
    """A `Database` on new pools, one per DSN. Connections open on demand (a server started
    while PostgreSQL is down serves 503s, then recovers by itself), give up after
    `acquire_timeout`, and run in UTC so that JSON built by PostgreSQL writes instants as Python
    does."""
    pools = [
        await asyncpg.create_pool(
            dsn,
            min_size=0,
            max_size=pool_size,
            timeout=acquire_timeout,
            statement_cache_size=cache_size,
            max_cacheable_statement_size=CACHEABLE_STATEMENT_BYTES,
            reset=_keep_session,
            server_settings={
                "statement_timeout": str(statement_timeout_ms),
                "application_name": "eventgraph",
                "TimeZone": "UTC",
            },
        )
        for dsn in ([dsns] if isinstance(dsns, str) else dsns)
    ]
    return Database(
        pools, acquire_timeout=acquire_timeout, cache_size=cache_size, reserved=reserved
    )


async def close_database(database: Database) -> None:
    for pool in database.pools:
        await asyncio.wait_for(pool.close(), timeout=10)
