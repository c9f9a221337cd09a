"""The compiled path and Strawberry's execution answer every request alike.

Every request runs through both (`tests.schema.differential.compare`), on the seed corpus and
on a generated one, and both responses must be the same JSON, member order included: data,
errors with their messages, paths and codes. The requests: a hand-written corpus
(`tests.schema.differential_corpus`) that selects every field and passes every argument of the
schema (checked below against the schema itself, so a new field cannot escape), the examples of
the README and of docs/querying.md, the benchmark's documents with the variable sets it picks
from the corpus (all answered by the compiled path), pages walked forward and backward
with the cursors of the page before, and queries hypothesis-graphql generates from the schema.

Strawberry's execution is the reference (graphql-core's semantics). The compiled path must answer
every request that succeeds (other than introspection) and decline every one that fails.
"""

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import hypothesis_graphql
import pytest
from graphql import (
    REMOVE,
    FieldDefinitionNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_object_type,
    is_union_type,
    parse,
    print_ast,
    type_from_ast,
    visit,
)
from graphql.language import ArgumentNode, EnumValueNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.db.server import to_asyncpg_dsn
from api.fixtures.generate import generate_corpus
from api.settings import Settings
from bench.documents import read_document
from bench.requests import HEAVY_QUERY
from bench.variables import choose_cases
from schema.execution.operation import Operations
from schema.schema import build_schema, graphql_core_schema
from tests.schema.conftest import loaded_database, serving
from tests.schema.differential import Case, Comparison, Known, compare, plain, with_variables
from tests.schema.differential_corpus import CASES, ERROR_CASES, INTROSPECTION_CASES, WALKS, Walk
from tests.schema.test_generated_queries import SCALARS
from tests.schema.test_querying_doc import documented_examples

SCHEMA: GraphQLSchema = graphql_core_schema(build_schema())
GENERATED_EVENTS = 300
GENERATED_SEED = 7
INTERNAL = b'"INTERNAL_SERVER_ERROR"'
RAW_QUERIES = 200
REALISTIC_QUERIES = 200


