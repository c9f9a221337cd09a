"""The API over HTTP on a database loaded with the seed corpus, and a SQL statement counter.

The seeded database is loaded once per session: every test here only reads it.
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.app import create_app
from api.db.server import drop_database
from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT, Settings
from api.store.statements import Database
from tests.conftest import TEMPLATE, clone_database
from tests.schema.many_sources import add_many_sources

SEED = PROJECT_ROOT / "fixtures" / "seed"
MEETING = "xi-putin-video-call-2026-02-04"


class GraphQLClient:
    """Posts GraphQL requests to the app, as a frontend would."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of the response (which must be a 200), without `extensions`, whose
        cost numbers the tests of tests/security check."""
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        body.pop("extensions", None)
        return body

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of a query that must succeed without any error."""
        body = await self.post(query, variables or None)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_codes(self, query: str, **variables: Any) -> list[str]:
        """The `extensions.code` of each error of a query that must fail."""
        body = await self.post(query, variables or None)
        assert body.get("errors"), body
        return [error["extensions"]["code"] for error in body["errors"]]


@asynccontextmanager
async def serving(settings: Settings, url: URL) -> AsyncIterator[Starlette]:
    """The app with its lifespan running (httpx's ASGITransport does not run it)."""
    app = create_app(settings, url)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def client_of(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eventgraph.test") as http:
        yield GraphQLClient(http)


@asynccontextmanager
async def loaded_database(server_url: URL, name: str, fixtures: Path) -> AsyncIterator[URL]:
    """A migrated database `name` holding the corpus in `fixtures`, dropped afterwards."""
    url = await clone_database(server_url, TEMPLATE, f"{name}_{os.getpid()}")
    await load_fixtures(url, [fixtures])
    try:
        yield url
    finally:
        await drop_database(server_url, url.database or "")


@pytest.fixture(scope="session")
async def seed_url(server_url: URL, template_url: URL) -> AsyncIterator[URL]:
    """A database holding the seed corpus, shared by the session's read-only tests."""
    async with loaded_database(server_url, "eventgraph_test_seed", SEED) as url:
        yield url


@pytest.fixture(scope="session")
async def seed_app(seed_url: URL) -> AsyncIterator[Starlette]:
    async with serving(Settings(), seed_url) as app:
        yield app


@pytest.fixture(scope="session")
async def many_sources_url(server_url: URL, template_url: URL) -> AsyncIterator[URL]:
    """The seed corpus with reports that copy, cite, translate and contradict each other
    (`tests.schema.many_sources`), shared by the session's read-only tests."""
    async with loaded_database(server_url, "eventgraph_test_many_sources", SEED) as url:
        await add_many_sources(url)
        yield url


@pytest.fixture(scope="session")
async def many_sources_app(many_sources_url: URL) -> AsyncIterator[Starlette]:
    async with serving(Settings(), many_sources_url) as app:
        yield app


@pytest.fixture
async def client(seed_app: Starlette) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client of the API over the seed corpus."""
    async with client_of(seed_app) as graphql:
        yield graphql


class StatementCount:
    """How many SQL statements the app ran inside a `counting_statements` block."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.start = database.executed
        self.end: int | None = None

    def __len__(self) -> int:
        end = self.database.executed if self.end is None else self.end
        return end - self.start


@contextmanager
def counting_statements(app: Starlette) -> Iterator[StatementCount]:
    """The SQL statements the app's database runs inside the block."""
    count = StatementCount(app.state.database)
    try:
        yield count
    finally:
        count.end = app.state.database.executed


def seed_files() -> list[Path]:
    return sorted(SEED.glob("*.yaml"))


def seed_objects(kind: str) -> list[dict[str, Any]]:
    """The objects of one kind ("events", "statements", …) across the seed files, in order."""
    yaml = YAML(typ="safe")
    objects: list[dict[str, Any]] = []
    for path in seed_files():
        objects += (yaml.load(path.read_text()) or {}).get(kind, [])
    return objects
