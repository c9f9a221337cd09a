"""The change feed over HTTP on a database of the test's own (the tests here write), and the
helpers its tests share: reading the feed, folding it, reading the live tables."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.settings import Settings
from api.store.changes import FeedPosition
from api.store.entities import ENTITIES
from schema.global_ids import encode_global_id
from tests.schema.conftest import SEED, GraphQLClient, client_of, serving

CHANGE = "cursor op type nodeId version actor changedAt fields { name before after }"
FEED = f"""query ($after: String, $types: [SearchType!], $first: Int) {{
  changes(after: $after, types: $types, first: $first) {{
    nodes {{ {CHANGE} node {{ id }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


@dataclass
class Page:
    changes: list[dict[str, Any]]
    end_cursor: str
    has_next_page: bool


class Feed:
    """Reads `Query.changes` as a partner would."""

    def __init__(self, client: GraphQLClient) -> None:
        self.client = client

    async def page(
        self, after: str | None = None, *, first: int = 100, types: list[str] | None = None
    ) -> Page:
        data = await self.client.data(FEED, after=after, first=first, types=types)
        found = data["changes"]
        info = found["pageInfo"]
        return Page(found["nodes"], info["endCursor"], info["hasNextPage"])

    async def drain(
        self, after: str | None = None, *, first: int = 100, types: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], str]:
        """Every change after `after` up to the horizon, and the cursor to read on from."""
        changes: list[dict[str, Any]] = []
        while True:
            page = await self.page(after, first=first, types=types)
            changes += page.changes
            after = page.end_cursor
            if not page.has_next_page:
                return changes, after


def change_id(change: dict[str, Any]) -> int:
    return FeedPosition.of_cursor(change["cursor"]).change_id


def fold(changes: list[dict[str, Any]]) -> dict[str, int]:
    """The live nodes a replay of `changes` leaves: each node's highest version (two
    transactions may change one node in the other order than their ids), unless deleted."""
    last: dict[str, dict[str, Any]] = {}
    for change in changes:
        held = last.get(change["nodeId"])
        if held is None or change["version"] > held["version"]:
            last[change["nodeId"]] = change
    return {node: change["version"] for node, change in last.items() if change["op"] != "DELETE"}


async def live_nodes(connection: asyncpg.Connection) -> dict[str, int]:
    """Every node of the live tables: its global ID and version."""
    nodes: dict[str, int] = {}
    for spec in ENTITIES.values():
        for row in await connection.fetch(f"SELECT id, version FROM {spec.table.name}"):
            nodes[encode_global_id(spec.type_name, row["id"])] = row["version"]
    return nodes


@pytest.fixture
async def seeded_url(database_url: URL) -> URL:
    """This test's own database, holding the seed corpus."""
    await load_fixtures(database_url, [SEED])
    return database_url


@pytest.fixture
async def feed(seeded_url: URL) -> AsyncIterator[Feed]:
    async with serving(Settings(), seeded_url) as app, client_of(app) as client:
        yield Feed(client)


@pytest.fixture
async def sql(seeded_url: URL) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own, as an operator's psql."""
    connection = await asyncpg.connect(to_asyncpg_dsn(seeded_url))
    try:
        yield connection
    finally:
        await connection.close()


async def connect(url: URL) -> asyncpg.Connection:
    return await asyncpg.connect(to_asyncpg_dsn(url))
