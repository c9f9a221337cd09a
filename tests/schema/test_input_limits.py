"""Every String, ID and list the schema takes has a limit, and a value over it is refused with
BAD_USER_INPUT naming it, before any statement runs or any connection is taken."""

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, extend_schema, parse
from starlette.applications import Starlette

from api.settings import PROJECT_ROOT, Settings
from api.store.statements import Database, close_database, open_database
from schema.execution.operation import GraphQLRequest, Operations
from schema.input_limits import BY_COORDINATE, BY_NAME, schema_inputs, unbounded_inputs
from schema.schema import build_schema
from tests.schema.conftest import counting_statements

SCHEMA: GraphQLSchema = build_schema()._schema

# (kind, query, variables, the coordinate the refusal names)
OVERSIZED: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "search text",
        "query ($q: String!) { search(query: $q) { __typename } }",
        {"q": "x" * 900_000},
        "Query.search(query:)",
    ),
    (
        "search text in a filter",
        "query ($q: String) { statements(filter: {search: $q}) { totalCount } }",
        {"q": "x" * 501},
        "StatementFilter.search",
    ),
    (
        "a contains operand",
        "query ($s: String) { events(filter: {title: {contains: $s}}) { totalCount } }",
        {"s": "x" * 1_001},
        "StringFilter.contains",
    ),
    (
        "a startsWith operand, deep in a filter",
        """query ($s: String) { events(filter: {participants: {some: {name: {startsWith: $s}}}}) {
          totalCount } }""",
        {"s": "x" * 1_001},
        "StringFilter.startsWith",
    ),
    (
        "an eq operand",
        "query ($s: String) { participants(filter: {name: {eq: $s}}) { totalCount } }",
        {"s": "x" * 3_001},
        "StringFilter.eq",
    ),
    (
        "an in list",
        "query ($s: [String!]) { events(filter: {slug: {in: $s}}) { totalCount } }",
        {"s": [f"e{n}" for n in range(101)]},
        "StringFilter.in",
    ),
    (
        "a string of an in list",
        "query ($s: [String!]) { events(filter: {slug: {in: $s}}) { totalCount } }",
        {"s": ["x" * 3_001]},
        "StringFilter.in",
    ),
    (
        "an enum in list",
        "query ($k: [EventKind!]) { events(filter: {kind: {in: $k}}) { totalCount } }",
        {"k": ["MEETING"] * 21},
        "EventKindFilter.in",
    ),
    (
        "an id",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": "x" * 101},
        "Query.node(id:)",
    ),
    (
        "ids of nodes",
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ["x"] * 101},
        "Query.nodes(ids:)",
    ),
    (
        "an id filter",
        "query ($id: ID) { events(filter: {id: {eq: $id}}) { totalCount } }",
        {"id": "x" * 101},
        "IDFilter.eq",
    ),
    (
        "a cursor",
        "query ($c: String) { events(after: $c) { totalCount } }",
        {"c": "x" * 8_193},
        "Query.events(after:)",
    ),
    (
        "a nested cursor",
        """query ($c: String) { topic(slug: "iran-situation") {
          statements(before: $c, last: 1) { totalCount } } }""",
        {"c": "x" * 8_193},
        "Topic.statements(before:)",
    ),
    (
        "a slug",
        "query ($s: String) { event(slug: $s) { id } }",
        {"s": "x" * 201},
        "Query.event(slug:)",
    ),
    (
        "a language",
        """query ($l: String) { participant(slug: "vladimir-putin") { name(language: $l) } }""",
        {"l": "x" * 36},
        "Participant.name(language:)",
    ),
    (
        "an orderBy list",
        "query ($o: [EventOrder!]) { events(orderBy: $o) { totalCount } }",
        {"o": [{"field": "TITLE", "direction": "ASC"}] * 6},
        "Query.events(orderBy:)",
    ),
    (
        "an or list",
        "query ($f: [EventFilter!]) { events(filter: {or: $f}) { totalCount } }",
        {"f": [{}] * 101},
        "EventFilter.or",
    ),
    (
        "a literal in the document",
        '{ events(filter: {title: {contains: "' + "x" * 1_001 + '"}}) { totalCount } }',
        {},
        "StringFilter.contains",
    ),
]


