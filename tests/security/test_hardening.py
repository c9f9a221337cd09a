"""What production turns off or closes, and how every error leaves the app: JSON with a code,
unexpected ones masked and logged in full."""

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.engine import URL
from starlette.types import Message

from api.security.access import Access
from api.security.keys import Scope
from api.security.persisted import document_hash
from api.settings import Environment
from tests.security.production import (
    Production,
    codes,
    headers,
    new_key,
    production,
    production_settings,
    seeded,
)

APP_ORIGIN = "https://app.example"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}
EVENTS = "{ events(first: 1) { totalCount } }"


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def key(seed: URL) -> str:
    return await new_key(seed, "partner", Scope.READ)


@pytest.fixture
async def api(seed: URL) -> AsyncIterator[Production]:
    async with production(seed) as served:
        yield served


def test_production_defaults_close_what_development_opens() -> None:
    settings = production_settings()
    assert settings.environment is Environment.PRODUCTION
    assert not settings.introspection_enabled
    assert not settings.graphiql_enabled
    assert not settings.anonymous_reads_allowed
    assert settings.allowed_origins == []
    development = production_settings(environment=Environment.DEVELOPMENT)
    assert development.introspection_enabled
    assert development.graphiql_enabled
    assert development.allowed_origins == ["*"]


@pytest.mark.parametrize(
    "query", ["{ __schema { queryType { name } } }", '{ __type(name: "Event") { name } }']
)
async def test_introspection_is_off(api: Production, key: str, query: str) -> None:
    response = await api.post(query, key=key)
    # One error per introspection field asked for.
    assert set(codes(response)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in response.json()["errors"][0]["message"]
    assert "data" not in response.json()


async def test_the_ide_is_not_served(api: Production) -> None:
    page = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert (page.status_code, codes(page)) == (406, ["BAD_USER_INPUT"])
    assert "graphiql" not in page.text.lower()


async def test_anonymous_callers_need_a_key(api: Production) -> None:
    response = await api.post(EVENTS)
    assert (response.status_code, codes(response)) == (401, ["UNAUTHENTICATED"])
    assert response.headers["www-authenticate"].startswith("Bearer")


# ---------------------------------------------------------------- CORS


async def test_cors_refuses_every_origin_by_default(api: Production, key: str) -> None:
    preflight = await api.http.options("/graphql", headers={"Origin": APP_ORIGIN, **PREFLIGHT})
    assert (preflight.status_code, codes(preflight)) == (403, ["FORBIDDEN"])
    assert "access-control-allow-origin" not in preflight.headers
    # A request the browser sends without asking first gets no permission to be read.
    simple = await api.http.post(
        "/graphql", json={"query": EVENTS}, headers={**headers(key), "Origin": APP_ORIGIN}
    )
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


async def test_cors_allows_the_listed_origins_only(seed: URL, key: str) -> None:
    async with production(seed, cors_origins=[APP_ORIGIN]) as api:
        allowed = await api.http.options("/graphql", headers={"Origin": APP_ORIGIN, **PREFLIGHT})
        refused = await api.http.options(
            "/graphql", headers={"Origin": "https://elsewhere.example", **PREFLIGHT}
        )
        answered = await api.http.post(
            "/graphql", json={"query": EVENTS}, headers={**headers(key), "Origin": APP_ORIGIN}
        )
        unlisted = await api.http.post(
            "/graphql",
            json={"query": EVENTS},
            headers={**headers(key), "Origin": "https://elsewhere.example"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert (refused.status_code, codes(refused)) == (403, ["FORBIDDEN"])
    assert answered.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "access-control-allow-origin" not in unlisted.headers


async def test_a_preflight_for_a_method_not_allowed_is_bad_input(seed: URL) -> None:
    async with production(seed, cors_origins=[APP_ORIGIN]) as api:
        response = await api.http.options(
            "/graphql",
            headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "DELETE"},
        )
    assert (response.status_code, codes(response)) == (400, ["BAD_USER_INPUT"])


# ---------------------------------------------------------------- GET


async def test_get_runs_persisted_queries_by_hash_alone(api: Production, key: str) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(EVENTS)}}
    registered = await api.post(EVENTS, key=key, extensions=extensions)
    assert registered.json()["data"] == {"events": {"totalCount": 28}}
    by_hash = await api.http.get(
        "/graphql", params={"extensions": json.dumps(extensions)}, headers=headers(key)
    )
    assert by_hash.json()["data"] == {"events": {"totalCount": 28}}
    # The text with its hash, in a URL, is a query over GET all the same.
    with_text = await api.http.get(
        "/graphql",
        params={"query": EVENTS, "extensions": json.dumps(extensions)},
        headers=headers(key),
    )
    assert (with_text.status_code, codes(with_text)) == (405, ["BAD_USER_INPUT"])


async def test_development_takes_queries_over_get(seed: URL) -> None:
    async with production(seed, environment=Environment.DEVELOPMENT) as api:
        response = await api.http.get("/graphql", params={"query": EVENTS})
    assert response.json()["data"] == {"events": {"totalCount": 28}}


# ---------------------------------------------------------------- every error is JSON


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "NOT_FOUND"),
        ("PUT", "/graphql", 405, "BAD_USER_INPUT"),
        ("DELETE", "/graphql", 405, "BAD_USER_INPUT"),
        ("POST", "/healthz", 405, "BAD_USER_INPUT"),
    ],
)
async def test_errors_outside_graphql_are_json_with_a_code(
    api: Production, method: str, path: str, status: int, code: str
) -> None:
    response = await api.http.request(method, path)
    assert response.headers["content-type"].startswith("application/json")
    assert (response.status_code, codes(response)) == (status, [code])


@pytest.mark.parametrize(
    ("request_headers", "status"),
    [
        ({"accept": "text/html"}, 406),
        ({"accept": "application/json", "content-type": "text/plain"}, 415),
        ({"accept": "application/json"}, 415),
    ],
)
async def test_http_refusals_of_graphql_are_json_with_a_code(
    api: Production, request_headers: dict[str, str], status: int
) -> None:
    response = await api.http.post("/graphql", content=b"{}", headers=request_headers)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.status_code == status
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_an_unexpected_error_above_the_operation_is_masked_and_logged(
    api: Production,
    key: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Access, "document", broken)
    with caplog.at_level(logging.ERROR):
        response = await api.http.post(
            "/graphql",
            json={"query": EVENTS},
            headers={**headers(key), "X-Request-ID": "req-42"},
        )
    assert (response.status_code, codes(response)) == (500, ["INTERNAL_SERVER_ERROR"])
    assert response.json()["errors"][0]["message"] == "Internal server error"
    assert "secret detail" not in response.text
    assert response.headers["x-request-id"] == "req-42"
    logged = [record for record in caplog.records if "req-42" in record.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "secret detail" in str(logged[0].exc_info[1])


async def test_a_client_gone_before_its_body_is_not_an_unexpected_error(
    api: Production, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    incoming: list[Message] = [
        {"type": "http.request", "body": b'{"query": "{ ev', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("eventgraph.test", 80),
    }
    with caplog.at_level(logging.ERROR):
        await api.app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
