"""How api.security reaches PostgreSQL: anything with asyncpg's fetch, fetchrow and execute.

An asyncpg `Pool` (a connection per call), an acquired asyncpg `Connection`, or the app's
SQLAlchemy engine through `EngineSource`. Every function of api.security runs each of its
statements as one round trip on whatever it is given and opens no transaction of its own.
"""

from typing import Any, Protocol

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncEngine


class Queryable(Protocol):
    async def fetch(self, query: str, *args: object) -> list[Record]:
        pass

    async def fetchrow(self, query: str, *args: object) -> Record | None:
        pass

    async def execute(self, query: str, *args: object) -> str:
        pass


class EngineSource:
    """A SQLAlchemy `AsyncEngine` (asyncpg driver) used as a `Queryable`: each call checks a
    connection out of the engine's pool, runs on the asyncpg connection under it, and returns
    it, as an asyncpg pool would. The statements go to asyncpg directly, outside SQLAlchemy's
    transaction handling, so each commits on its own whatever the engine's isolation level."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def _driver_call(self, method: str, query: str, args: tuple[object, ...]) -> Any:
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            return await getattr(raw.driver_connection, method)(query, *args)

    async def fetch(self, query: str, *args: object) -> list[Record]:
        rows: list[Record] = await self._driver_call("fetch", query, args)
        return rows

    async def fetchrow(self, query: str, *args: object) -> Record | None:
        row: Record | None = await self._driver_call("fetchrow", query, args)
        return row

    async def execute(self, query: str, *args: object) -> str:
        status: str = await self._driver_call("execute", query, args)
        return status
