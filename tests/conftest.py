"""Test fixtures: a real PostgreSQL for the whole session, one fresh database per test.

The server is the embedded one, started in a temporary folder, unless EVENTGRAPH_DATABASE_URL
names another (its user must be allowed to create databases). Migrations run once, into a template
database; each test that asks for `database_url` gets its own copy of it, dropped afterwards.
"""

import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.db.migrations import migrate
from api.db.server import (
    drop_database,
    embedded_server,
    ensure_database,
    to_async_url,
    to_asyncpg_dsn,
)
from api.settings import PROJECT_ROOT

TEMPLATE = "eventgraph_test_template"
MIGRATIONS = PROJECT_ROOT / "alembic"
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def server_url() -> Iterator[URL]:
    """The URL of the maintenance database of the PostgreSQL server the tests use."""
    external = os.environ.get("EVENTGRAPH_DATABASE_URL")
    if external:
        yield to_async_url(external).set(database="postgres")
        return
    with (
        tempfile.TemporaryDirectory(prefix="eventgraph-tests-") as folder,
        embedded_server(Path(folder) / "postgres") as url,
    ):
        yield url


@pytest.fixture(scope="session")
async def template_url(server_url: URL) -> URL:
    """A database migrated to head, the template every test database is copied from."""
    await drop_database(server_url, TEMPLATE)
    url = await ensure_database(server_url, TEMPLATE)
    await migrate(url, MIGRATIONS)
    return url


async def clone_database(server_url: URL, template: str, name: str) -> URL:
    import asyncpg

    connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()
    return server_url.set(database=name)


@pytest.fixture
async def database_url(server_url: URL, template_url: URL) -> AsyncIterator[URL]:
    """A fresh, migrated, empty database of this test's own."""
    name = f"eventgraph_test_{os.getpid()}_{next(_database_numbers)}"
    url = await clone_database(server_url, TEMPLATE, name)
    yield url
    await drop_database(server_url, name)


@pytest.fixture
async def engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's database."""
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()
