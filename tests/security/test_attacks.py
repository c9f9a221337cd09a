"""The well-known attacks on a GraphQL API, sent to the app in production mode over the seed
corpus in a real PostgreSQL, each refused with its code (or answered within the bounds).

Refusals before execution are checked to be that: no read statement ran (the store's statement
counter did not move) and the response has no `data`.
"""

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import URL

from api.security.keys import Scope
from tests.security.production import (
    GRAPHQL_RESPONSE,
    JSON,
    Production,
    codes,
    headers,
    new_key,
    production,
    seeded,
)

EVENTS_COUNT = "query ($f: EventFilter) { events(filter: $f) { totalCount } }"
FAN_OUT = (
    "{ events(first: 100) { nodes { participants { participant { "
    "events(first: %d) { nodes { title } } } } } } }"
)


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def key(seed: URL) -> str:
    return await new_key(seed, "attacker", Scope.READ)


@pytest.fixture
async def api(seed: URL) -> AsyncIterator[Production]:
    # These tests are about refusals, not pool waits (tests/security/test_bounds.py): the first
    # connection to a database just created can take over the default second on a busy machine.
    async with production(seed, pool_timeout_seconds=10) as served:
        yield served


async def refused_before_execution(
    api: Production, key: str, query: str, variables: dict[str, object] | None = None
) -> list[str]:
    """The codes of a request that must be refused before any read statement runs."""
    executed = api.database.executed
    response = await api.post(query, variables, key=key)
    assert response.status_code == 200, response.text
    assert "data" not in response.json()
    assert api.database.executed == executed
    return codes(response)


# ---------------------------------------------------------------- the size of a document


async def test_101_aliases_are_refused(api: Production, key: str) -> None:
    query = "{ " + " ".join(f"a{n}: rateLimit {{ cost }}" for n in range(101)) + " }"
    assert await refused_before_execution(api, key, query) == ["QUERY_TOO_COMPLEX"]


async def test_a_batch_of_ten_is_refused(api: Production, key: str) -> None:
    batch = [{"query": "{ events(first: 1) { totalCount } }"}] * 10
    response = await api.http.post("/graphql", json=batch, headers=headers(key))
    assert (response.status_code, codes(response)) == (400, ["BAD_USER_INPUT"])
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "directives",
    [
        pytest.param("@aa" * 10, id="10 unknown, repeated"),
        pytest.param("@include(if: true)" * 10, id="10 include, repeated"),
        pytest.param("@skip(if: false)" * 60, id="60 skip, repeated"),
    ],
)
async def test_repeated_directives_are_one_refusal(
    api: Production, key: str, directives: str
) -> None:
    # graphql-cop's "directive overloading": one error, not one per repetition.
    query = f"query cop {{ __typename {directives} }}"
    assert await refused_before_execution(api, key, query) == ["QUERY_TOO_COMPLEX"]


async def test_more_than_fifty_directives_are_refused(api: Production, key: str) -> None:
    fields = " ".join(f"a{n}: __typename @include(if: true)" for n in range(15))
    spreads = " ".join("... @include(if: true) { __typename }" for _ in range(40))
    query = "{ " + fields + " " + spreads + " }"
    refused = await refused_before_execution(api, key, query)
    assert refused == ["QUERY_TOO_COMPLEX"]


async def test_a_query_20_levels_deep_is_refused(api: Production, key: str) -> None:
    # topic, 18 parents, slug: 20 levels of fields.
    query = '{ topic(slug: "energy") { ' + "parent { " * 18 + "slug" + " }" * 19 + " }"
    assert await refused_before_execution(api, key, query) == ["QUERY_TOO_COMPLEX"]


async def test_fragments_spreading_each_other_twice_cost_their_size(
    api: Production, key: str
) -> None:
    # F30 spreads F29 twice, … : 2^30 paths, one fragment each time for the limits and plan.
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, 31)
    ]
    response = await api.post("{ ...F30 }\n" + "\n".join(fragments), key=key)
    assert response.json()["data"] == {"__typename": "Query"}