def test_every_string_id_and_list_input_of_the_schema_has_a_limit() -> None:
    inputs = list(schema_inputs(SCHEMA))
    # The walk sees the schema's arguments and input fields, not an empty list.
    coordinates = {coordinate for coordinate, _, _ in inputs}
    assert {"Query.search(query:)", "StringFilter.contains", "Query.nodes(ids:)"} <= coordinates
    assert len(inputs) > 150
    assert unbounded_inputs(SCHEMA) == []


def test_an_input_added_without_a_limit_is_found() -> None:
    extended = extend_schema(
        SCHEMA,
        parse(
            """
            extend type Query { notes(text: String, tags: [Int!], first: Int): Int }
            extend input StringFilter { matches: String }
            extend input EventKindFilter { notIn: [EventKind!] }
            """
        ),
    )
    assert sorted(unbounded_inputs(extended)) == [
        "EventKindFilter.notIn",
        "Query.notes(tags:)",
        "Query.notes(text:)",
        "StringFilter.matches",
    ]


def test_each_limit_is_documented() -> None:
    """docs/partners.md has a row per limit: what it bounds, its characters and items."""
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[3:5]]
        for line in (PROJECT_ROOT / "docs" / "partners.md").read_text().splitlines()
        if line.startswith("| ")
    }
    for limit in {*BY_COORDINATE.values(), *BY_NAME.values()}:
        shown = [
            f"{size:,}" if size is not None else "–" for size in (limit.characters, limit.items)
        ]
        assert rows.get(limit.what) == shown, f"docs/partners.md: {limit.what}"


@pytest.mark.parametrize(
    ("query", "variables", "coordinate"),
    [case[1:] for case in OVERSIZED],
    ids=[case[0] for case in OVERSIZED],
)
async def test_an_oversized_input_is_refused_before_any_statement(
    seed_app: Starlette, query: str, variables: dict[str, Any], coordinate: str
) -> None:
    transport = httpx.ASGITransport(app=seed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eventgraph.test") as http:
        with counting_statements(seed_app) as statements:
            started = time.perf_counter()
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables or None}
            )
            elapsed = time.perf_counter() - started
    assert len(statements) == 0
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"{coordinate} takes at most ")
    assert elapsed < 1.0
    # Nothing was charged: the refusal came before the budget.
    assert "x-ratelimit-remaining" not in response.headers


async def test_an_input_at_its_limit_runs(seed_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=seed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eventgraph.test") as http:
        response = await http.post(
            "/graphql",
            json={
                "query": "query ($q: String!) { search(query: $q) { __typename } }",
                "variables": {"q": "x" * 500},
            },
        )
    assert response.json()["data"] == {"search": []}


@pytest.fixture
async def unreachable() -> AsyncIterator[Database]:
    """A database no connection can be taken from: port 1 of the loopback refuses."""
    database = await open_database(
        "postgresql://nobody@127.0.0.1:1/nothing",
        pool_size=1,
        statement_timeout_ms=1_000,
        acquire_timeout=1.0,
    )
    yield database
    await close_database(database)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "strawberry"])
async def test_both_paths_refuse_without_a_connection(
    unreachable: Database, compiled: bool
) -> None:
    # Any connection taken would fail the request with SERVICE_UNAVAILABLE instead.
    operations = Operations(build_schema(), Settings(), unreachable)
    for kind, query, variables, coordinate in OVERSIZED:
        outcome = await operations.run(
            GraphQLRequest(query, variables or None), request_id=kind, compiled=compiled
        )
        assert outcome.request_error, kind
        assert outcome.codes == ["BAD_USER_INPUT"], (kind, outcome.body)
        assert coordinate.encode() in outcome.body, kind
        assert outcome.sql_statements == 0
    assert unreachable.executed == 0
    light = await operations.run(GraphQLRequest("{ events { totalCount } }"), request_id="x")
    assert light.codes == ["SERVICE_UNAVAILABLE"]
