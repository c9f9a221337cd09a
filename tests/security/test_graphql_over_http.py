"""The GraphQL-over-HTTP specification, as graphql-http's audit checks it, in production mode:
`application/graphql-response+json` with 4xx for request errors, `application/json` kept for
the clients that ask for it, and no `data` on a request error under either."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.security.production import GRAPHQL_RESPONSE, JSON, Production, codes, production

# graphql-http's audit runs `{ __typename }` without a key: anonymous reads are on here.
TYPENAME = "{ __typename }"


@pytest.fixture
async def api(database_url: URL) -> AsyncIterator[Production]:
    async with production(database_url, anonymous_reads=True) as served:
        yield served


REQUEST_ERRORS = [
    pytest.param({"query": "{"}, "GRAPHQL_PARSE_FAILED", id="document parsing"),
    pytest.param({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED", id="document validation"),
    pytest.param(
        {"query": "query ($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
        "BAD_USER_INPUT",
        id="variable coercion",
    ),
    pytest.param(
        {"query": "query A { __typename } query B { __typename }"},
        "BAD_USER_INPUT",
        id="no operation chosen",
    ),
    pytest.param(
        {"query": "query A { __typename }", "operationName": "B"},
        "BAD_USER_INPUT",
        id="unknown operation",
    ),
]


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), (JSON, 200)])
async def test_a_request_error_has_no_data_and_its_media_type_s_status(
    api: Production, body: dict[str, Any], code: str, accept: str, status: int
) -> None:
    response = await api.http.post("/graphql", json=body, headers={"accept": accept})
    assert response.status_code == status
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert codes(response) == [code]
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="JSON parsing"),
        pytest.param(b"{}", id="no query"),
        pytest.param(b'{"query": {"obj": 1}}', id="query not a string"),
        pytest.param(b'{"query": "{ __typename }", "variables": "x"}', id="variables not a map"),
        pytest.param(b'{"query": "{ __typename }", "operationName": 1}', id="operationName"),
        pytest.param(b'{"query": "{ __typename }", "extensions": []}', id="extensions not a map"),
    ],
)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_request_that_is_not_graphql_is_400(
    api: Production, body: bytes, accept: str
) -> None:
    response = await api.http.post(
        "/graphql", content=body, headers={"accept": accept, "content-type": JSON}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert codes(response) == ["BAD_USER_INPUT"]
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("accept", "answered"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        (None, JSON),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
    ],
)
async def test_the_response_type_follows_accept(
    api: Production, accept: str | None, answered: str
) -> None:
    request_headers = {} if accept is None else {"accept": accept}
    response = await api.http.post("/graphql", json={"query": TYPENAME}, headers=request_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{answered}; charset=utf-8"
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_body_is_read_as_utf_8_whatever_the_charset_said(api: Production) -> None:
    query = '{ event(slug: "réunion") { id } }'.encode()
    for content_type in (JSON, f"{JSON}; charset=utf-8"):
        response = await api.http.post(
            "/graphql",
            content=b'{"query": "' + query.replace(b'"', b'\\"') + b'"}',
            headers={"content-type": content_type, "accept": GRAPHQL_RESPONSE},
        )
        assert response.json()["data"] == {"event": None}


async def test_a_field_error_keeps_its_data_and_a_2xx(api: Production) -> None:
    # `data` is present (null, the error having reached the root): not a request error.
    response = await api.http.post(
        "/graphql",
        json={"query": "{ events(first: 101) { totalCount } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_an_unacceptable_accept_is_406(api: Production) -> None:
    response = await api.http.post(
        "/graphql", json={"query": TYPENAME}, headers={"accept": "application/xml"}
    )
    assert (response.status_code, codes(response)) == (406, ["BAD_USER_INPUT"])


async def test_access_refusals_keep_their_status_under_either_type(database_url: URL) -> None:
    async with production(database_url) as api:  # anonymous reads off
        for accept in (GRAPHQL_RESPONSE, JSON):
            response = await api.http.post(
                "/graphql", json={"query": TYPENAME}, headers={"accept": accept}
            )
            assert (response.status_code, codes(response)) == (401, ["UNAUTHENTICATED"])
            assert response.headers["content-type"] == f"{accept}; charset=utf-8"