async def test_an_unknown_fragment_is_a_validation_error(api: Production, key: str) -> None:
    refused = await refused_before_execution(api, key, "{ events { ...Nope } }")
    assert refused == ["GRAPHQL_VALIDATION_FAILED"]


# ---------------------------------------------------------------- what introspection would tell


async def test_circular_introspection_is_refused(api: Production, key: str) -> None:
    query = (
        "{ __schema { types { fields { type { fields { type { fields { type { fields { "
        "type { name } } } } } } } } } } }"
    )
    refused = await refused_before_execution(api, key, query)
    assert set(refused) == {"GRAPHQL_VALIDATION_FAILED"}


SUGGESTION_PROBES = [
    pytest.param("{ evnts { totalCount } }", None, id="field"),
    pytest.param("{ events(frist: 1) { totalCount } }", None, id="argument"),
    pytest.param("{ events(filter: {kind: {eq: MEETNG}}) { totalCount } }", None, id="enum"),
    pytest.param('{ events(filter: {titel: {eq: "x"}}) { totalCount } }', None, id="input field"),
    pytest.param("query ($f: EvntFilter) { events(filter: $f) { totalCount } }", None, id="type"),
    pytest.param("{ events { ... on Evnt { id } } }", None, id="fragment type"),
    pytest.param(EVENTS_COUNT, {"f": {"titel": {"eq": "x"}}}, id="variable field"),
    pytest.param(EVENTS_COUNT, {"f": {"kind": {"eq": "MEETNG"}}}, id="variable enum"),
    pytest.param(
        "{ events(orderBy: [{field: STRT_DATE}]) { totalCount } }", None, id="order field"
    ),
]


@pytest.mark.parametrize(("query", "variables"), SUGGESTION_PROBES)
async def test_errors_suggest_no_names(
    api: Production, key: str, query: str, variables: dict[str, object] | None
) -> None:
    response = await api.post(query, variables, key=key)
    messages = " ".join(error["message"] for error in response.json()["errors"])
    assert codes(response)
    assert "Did you mean" not in messages


async def test_development_does_suggest_names(seed: URL) -> None:
    # The probes above would show names if the setting did not hide them.
    async with production(seed, environment="development") as dev:
        shown = []
        for probe in SUGGESTION_PROBES:
            query, variables = probe.values
            response = await dev.post(str(query), variables)  # type: ignore[arg-type]
            shown.append(
                any("Did you mean" in error["message"] for error in response.json()["errors"])
            )
    assert all(shown)


# ---------------------------------------------------------------- how a request comes in


@pytest.mark.parametrize(
    "query", ["{ events(first: 1) { totalCount } }", "mutation { __typename }"]
)
async def test_a_query_or_a_mutation_over_get_is_refused(
    api: Production, key: str, query: str
) -> None:
    response = await api.http.get("/graphql", params={"query": query}, headers=headers(key))
    assert (response.status_code, codes(response)) == (405, ["BAD_USER_INPUT"])
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n'
            b"--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        (b"{ __typename }", "application/graphql"),
        (b'{"query": "{ __typename }"}', "text/plain"),
    ],
)
async def test_a_post_that_is_not_json_is_refused(
    api: Production, key: str, content: bytes, content_type: str
) -> None:
    # A page of another site can send these without a CORS preflight (a CSRF), never JSON.
    response = await api.http.post(
        "/graphql", content=content, headers={**headers(key), "content-type": content_type}
    )
    assert (response.status_code, codes(response)) == (415, ["BAD_USER_INPUT"])


@pytest.mark.parametrize("body", [b'"x"', b"null", b"42", b"true", b"[]", b"{", b""])
async def test_a_body_that_is_not_a_json_object_is_refused(
    api: Production, key: str, body: bytes
) -> None:
    response = await api.http.post(
        "/graphql", content=body, headers={**headers(key), "content-type": JSON}
    )
    assert (response.status_code, codes(response)) == (400, ["BAD_USER_INPUT"])
    assert "data" not in response.json()


