"""How api.security reaches PostgreSQL: anything with asyncpg's fetch, fetchrow and execute.

An asyncpg `Pool` (a connection per call), an acquired asyncpg `Connection`, or the app's
`api.store.statements.Database.hand_written`. Every function of api.security runs each of its
statements as one round trip on whatever it is given and opens no transaction of its own.
"""

from typing import Protocol

from asyncpg import Record


class Queryable(Protocol):
    async def fetch(self, query: str, *args: object) -> list[Record]:
        pass

    async def fetchrow(self, query: str, *args: object) -> Record | None:
        pass

    async def execute(self, query: str, *args: object) -> str:
        pass
