"""Run inside a copy of the project that the walkthroughs extended: every derived surface must
hold the new Statement column and the new entity (Venue), on a real PostgreSQL.

`python check.py` with EXTENSION_ROOT (the copy, first on PYTHONPATH) and EXTENSION_SERVER_URL
(a PostgreSQL maintenance database the test's user may create databases from). Prints "ok", or
fails with the first surface that lacks them.
"""

import asyncio
import json
import os
import sys
import tempfile
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)
from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(os.environ["EXTENSION_ROOT"])

import api  # noqa: E402

if not Path(api.__file__).resolve().is_relative_to(ROOT.resolve()):
    sys.exit(f"api was imported from {api.__file__}, not from the extended copy {ROOT}")

from api.app import create_app  # noqa: E402
from api.db.migrations import migrate  # noqa: E402
from api.db.server import drop_database, ensure_database, to_async_url  # noqa: E402
from api.db.tables import metadata  # noqa: E402
from api.fixtures.export import export_fixtures  # noqa: E402
from api.fixtures.load import load_fixtures  # noqa: E402
from api.fixtures.models import FixtureFile  # noqa: E402
from api.settings import Settings  # noqa: E402
from schema.execution.operation import GraphQLRequest, Operations  # noqa: E402
from schema.schema import build_schema, graphql_core_schema  # noqa: E402

CORPUS = {
    "sources.yaml": """
sources:
  - slug: wire
    title: A wire story
    publisher: A wire
    language: en
""",
    "participants.yaml": """
participants:
  - slug: russia
    kind: COUNTRY
    names:
      - {value: Russia, language: en, primary: true}
      - {value: Россия, language: ru}
  - slug: china
    kind: COUNTRY
    names:
      - {value: China, language: en, primary: true}
  - slug: vladimir-putin
    kind: PERSON
    country: russia
    names:
      - {value: Vladimir Putin, language: en, primary: true}
""",
    "statements.yaml": """
statements:
  - slug: putin-on-the-call
    text: The call went well.
    language: en
    kind: PARAPHRASE
    speaker: vladimir-putin
    source: wire
    note: checked against the Kremlin's readout
  - slug: putin-again
    text: Relations are at their best.
    language: en
    kind: PARAPHRASE
    speaker: vladimir-putin
    source: wire
""",
    "venues.yaml": """
venues:
  - slug: kremlin-palace
    host: russia
    names:
      - {value: Grand Kremlin Palace, language: en, primary: true}
      - {value: Большой Кремлёвский дворец, language: ru}
  - slug: great-hall
    host: china
    names:
      - {value: Great Hall of the People, language: en, primary: true}
  - slug: palais-des-nations
    names:
      - {value: Palais des Nations, language: fr, primary: true}
""",
}


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def object_type(schema: GraphQLSchema, name: str) -> GraphQLObjectType:
    found = schema.get_type(name)
    check(isinstance(found, GraphQLObjectType), f"the schema has the type {name}")
    assert isinstance(found, GraphQLObjectType)
    return found


def input_fields(schema: GraphQLSchema, name: str) -> set[str]:
    found = schema.get_type(name)
    check(isinstance(found, GraphQLInputObjectType), f"the schema has the input {name}")
    assert isinstance(found, GraphQLInputObjectType)
    return set(found.fields)


def check_schema(schema: GraphQLSchema) -> None:
    venue = object_type(schema, "Venue")
    check({"id", "slug", "name", "host"} <= set(venue.fields), "Venue has its fields")
    check("Node" in {kind.name for kind in venue.interfaces}, "Venue is a Node")
    query = schema.query_type
    assert query is not None
    check(set(query.fields["venue"].args) == {"id", "slug"}, "Query.venue(id, slug)")
    venues = query.fields["venues"]
    check({"filter", "orderBy", "first", "after"} <= set(venues.args), "Query.venues(...)")
    check(
        {"id", "slug", "name", "host"} <= input_fields(schema, "VenueFilter"),
        "VenueFilter has the registry's fields",
    )
    check(input_fields(schema, "VenueOrder") == {"field", "direction"}, "VenueOrder")
    order_field = schema.get_type("VenueOrderField")
    check(
        isinstance(order_field, GraphQLEnumType) and set(order_field.values) == {"NAME"},
        "VenueOrderField",
    )
    search_type = schema.get_type("SearchType")
    check(
        isinstance(search_type, GraphQLEnumType) and "VENUE" in search_type.values,
        "SearchType.VENUE",
    )
    result = schema.get_type("SearchResult")
    check(
        isinstance(result, GraphQLUnionType) and "Venue" in {t.name for t in result.types},
        "SearchResult includes Venue",
    )
    check("note" in object_type(schema, "Statement").fields, "Statement.note")
    check("note" in input_fields(schema, "StatementFilter"), "StatementFilter.note")