async def test_a_body_of_a_megabyte_is_refused(api: Production, key: str) -> None:
    padding = " " * 1_000_000
    declared = await api.post("{ __typename }" + padding, key=key)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(10):
            yield padding[:100_001].encode()
        yield b'"}'

    # Streamed without a Content-Length: counted while it is read.
    streamed = await api.http.post(
        "/graphql", content=chunks(), headers={**headers(key), "content-type": JSON}
    )
    for response in (declared, streamed):
        assert (response.status_code, codes(response)) == (413, ["BAD_USER_INPUT"])


# ---------------------------------------------------------------- arguments


async def test_first_100000_is_refused(api: Production, key: str) -> None:
    response = await api.post("{ events(first: 100000) { nodes { id } } }", key=key)
    body = response.json()
    assert (response.status_code, codes(response)) == (200, ["BAD_USER_INPUT"])
    assert body["data"] is None
    assert body["errors"][0]["message"] == "first must be at most 100"


def nested_filter(levels: int, operator: str = "eq") -> str:
    """A filter of `levels` `not`s around one condition on the title, as JSON text (too deep
    for Python's own encoder past a thousand levels)."""
    return '{"not": ' * levels + f'{{"title": {{"{operator}": "x"}}}}' + "}" * levels


@pytest.mark.parametrize(
    ("levels", "status", "code"),
    [
        (11, 200, "QUERY_TOO_COMPLEX"),  # 13 input objects: past the 12 allowed
        (150, 200, "QUERY_TOO_COMPLEX"),
        (300, 200, "BAD_USER_INPUT"),  # past graphql-core's nesting of variable values
        (5000, 400, "BAD_USER_INPUT"),  # past orjson's 1,024 levels: not read at all
    ],
)
async def test_a_deeply_nested_filter_in_variables_is_refused(
    api: Production, key: str, levels: int, status: int, code: str
) -> None:
    body = f'{{"query": "{EVENTS_COUNT}", "variables": {{"f": {nested_filter(levels)}}}}}'
    executed = api.database.executed
    response = await api.http.post(
        "/graphql", content=body.encode(), headers={**headers(key), "content-type": JSON}
    )
    assert (response.status_code, codes(response)) == (status, [code])
    assert "data" not in response.json()
    assert api.database.executed == executed


async def test_a_filter_at_the_depth_limit_runs(api: Production, key: str) -> None:
    # 12 input objects; the ten `not`s cancel out: every event's title is not "x".
    filter = json.loads(nested_filter(10, "ne"))
    response = await api.post(EVENTS_COUNT, {"f": filter}, key=key)
    assert response.json()["data"] == {"events": {"totalCount": 28}}


async def test_a_deeply_nested_filter_in_the_document_is_refused(api: Production, key: str) -> None:
    literal = "{not: " * 100 + '{title: {eq: "x"}}' + "}" * 100
    query = "{ events(filter: " + literal + ") { totalCount } }"
    assert await refused_before_execution(api, key, query) == ["QUERY_TOO_COMPLEX"]
    deeper = "{not: " * 300 + '{title: {eq: "x"}}' + "}" * 300
    query = "{ events(filter: " + deeper + ") { totalCount } }"
    assert await refused_before_execution(api, key, query) == ["GRAPHQL_PARSE_FAILED"]


async def test_20000_or_branches_are_refused(api: Production, key: str) -> None:
    branches = {"or": [{"title": {"eq": f"x{n}"}} for n in range(20_000)]}
    refused = await refused_before_execution(api, key, EVENTS_COUNT, {"f": branches})
    assert refused == ["QUERY_TOO_COMPLEX"]


async def test_conditions_are_counted_across_the_filters_of_a_query(
    api: Production, key: str
) -> None:
    query = (
        "query ($f: EventFilter) { a: events(filter: $f) { totalCount } "
        "b: events(filter: $f) { totalCount } }"
    )
    fifty = {"or": [{"title": {"eq": f"x{n}"}} for n in range(50)]}
    allowed = await api.post(query, {"f": fifty}, key=key)
    assert allowed.json()["data"] == {"a": {"totalCount": 0}, "b": {"totalCount": 0}}
    fifty_one = {"or": [{"title": {"eq": f"x{n}"}} for n in range(51)]}
    refused = await refused_before_execution(api, key, query, {"f": fifty_one})
    assert refused == ["QUERY_TOO_COMPLEX"]


