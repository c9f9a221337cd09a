"""The app as production runs it over a seeded database of each test's own, an admin key and a
read key, and a client that sends mutations as an admin would."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.keys import Scope
from tests.security.production import Production, new_key, production, seeded

ADMIN = "Corpus desk"
"""The admin key's name: the change log's actor of its writes."""


@dataclass
class Admin:
    """Posts GraphQL requests with a key to a running app."""

    api: Production
    key: str

    async def post(self, query: str, **variables: Any) -> dict[str, Any]:
        """The JSON body of a request that must answer 200 without errors."""
        response = await self.api.post(query, variables or None, key=self.key)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        return body


@pytest.fixture
async def connection(database_url: URL) -> AsyncIterator[asyncpg.Connection]:
    """A connection to this test's own (empty) database."""
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    yield connection
    await connection.close()


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def api(seed: URL) -> AsyncIterator[Production]:
    async with production(seed, pool_timeout_seconds=10) as served:
        yield served


@pytest.fixture
async def admin(seed: URL, api: Production) -> Admin:
    return Admin(api, await new_key(seed, ADMIN, Scope.ADMIN))


@pytest.fixture
async def reader(seed: URL) -> str:
    return await new_key(seed, "Partner", Scope.READ)