@pytest.fixture(scope="module")
async def generated_url(
    server_url: URL, template_url: URL, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[URL]:
    """A database holding a generated corpus of 300 events."""
    folder: Path = tmp_path_factory.mktemp("differential-corpus")
    generate_corpus(folder, events=GENERATED_EVENTS, seed=GENERATED_SEED)
    async with loaded_database(server_url, "eventgraph_test_differential", folder) as url:
        yield url


@pytest.fixture(scope="module")
async def generated_app(generated_url: URL) -> AsyncIterator[Starlette]:
    """The app over the generated corpus."""
    async with serving(Settings(), generated_url) as app:
        yield app


@pytest.fixture(params=["seed", "generated", "many_sources"])
def corpus(request: pytest.FixtureRequest) -> tuple[Starlette, URL]:
    """Each corpus in turn: the app over it, and its database."""
    app: Starlette = request.getfixturevalue(f"{request.param}_app")
    url: URL = request.getfixturevalue(f"{request.param}_url")
    return app, url


@pytest.fixture
def app(corpus: tuple[Starlette, URL]) -> Starlette:
    """The app over each corpus in turn."""
    return corpus[0]


def failures(comparisons: list[Comparison], *, compiled: bool | None) -> list[str]:
    """What is wrong with `comparisons`: disagreements, and answers from the wrong path
    (`compiled`: which path must answer; None: either)."""
    problems = [comparison.describe() for comparison in comparisons if not comparison.agrees]
    if compiled is not None:
        problems += [
            f"{comparison.case.name}: answered by the "
            f"{'compiled path' if comparison.compiled.compiled else 'fallback'}\n"
            f"  query: {comparison.case.query.strip()}\n  variables: {comparison.case.variables}\n"
            f"  response: {comparison.compiled.body.decode(errors='replace')[:500]}"
            for comparison in comparisons
            if comparison.compiled.compiled is not compiled
        ]
    return problems


async def compare_all(operations: Operations, cases: list[Case]) -> list[Comparison]:
    known = await Known.discover(operations)
    return [await compare(operations, known.fill(case)) for case in cases]


# ---------------------------------------------------------------- the hand-written corpus


async def test_the_paths_agree_on_the_corpus(app: Starlette) -> None:
    comparisons = await compare_all(app.state.operations, CASES)
    erring = [
        f"{c.case.name}: {plain(c.reference.body)['errors']}" for c in comparisons if c.has_errors
    ]
    assert not erring, "these requests must succeed:\n" + "\n".join(erring)
    problems = failures(comparisons, compiled=True)
    assert not problems, "\n\n".join(problems)


async def test_the_paths_agree_on_errors(app: Starlette) -> None:
    comparisons = await compare_all(app.state.operations, ERROR_CASES)
    succeeding = [c.case.name for c in comparisons if not c.has_errors]
    assert not succeeding, f"these requests must fail: {succeeding}"
    internal = [c.case.name for c in comparisons if INTERNAL in c.reference.body]
    assert not internal, f"these requests fail as if the server were at fault: {internal}"
    problems = failures(comparisons, compiled=False)
    assert not problems, "\n\n".join(problems)


async def test_introspection_is_left_to_strawberry(seed_app: Starlette) -> None:
    comparisons = await compare_all(seed_app.state.operations, INTROSPECTION_CASES)
    assert not [c.case.name for c in comparisons if c.has_errors]
    problems = failures(comparisons, compiled=False)
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------- the corpus covers the schema


class Coverage:
    """What a set of requests exercises: fields (of object types and interfaces), arguments,
    input fields and the values of enums used as input, each by its schema coordinate
    ("Event.statements", "Event.statements(first:)", "EventFilter.search", "EventKind.MEETING")."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.used: set[str] = set()

    def everything(self) -> set[str]:
        """Every coordinate of the read schema: what the Query root reaches (the mutations
        run through Strawberry alone, tested in tests/write)."""
        wanted: set[str] = set()
        input_enums: set[str] = set()
        readable = self.reachable()
        for name, named in self.schema.type_map.items():
            if name.startswith("__") or name not in readable:
                continue
            if is_object_type(named) or is_interface_type(named):
                for field_name, field in named.fields.items():
                    wanted.add(f"{name}.{field_name}")
                    for argument_name, argument in field.args.items():
                        wanted.add(f"{name}.{field_name}({argument_name}:)")
                        input_enums |= _enums(argument.type)
            elif is_input_object_type(named):
                for field_name, field in named.fields.items():
                    wanted.add(f"{name}.{field_name}")
                    input_enums |= _enums(field.type)
        for name in input_enums:
            enum = self.schema.type_map[name]
            assert isinstance(enum, GraphQLEnumType)
            wanted |= {f"{name}.{value}" for value in enum.values}
        return wanted

    def reachable(self) -> set[str]:
        """The names of the types the Query root reaches, through fields and arguments."""
        assert self.schema.query_type is not None
        seen: set[str] = set()
        pending: list[Any] = [self.schema.query_type]
        while pending:
            named = get_named_type(pending.pop())
            if named.name in seen:
                continue
            seen.add(named.name)
            if is_interface_type(named) or is_union_type(named):
                pending.extend(self.schema.get_possible_types(named))
            for field in getattr(named, "fields", {}).values():
                pending.append(field.type)
                pending.extend(argument.type for argument in getattr(field, "args", {}).values())
        return seen

    def add(self, case: Case) -> None:
        try:
            document = parse(case.query)
        except GraphQLError:
            return  # exercises nothing
        type_info = TypeInfo(self.schema)
        visit(document, TypeInfoVisitor(type_info, _Exercised(type_info, self)))
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self.add_variables(definition, case.variables or {})

    def add_variables(self, operation: OperationDefinitionNode, values: Mapping[str, Any]) -> None:
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            input_type = type_from_ast(self.schema, definition.type)
            assert input_type is not None
            if name in values:
                self.add_value(input_type, values[name])  # type: ignore[arg-type]
            elif definition.default_value is not None:
                self.add_literal(input_type, definition.default_value)  # type: ignore[arg-type]

    def add_value(self, input_type: GraphQLInputType, value: Any) -> None:
        """A variable's value, as JSON gives it."""
        if isinstance(input_type, GraphQLNonNull):
            self.add_value(input_type.of_type, value)
        elif isinstance(input_type, GraphQLList):
            for item in value if isinstance(value, list) else [value]:
                self.add_value(input_type.of_type, item)
        elif isinstance(input_type, GraphQLInputObjectType) and isinstance(value, Mapping):
            for key, item in value.items():
                self.used.add(f"{input_type.name}.{key}")
                self.add_value(input_type.fields[key].type, item)
        elif isinstance(input_type, GraphQLEnumType) and isinstance(value, str):
            self.used.add(f"{input_type.name}.{value}")

    def add_literal(self, input_type: GraphQLInputType, value: Any) -> None:
        """A value written in the document (variables inside are counted with the operation)."""
        if isinstance(input_type, GraphQLNonNull):
            self.add_literal(input_type.of_type, value)
        elif isinstance(input_type, GraphQLList):
            items = value.values if isinstance(value, ListValueNode) else [value]
            for item in items:
                self.add_literal(input_type.of_type, item)
        elif isinstance(input_type, GraphQLInputObjectType) and isinstance(value, ObjectValueNode):
            for field in value.fields:
                self.used.add(f"{input_type.name}.{field.name.value}")
                self.add_literal(input_type.fields[field.name.value].type, field.value)
        elif isinstance(input_type, GraphQLEnumType) and isinstance(value, EnumValueNode):
            self.used.add(f"{input_type.name}.{value.value}")


def _enums(input_type: Any) -> set[str]:
    named = get_named_type(input_type)
    return {named.name} if is_enum_type(named) else set()


class _Exercised(Visitor):
    def __init__(self, type_info: TypeInfo, coverage: Coverage) -> None:
        super().__init__()
        self.type_info = type_info
        self.coverage = coverage

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        if parent is not None and not node.name.value.startswith("__"):
            self.coverage.used.add(f"{parent.name}.{node.name.value}")

    def enter_argument(
        self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: list[Any]
    ) -> None:
        parent, argument = self.type_info.get_parent_type(), self.type_info.get_argument()
        if self.type_info.get_directive() is not None or parent is None or argument is None:
            return
        field: FieldNode = ancestors[-1]
        self.coverage.used.add(f"{parent.name}.{field.name.value}({node.name.value}:)")
        self.coverage.add_literal(argument.type, node.value)


def test_the_corpus_exercises_the_whole_schema() -> None:
    coverage = Coverage(SCHEMA)
    walks = [
        route.case(forward=forward, cursor=None) for route in WALKS for forward in (True, False)
    ]
    for case in [*CASES, *ERROR_CASES, *walks]:
        coverage.add(case)
    missing = sorted(coverage.everything() - coverage.used)
    assert not missing, f"the corpus never exercises: {missing}"


def test_the_coverage_check_sees_what_is_missing() -> None:
    coverage = Coverage(SCHEMA)
    coverage.add(
        Case(
            "one",
            '{ event(slug: "x") { title } events(filter: {kind: {eq: MEETING}}) { totalCount } }',
        )
    )
    missing = coverage.everything() - coverage.used
    assert {
        "Event.title",
        "Query.event(slug:)",
        "EventFilter.kind",
        "EventKind.MEETING",
    } <= coverage.used
    assert {"Event.slug", "Query.event(id:)", "EventFilter.slug", "EventKind.SUMMIT"} <= missing


# ---------------------------------------------------------------- documented and benchmarked


async def benchmark_cases(url: URL) -> list[Case]:
    """The documents of bench/queries with the variable sets the benchmark picks from the corpus
    at `url` (every timed case), and the memory check's heavy query."""
    chosen = await choose_cases(to_asyncpg_dsn(url))
    cases = [
        Case(f"{case.key} #{number}", case.document.text, variables)
        for case in chosen
        for number, variables in enumerate(case.variable_sets)
    ]
    return [*cases, Case("heavy", read_document(HEAVY_QUERY).text)]


def documented_cases() -> list[Case]:
    return [Case(example.name, example.query) for example in documented_examples()]


def answered_by_the_right_path(comparisons: list[Comparison]) -> list[str]:
    """The problems of requests that may fail or succeed: the compiled path answers exactly
    those that succeed."""
    problems = failures([c for c in comparisons if not c.has_errors], compiled=True)
    return problems + failures([c for c in comparisons if c.has_errors], compiled=False)


async def test_the_paths_agree_on_the_documented_queries(seed_app: Starlette) -> None:
    """On the seed corpus, which the README and the guide are written for."""
    comparisons = [await compare(seed_app.state.operations, case) for case in documented_cases()]
    problems = answered_by_the_right_path(comparisons)
    assert not problems, "\n\n".join(problems)


async def test_the_compiled_path_answers_the_benchmarked_queries(
    corpus: tuple[Starlette, URL],
) -> None:
    app, url = corpus
    cases = await benchmark_cases(url)
    assert {case.name.split(" #")[0] for case in cases} >= {
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q5",
        "Q6",
        "Q7",
    }
    comparisons = [await compare(app.state.operations, case) for case in cases]
    assert [c.case.name for c in comparisons if c.has_errors] == []
    problems = failures(comparisons, compiled=True)
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------- pages, cursor to cursor

MOST_PAGES = 12


def page_of(data: Any) -> Any:
    """The connection of a walk's response (under the lookup, for a nested walk)."""
    (value,) = data.values()
    if "pageInfo" not in value:
        (value,) = value.values()
    return value


async def walk(operations: Operations, known: Known, route: Walk, *, forward: bool) -> list[str]:
    """Every page of a connection, each from the cursor of the page before: the problems."""
    problems: list[str] = []
    cursor = None
    for number in range(MOST_PAGES):
        case = known.fill(route.case(forward=forward, cursor=cursor))
        comparison = await compare(operations, replace(case, name=f"{case.name}, page {number}"))
        problems += failures([comparison], compiled=True)
        page_info = page_of(plain(comparison.reference.body)["data"])["pageInfo"]
        if not page_info["hasNextPage" if forward else "hasPreviousPage"]:
            break
        cursor = page_info["endCursor" if forward else "startCursor"]
    return problems


async def test_pages_walked_from_cursor_to_cursor_agree(app: Starlette) -> None:
    operations = app.state.operations
    known = await Known.discover(operations)
    problems: list[str] = []
    for route in WALKS:
        problems += await walk(operations, known, route, forward=True)
        problems += await walk(operations, known, route, forward=False)
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------- generated queries


def generated_queries(
    count: int, scalars: Mapping[str, Any], *, allow_x00: bool, sdl: str | None = None
) -> list[str]:
    """`count` queries hypothesis-graphql draws from the schema, the same on every run (for the
    same scalar strategies), without repeats."""
    drawn: list[str] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        query=hypothesis_graphql.queries(sdl or SDL, custom_scalars=scalars, allow_x00=allow_x00)
    )
    def draw(query: str) -> None:
        drawn.append(query)

    draw()
    return list(dict.fromkeys(drawn))