async def test_the_same_order_field_twice_is_bad_input(api: Production, key: str) -> None:
    query = (
        "{ participants(orderBy: [{field: NAME}, {field: NAME, direction: DESC}]) "
        "{ nodes { slug } } }"
    )
    response = await api.post(query, key=key)
    assert (response.status_code, codes(response)) == (200, ["BAD_USER_INPUT"])
    assert response.json()["data"] is None


async def test_nodes_takes_at_most_a_page_of_ids(api: Production, key: str) -> None:
    events = await api.post("{ events(first: 1) { nodes { id } } }", key=key)
    event_id = events.json()["data"]["events"]["nodes"][0]["id"]
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    hundred = await api.post(query, {"ids": [event_id] * 100}, key=key)
    assert hundred.json()["data"]["nodes"] == [{"id": event_id}] * 100
    assert await refused_before_execution(api, key, query, {"ids": [event_id] * 101}) == [
        "BAD_USER_INPUT"
    ]


async def test_search_lists_each_type_once(api: Production, key: str) -> None:
    query = '{ search(query: "Poutine", types: [EVENT, STATEMENT, EVENT]) { __typename } }'
    assert await refused_before_execution(api, key, query) == ["BAD_USER_INPUT"]


async def test_a_search_for_one_letter_answers(api: Production, key: str) -> None:
    # "a" is a word in several languages and a trigram of most names: the ranked search
    # skips names for it and ranks a bounded number of full-text matches.
    response = await api.post('{ search(query: "a") { __typename } }', key=key)
    found = {hit["__typename"] for hit in response.json()["data"]["search"]}
    assert found <= {"Event", "Statement"}


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_a_date_time_past_the_calendar_is_bad_input(
    api: Production, key: str, instant: str
) -> None:
    query = "query ($t: DateTime) { events(filter: {updatedAt: {gt: $t}}) { totalCount } }"
    assert await refused_before_execution(api, key, query, {"t": instant}) == ["BAD_USER_INPUT"]


# ---------------------------------------------------------------- text PostgreSQL cannot hold

# Every String or ID argument of the schema, reached from the root (`$s` is the value tried).
STRING_ARGUMENTS = [
    "query ($s: String) { event(slug: $s) { id } }",
    "query ($s: ID) { event(id: $s) { id } }",
    "query ($s: String) { participant(slug: $s) { id } }",
    "query ($s: String) { topic(slug: $s) { id } }",
    "query ($s: String) { treaty(slug: $s) { id } }",
    "query ($s: ID!) { node(id: $s) { id } }",
    "query ($s: ID!) { nodes(ids: [$s]) { id } }",
    "query ($s: ID!) { source(id: $s) { id } }",
    "query ($s: ID!) { statement(id: $s) { id } }",
    "query ($s: String!) { search(query: $s) { __typename } }",
    "query ($s: String) { events(after: $s) { totalCount } }",
    "query ($s: String) { statements(before: $s, last: 1) { totalCount } }",
    "query ($s: String) { participants(first: 2) { nodes { name(language: $s) } } }",
    "query ($s: String) { topics(first: 2) { nodes { label(language: $s) } } }",
    "query ($s: String) { treaties(first: 2) { nodes { name(language: $s) } } }",
    "query ($s: String) { events(first: 2) { nodes { statements(after: $s) { totalCount } } } }",
    "query ($s: String) { events(filter: {title: {eq: $s}}) { totalCount } }",
    "query ($s: String) { events(filter: {title: {ne: $s}}) { totalCount } }",
    "query ($s: String!) { events(filter: {slug: {in: [$s]}}) { totalCount } }",
    "query ($s: String) { events(filter: {title: {contains: $s}}) { totalCount } }",
    "query ($s: String) { events(filter: {title: {startsWith: $s}}) { totalCount } }",
    "query ($s: String) { events(filter: {search: $s}) { totalCount } }",
    "query ($s: String) { statements(filter: {search: $s}) { totalCount } }",
    "query ($s: String) { participants(filter: {name: {contains: $s}}) { totalCount } }",
    "query ($s: String) { topics(filter: {label: {eq: $s}}) { totalCount } }",
    "query ($s: ID) { events(filter: {id: {eq: $s}}) { totalCount } }",
    "query ($s: String) { eventCounts(groupBy: KIND, filter: {search: $s}) { count } }",
]


