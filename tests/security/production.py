"""The app as production runs it, over a real PostgreSQL, and a client that speaks to it as a
partner would: over HTTP (httpx's ASGITransport), with or without an API key."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.app import create_app
from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.security.keys import Scope, create_key
from api.settings import PROJECT_ROOT, Environment, Settings
from api.store.statements import Database

SEED = PROJECT_ROOT / "fixtures" / "seed"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@dataclass
class Production:
    """A running production-mode app and a client of it."""

    app: Starlette
    http: httpx.AsyncClient

    @property
    def database(self) -> Database:
        database: Database = self.app.state.database
        return database

    async def post(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        key: str | None = None,
        accept: str = JSON,
        **extra: Any,
    ) -> httpx.Response:
        """POST a GraphQL request (with `key` as its Bearer token, when given)."""
        body: dict[str, Any] = {"query": query, **extra}
        if variables is not None:
            body["variables"] = variables
        return await self.http.post("/graphql", json=body, headers=headers(key, accept))


def headers(key: str | None = None, accept: str = JSON) -> dict[str, str]:
    chosen = {"accept": accept}
    if key is not None:
        chosen["authorization"] = f"Bearer {key}"
    return chosen


def production_settings(**overrides: Any) -> Settings:
    return Settings(**{"environment": Environment.PRODUCTION, **overrides})


@asynccontextmanager
async def production(url: URL, **overrides: Any) -> AsyncIterator[Production]:
    """The app with production settings (and `overrides`) serving `url`, lifespan running."""
    app = create_app(production_settings(**overrides), url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://eventgraph.test", timeout=60
        ) as http:
            yield Production(app, http)


async def seeded(url: URL) -> URL:
    """`url`'s database with the seed corpus loaded."""
    await load_fixtures(url, [SEED])
    return url


async def new_key(
    url: URL,
    name: str,
    *scopes: Scope,
    budget_capacity: int | None = None,
    budget_restore_per_second: float | None = None,
) -> str:
    """A key created as `eventgraph keys create` creates one; its secret."""
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        created = await create_key(
            connection,
            name,
            scopes or (Scope.READ,),
            budget_capacity=budget_capacity,
            budget_restore_per_second=budget_restore_per_second,
        )
    finally:
        await connection.close()
    return created.secret


def codes(response: httpx.Response) -> list[str]:
    """The `extensions.code` of each error of a response (which must have errors)."""
    body = response.json()
    assert body.get("errors"), body
    return [error["extensions"]["code"] for error in body["errors"]]


@asynccontextmanager
async def locked(url: URL, table: str) -> AsyncIterator[None]:
    """`table` locked against every read while the block runs: a query reading it waits (until
    the statement timeout, or the block's end), holding its connection, as a slow query does."""
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        async with connection.transaction():
            await connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await connection.close()


async def waiting_on_lock(url: URL, count: int) -> None:
    """Return once `count` statements of the app wait on a lock (so that they are in flight)."""
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        while True:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'eventgraph' "
                "AND wait_event_type = 'Lock'"
            )
            if waiting >= count:
                return
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