SDL = build_schema(mutation=False).as_str()
"""The read schema: the compiled path answers queries only (mutations: tests/write)."""


def without_histories(sdl: str) -> str:
    """`sdl` without the histories, which the compiled path leaves to Strawberry (tests/feed
    checks their answers): `history` is on every node, so queries drawn with it would mostly
    measure that, not what the compiled path answers."""

    class Strip(Visitor):
        def enter_field_definition(self, node: FieldDefinitionNode, *_: Any) -> Any:
            return REMOVE if node.name.value == "history" else None

    return print_ast(visit(parse(sdl), Strip()))


REALISTIC_SDL = without_histories(SDL)
WORDS = ["Chine", "Poutine", "Russie", "nucléaire", "relations", "Xi", "a", "fr", "en", "fr-CA"]


def realistic_scalars(known: Known) -> dict[str, Any]:
    """Arguments a client would send: small page sizes, the slugs, ids and cursors of the corpus
    at hand, words found in it, language tags (the schema's own Date and DateTime strategies)."""
    slugs = [value for key, value in known.values.items() if not key.endswith(("_ID%", "CURSOR%"))]
    ids = [value for key, value in known.values.items() if key.endswith("_ID%")]
    cursors = [value for key, value in known.values.items() if key.endswith("CURSOR%")]
    return {
        **SCALARS,
        "Int": st.one_of(st.integers(0, 12), st.sampled_from([60, 85, 100])).map(nodes.Int),
        "String": st.sampled_from([*slugs, *WORDS, *cursors]).map(nodes.String),
        "ID": st.sampled_from(ids).map(nodes.String),
    }


