"""The live corpus read straight from the tables, an export read over HTTP, and the change feed
folded onto an export: what the export's tests compare.

The live corpus is read without the export's code: the columns from the catalog (less the
bookkeeping the change log leaves out), the owned lists from the change log's triggers
themselves (`pg_trigger`), so that a mistake in the export's declarations shows.
"""

import gzip
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import orjson
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.store.entities import ENTITIES, Entity
from schema.global_ids import node_key

NodeKey = tuple[Entity, UUID]
BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


@dataclass
class Node:
    version: int
    fields: dict[str, Any]


Corpus = dict[NodeKey, Node]


async def connect(url: URL) -> asyncpg.Connection:
    """A connection writing and reading instants in UTC, as the API's do."""
    return await asyncpg.connect(to_asyncpg_dsn(url), server_settings={"TimeZone": "UTC"})


def canonical(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields compared as sets where they are lists (the order of a JSON sort is PostgreSQL's),
    with a missing field as null or empty (a CREATE leaves nulls and owned lists out)."""
    return {
        name: sorted(orjson.dumps(item).decode() for item in value)
        if isinstance(value, list)
        else value
        for name, value in fields.items()
        if value is not None and value != []
    }


async def owned_lists(connection: asyncpg.Connection) -> dict[str, list[tuple[str, str, str]]]:
    """The change log's owned lists, from its triggers: owner table → (table, column, field)."""
    rows = await connection.fetch(
        "SELECT DISTINCT t.tgrelid::regclass::text AS owned, t.tgargs FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'eventgraph_log_owned'"
    )
    lists: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        owner_table, owner_column, field = row["tgargs"].decode().rstrip("\x00").split("\x00")
        lists.setdefault(owner_table, []).append((row["owned"], owner_column, field))
    return lists


async def live_corpus(url: URL, types: Iterable[Entity] = tuple(Entity)) -> Corpus:
    connection = await connect(url)
    try:
        lists = await owned_lists(connection)
        corpus: Corpus = {}
        for entity in types:
            table = ENTITIES[entity].table.name
            generated = await connection.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = $1 AND is_generated = 'ALWAYS'",
                table,
            )
            left_out = BOOKKEEPING | {row["column_name"] for row in generated}
            items: dict[UUID, dict[str, list[Any]]] = {}
            for owned, owner_column, field in lists.get(table, []):
                for row in await connection.fetch(
                    f"SELECT to_jsonb(r)::text AS item FROM {owned} r"
                ):
                    item = orjson.loads(row["item"])
                    owner = UUID(item.pop(owner_column))
                    items.setdefault(owner, {}).setdefault(field, []).append(item)
            for row in await connection.fetch(f"SELECT to_jsonb(t)::text AS row FROM {table} t"):
                values = orjson.loads(row["row"])
                key = UUID(values["id"])
                fields = {name: value for name, value in values.items() if name not in left_out}
                for _, _, field in lists.get(table, []):
                    fields[field] = items.get(key, {}).get(field, [])
                corpus[entity, key] = Node(values["version"], fields)
        return corpus
    finally:
        await connection.close()


@dataclass
class Export:
    lines: list[dict[str, Any]]
    """Every line but the last."""
    last: dict[str, Any]

    @property
    def cursor(self) -> str:
        cursor: str = self.last["cursor"]
        return cursor

    def corpus(self) -> Corpus:
        """The nodes of the lines, each once (a second line of one node fails)."""
        corpus: Corpus = {}
        for line in self.lines:
            key = node_key(line["id"])
            assert key is not None, line["id"]
            assert key[0].value == line["type"]
            assert ENTITIES[key[0]].type_name == line["__typename"]
            assert key not in corpus, f"{key} exported twice"
            corpus[key] = Node(line["version"], line["fields"])
        return corpus


def parse_export(body: bytes) -> Export:
    assert body.endswith(b"\n")
    *lines, last = (orjson.loads(line) for line in body.splitlines())
    return Export(lines, last)


@dataclass(frozen=True)
class Received:
    """A response with its body as sent (httpx would undo a gzip by itself: `decompressed`
    does it here, so that a test sees it was there)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        return orjson.loads(self.content)


async def export(
    http: httpx.AsyncClient,
    key: str | None,
    *,
    compressed: bool = False,
    types: str | None = None,
    after: str | None = None,
) -> Received:
    """GET /export of `types` `after` (when given), with `key` as Bearer token when given."""
    given = {"types": types, "after": after}
    parameters = {name: value for name, value in given.items() if value is not None}
    headers = {"accept-encoding": "gzip" if compressed else "identity"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    async with http.stream("GET", "/export", params=parameters, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return Received(response.status_code, response.headers, raw)


def decompressed(response: Received) -> bytes:
    assert response.headers["content-encoding"] == "gzip"
    return gzip.decompress(response.content)


FEED = """
query Feed($after: String) {
  changes(after: $after, first: 7) {
    nodes { cursor op type nodeId version fields { name before after } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def changes_after(api: httpx.AsyncClient, key: str, cursor: str) -> list[dict[str, Any]]:
    """Every change after an export's cursor, read as a partner reads it (`changes` over
    /graphql, pages of 7): type, node_id, op, version and `fields` by name."""
    read: list[dict[str, Any]] = []
    after = cursor
    while True:
        response = await api.post(
            "/graphql",
            json={"query": FEED, "variables": {"after": after}},
            headers={"authorization": f"Bearer {key}"},
        )
        body = response.json()
        assert "errors" not in body, body
        page = body["data"]["changes"]
        for change in page["nodes"]:
            found = node_key(change["nodeId"])
            assert found is not None
            read.append(
                {
                    "cursor": change["cursor"],
                    "type": change["type"],
                    "node_id": found[1],
                    "op": change["op"],
                    "version": change["version"],
                    "fields": {
                        field["name"]: {"before": field["before"], "after": field["after"]}
                        for field in change["fields"]
                    },
                }
            )
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return read


def fold(corpus: Corpus, changes: Iterable[Mapping[str, Any]]) -> Corpus:
    """`corpus` with each change applied in order; a change of a version the corpus already
    holds fails (a change seen twice)."""
    folded = {key: Node(node.version, dict(node.fields)) for key, node in corpus.items()}
    for change in changes:
        key = (Entity(change["type"]), change["node_id"])
        fields = change["fields"]
        held = folded.get(key)
        if held is not None:
            assert change["version"] > held.version, f"{key}: {change['version']} seen again"
        if change["op"] == "DELETE":
            folded.pop(key, None)
        elif change["op"] == "CREATE":
            assert held is None, f"{key} created twice"
            after = {name: value["after"] for name, value in fields.items()}
            folded[key] = Node(change["version"], after)
        else:
            assert held is not None, f"{key} updated before it was created"
            held.version = change["version"]
            held.fields.update((name, value["after"]) for name, value in fields.items())
    return folded


def comparable(corpus: Corpus) -> Corpus:
    """`corpus` with its fields `canonical`: what equality of two corpora means."""
    return {key: Node(node.version, canonical(node.fields)) for key, node in corpus.items()}