def check_fixture_models() -> None:
    check("venues" in FixtureFile.model_fields, "the fixture format lists venues")
    properties = FixtureFile.model_json_schema()["$defs"]["Statement"]["properties"]
    check("note" in properties, "a fixture statement takes a note")


def no_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        return list(compare_metadata(context, metadata))


@asynccontextmanager
async def database(server: URL, name: str) -> AsyncIterator[URL]:
    """A database migrated with the copy's migrations, the walkthroughs' included."""
    await drop_database(server, name)
    url = await ensure_database(server, name)
    try:
        await migrate(url, ROOT / "alembic")
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                differences = await connection.run_sync(no_differences)
        finally:
            await engine.dispose()
        check(differences == [], f"the migrations make the tables: {differences}")
        yield url
    finally:
        await drop_database(server, name)


QUERIES: dict[str, str] = {
    "lookup": """{ venue(slug: "kremlin-palace") { __typename id slug
        name(language: "ru") host { slug name } } }""",
    "list": """{ venues(filter: {host: {kind: {eq: COUNTRY}}},
        orderBy: [{field: NAME, direction: DESC}]) { totalCount nodes { slug name } } }""",
    "search": """{ search(query: "Kremlin", types: [VENUE]) {
        __typename ... on Venue { slug } } }""",
    "note": """{ statements(filter: {note: {contains: "kremlin"}}) {
        nodes { text note } } }""",
}


def ordered(body: bytes) -> Any:
    """The JSON with every object as its list of members: member order counts."""
    return json.loads(body, object_pairs_hook=list)


async def answers(operations: Operations, query: str) -> Any:
    """The data of `query`, which the compiled path and Strawberry's must answer alike."""
    request = GraphQLRequest(query, None, None)
    compiled = await operations.run(request, request_id="extension", compiled=True)
    reference = await operations.run(request, request_id="extension", compiled=False)
    check(compiled.compiled, f"the compiled path answers {query}: {compiled.body!r}")
    check(ordered(compiled.body) == ordered(reference.body), f"both paths agree on {query}")
    body = json.loads(compiled.body)
    check("errors" not in body, f"{query} answers without errors: {body}")
    return body["data"]


async def check_reads(url: URL) -> None:
    app = create_app(Settings(), url)
    async with app.router.lifespan_context(app):
        operations: Operations = app.state.operations
        lookup = (await answers(operations, QUERIES["lookup"]))["venue"]
        check(lookup["name"] == "Большой Кремлёвский дворец", "the name in Russian")
        check(lookup["host"] == {"slug": "russia", "name": "Russia"}, "the host")
        node_query = f'{{ node(id: "{lookup["id"]}") {{ ... on Venue {{ slug }} }} }}'
        node = (await answers(operations, node_query))["node"]
        check(node == {"slug": "kremlin-palace"}, "node(id) finds a venue")
        listed = (await answers(operations, QUERIES["list"]))["venues"]
        check(listed["totalCount"] == 2, "the filter on the host")
        names = [item["name"] for item in listed["nodes"]]
        check(names == ["Great Hall of the People", "Grand Kremlin Palace"], f"by name: {names}")
        found = (await answers(operations, QUERIES["search"]))["search"]
        check(found[:1] == [{"__typename": "Venue", "slug": "kremlin-palace"}], f"search {found}")
        noted = (await answers(operations, QUERIES["note"]))["statements"]["nodes"]
        check(
            noted
            == [{"text": "The call went well.", "note": "checked against the Kremlin's readout"}],
            f"the note filter: {noted}",
        )


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


async def main() -> None:
    schema = build_schema()
    check_schema(graphql_core_schema(schema))
    check_fixture_models()
    server = to_async_url(os.environ["EXTENSION_SERVER_URL"])
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = work / "corpus"
        corpus.mkdir()
        for name, text in CORPUS.items():
            (corpus / name).write_text(text.lstrip(), encoding="utf-8")
        first, second = work / "first", work / "second"
        async with database(server, f"extension_{os.getpid()}_a") as url:
            await load_fixtures(url, [corpus])
            await check_reads(url)
            await export_fixtures(url, first)
        exported = read_folder(first)
        check(b"kremlin-palace" in exported.get("venues.yaml", b""), "venues are exported")
        check(b"Kremlin's readout" in exported["statements.yaml"], "the note is exported")
        async with database(server, f"extension_{os.getpid()}_b") as url:
            await load_fixtures(url, [first])
            await export_fixtures(url, second)
        check(read_folder(second) == exported, "export, load and export again: the same files")
    print("ok")


if __name__ == "__main__":
    asyncio.run(main())