@pytest.mark.parametrize("query", STRING_ARGUMENTS)
@pytest.mark.parametrize("text", ["a\x00b", "\x00"])
async def test_a_nul_character_in_any_string_argument_is_bad_input(
    api: Production, key: str, query: str, text: str
) -> None:
    response = await api.post(query, {"s": text}, key=key)
    assert response.status_code == 200, response.text
    errors = response.json().get("errors", [])
    # Arguments the database never sees (a language tag to choose a name by, an ID that
    # decodes to nothing) are answered; the others are refused as input.
    assert {error["extensions"]["code"] for error in errors} <= {"BAD_USER_INPUT"}


async def test_a_lone_surrogate_never_reaches_an_argument(api: Production, key: str) -> None:
    # In a JSON string (escaped or as raw bytes, not UTF-8): not JSON.
    for body in (
        b'{"query": "query ($s: String) { event(slug: $s) { id } }", '
        b'"variables": {"s": "\\ud800"}}',
        b'{"query": "{ event(slug: \\"\xed\xa0\x80\\") { id } }"}',
    ):
        response = await api.http.post(
            "/graphql", content=body, headers={**headers(key), "content-type": JSON}
        )
        assert (response.status_code, codes(response)) == (400, ["BAD_USER_INPUT"])
    # In a GraphQL string: not GraphQL.
    literal = await api.post('{ event(slug: "\\ud800") { id } }', key=key)
    assert codes(literal) == ["GRAPHQL_PARSE_FAILED"]


# ---------------------------------------------------------------- the heavy fan-out


async def test_the_heavy_fan_out_is_answered_within_the_ceilings(api: Production, key: str) -> None:
    # 1 + 100 + 100 × 50 requests; 100 + 100 × 50 + 100 × 50 × 98 = 495,100 objects at most,
    # under the 500,000 allowed: it runs, as one statement.
    executed = api.database.executed
    response = await api.post(FAN_OUT % 98, key=key, accept=GRAPHQL_RESPONSE)
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 5_101
    assert len(body["data"]["events"]["nodes"]) == 28
    assert api.database.executed == executed + 1


async def test_one_more_page_of_the_fan_out_is_refused(api: Production, key: str) -> None:
    # 100 + 5,000 + 5,000 × 99 = 500,100 objects: past the ceiling, refused before any SQL.
    refused = await refused_before_execution(api, key, FAN_OUT % 99)
    assert refused == ["QUERY_TOO_COMPLEX"]


async def test_a_refused_attack_costs_the_attacker_nothing(
    api: Production, key: str, seed: URL
) -> None:
    # Refusals before execution debit nothing: the partner's budget is untouched.
    await refused_before_execution(api, key, FAN_OUT % 99)
    other = await new_key(seed, "bystander", Scope.READ)
    mine = await api.post("{ events(first: 1) { totalCount } }", key=key)
    theirs = await api.post("{ events(first: 1) { totalCount } }", key=other)
    assert mine.headers["x-ratelimit-remaining"] == theirs.headers["x-ratelimit-remaining"]


@pytest.mark.parametrize(
    "query",
    [
        "qwerty cop { abc }",  # graphql-cop's probe for unhandled errors
        "{ nope }",
        "{ events(first: 101) { totalCount } }",
        '{ events(after: "garbage") { totalCount } }',
    ],
)
async def test_errors_carry_their_code_and_nothing_else(
    api: Production, key: str, query: str
) -> None:
    body = (await api.post(query, key=key)).json()
    assert body["errors"]
    # No exception, no stack trace: what graphql-cop looks for in an unhandled error.
    assert all(set(error["extensions"]) == {"code"} for error in body["errors"])
    # No tracing either (graphql-cop's "trace mode"): the response's extensions are the cost.
    assert set(body.get("extensions", {})) <= {"cost"}