async def run_generated(
    app: Starlette, family: str, cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> int:
    """Runs `cases` through both paths: how many the compiled path answered."""
    comparisons = [await compare(app.state.operations, case) for case in cases]
    # A failing request is never answered by the compiled path. A succeeding one may be
    # declined: the compiled path refuses an argument that would be an error wherever the
    # field is, and Strawberry resolves nothing under a null or an empty list.
    problems = failures([c for c in comparisons if not c.has_errors], compiled=None)
    problems += failures([c for c in comparisons if c.has_errors], compiled=False)
    problems += [
        f"{c.case.name} fails as if the server were at fault: {c.case.query}"
        for c in comparisons
        if INTERNAL in c.reference.body
    ]
    compiled = sum(c.compiled.compiled for c in comparisons)
    failing = sum(c.has_errors for c in comparisons)
    with capsys.disabled():
        print(
            f"\n{family}: {len(comparisons)} queries, {compiled} answered by the compiled path, "
            f"{failing} failing (declined), {len(comparisons) - compiled - failing} succeeding "
            "but declined"
        )
    assert not problems, "\n\n".join(problems[:20])
    return compiled


@pytest.mark.slow
async def test_the_paths_agree_on_generated_queries(
    seed_app: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anything the schema allows: random texts, numbers and ids, most of them refused."""
    queries = generated_queries(RAW_QUERIES, SCALARS, allow_x00=True)
    await run_generated(seed_app, "generated", numbered("generated", queries), capsys)


@pytest.mark.slow
async def test_the_paths_agree_on_generated_realistic_queries(
    app: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    """Queries with the arguments a client would send: most of them succeed."""
    known = await Known.discover(app.state.operations)
    queries = generated_queries(
        REALISTIC_QUERIES, realistic_scalars(known), allow_x00=False, sdl=REALISTIC_SDL
    )
    family = "generated realistic"
    compiled = await run_generated(app, family, numbered(family, queries), capsys)
    assert compiled > len(queries) // 2


@pytest.mark.slow
async def test_the_paths_agree_on_generated_queries_through_variables(
    seed_app: Starlette, capsys: pytest.CaptureFixture[str]
) -> None:
    """The realistic queries again, every argument given through a variable."""
    known = await Known.discover(seed_app.state.operations)
    queries = generated_queries(
        REALISTIC_QUERIES, realistic_scalars(known), allow_x00=False, sdl=REALISTIC_SDL
    )
    family = "generated realistic, through variables"
    cases = [
        Case(f"{family} {number}", *with_variables(SCHEMA, query))
        for number, query in enumerate(queries)
    ]
    compiled = await run_generated(seed_app, family, cases, capsys)
    assert compiled > len(queries) // 2


def numbered(family: str, queries: list[str]) -> list[Case]:
    return [Case(f"{family} {number}", query) for number, query in enumerate(queries)]
