"""The ASGI application around the GraphQL schema: routes, middleware, lifespan, failures."""

import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from api.app import create_app
from api.db.migrations import migrate
from api.db.server import drop_database, to_asyncpg_dsn
from api.settings import Environment, Settings
from api.store.reads import Store
from tests.conftest import MIGRATIONS, TEMPLATE, clone_database

EVENTS = "{ events(first: 5) { totalCount nodes { slug } } }"


async def _client(settings: Settings, url: URL) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://eventgraph.test"
        ) as http:
            yield http


@pytest.fixture
async def http(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app in development settings, over an empty database."""
    async for client in _client(Settings(environment=Environment.DEVELOPMENT), database_url):
        yield client


@pytest.fixture
async def production_http(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    """Production settings, with anonymous reads allowed (off by default in production)."""
    settings = Settings(environment=Environment.PRODUCTION, anonymous_reads=True)
    async for client in _client(settings, database_url):
        yield client


@pytest.fixture
async def unreachable_http(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app whose database does not exist."""
    missing = database_url.set(database="eventgraph_no_such_database")
    async for client in _client(Settings(), missing):
        yield client


async def test_healthz_answers_while_the_process_is_up(unreachable_http: httpx.AsyncClient) -> None:
    response = await unreachable_http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_checks_the_database(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_without_a_database(unreachable_http: httpx.AsyncClient) -> None:
    response = await unreachable_http.get("/readyz")
    assert response.status_code == 503


async def test_a_query_without_a_database_is_service_unavailable(
    unreachable_http: httpx.AsyncClient,
) -> None:
    response = await unreachable_http.post("/graphql", json={"query": EVENTS})
    body = response.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == ["SERVICE_UNAVAILABLE"]


async def test_queries_are_served_over_post_and_get(http: httpx.AsyncClient) -> None:
    posted = await http.post("/graphql", json={"query": EVENTS})
    fetched = await http.get("/graphql", params={"query": EVENTS})
    expected = {"events": {"totalCount": 0, "nodes": []}}
    assert posted.json()["data"] == fetched.json()["data"] == expected
    assert posted.headers["content-type"] == "application/json; charset=utf-8"


async def test_the_request_id_is_taken_from_the_caller_or_made(http: httpx.AsyncClient) -> None:
    given = await http.get("/healthz", headers={"X-Request-ID": "frontend-42"})
    assert given.headers["X-Request-ID"] == "frontend-42"
    made = await http.get("/healthz")
    assert len(made.headers["X-Request-ID"]) == 32
    refused = await http.get("/healthz", headers={"X-Request-ID": "spaces are not kept"})
    assert refused.headers["X-Request-ID"] != "spaces are not kept"


async def test_browsers_may_call_from_any_origin(http: httpx.AsyncClient) -> None:
    preflight = await http.options(
        "/graphql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in {"*", "https://app.example"}
    assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_a_body_above_the_limit_is_refused_with_413(database_url: URL) -> None:
    settings = Settings(max_body_bytes=2_048)
    padding = " " * 4_096
    async for http in _client(settings, database_url):
        declared = await http.post("/graphql", json={"query": EVENTS + padding})

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "' + padding.encode()
            yield padding.encode() + b'"}'

        streamed = await http.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
        for response in (declared, streamed):
            assert response.status_code == 413
            assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_graphiql_and_introspection_follow_the_settings(
    http: httpx.AsyncClient, production_http: httpx.AsyncClient
) -> None:
    page = {"accept": "text/html"}
    assert "graphiql" in (await http.get("/graphql", headers=page)).text.lower()
    assert (await production_http.get("/graphql", headers=page)).status_code != 200
    introspection = {"query": "{ __schema { queryType { name } } }"}
    allowed = await http.post("/graphql", json=introspection)
    assert allowed.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    refused = (await production_http.post("/graphql", json=introspection)).json()
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("broken_read", "query"),
    [
        # The compiled path reads a document; Strawberry's execution (introspection beside
        # the list sends it there) reads the list.
        ("document", EVENTS),
        ("list", "{ __typename events(first: 1) { totalCount } __schema { queryType { name } } }"),
    ],
)
async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    broken_read: str,
    query: str,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Store, broken_read, broken)
    with caplog.at_level(logging.ERROR):
        response = await http.post(
            "/graphql", json={"query": query}, headers={"X-Request-ID": "req-7"}
        )
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret detail" not in response.text
    logged = [record for record in caplog.records if "req-7" in record.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "secret detail" in str(logged[0].exc_info[1])


async def test_a_statement_past_the_timeout_is_a_timeout_error(database_url: URL) -> None:
    # A lock held elsewhere keeps the query waiting until statement_timeout cancels it.
    blocker = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        async for http in _client(Settings(statement_timeout_ms=200), database_url):
            body = (await http.post("/graphql", json={"query": EVENTS})).json()
            assert [error["extensions"]["code"] for error in body["errors"]] == ["TIMEOUT"]
        await transaction.rollback()
    finally:
        await blocker.close()


async def test_readyz_waits_for_the_migrations(database_url: URL) -> None:
    await migrate(database_url, MIGRATIONS, "0002", upgrade=False)
    async for http in _client(Settings(), database_url):
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "migrations pending"
    await migrate(database_url, MIGRATIONS)
    async for http in _client(Settings(), database_url):
        assert (await http.get("/readyz")).status_code == 200


async def test_reads_go_to_the_replicas_and_budgets_to_the_primary(
    server_url: URL, database_url: URL
) -> None:
    """A "replica" here is a copy of the primary holding one event more: what the API answers
    shows where it read, the budget rows where it wrote."""
    name = f"eventgraph_test_replica_{os.getpid()}"
    replica_url = await clone_database(server_url, TEMPLATE, name)
    try:
        replica = await asyncpg.connect(to_asyncpg_dsn(replica_url))
        try:
            await replica.execute(
                "INSERT INTO events (slug, title, kind, format, status, start_date, "
                "date_precision, language) VALUES ('on-the-replica', 'Only on the replica', "
                "'MEETING', 'VIDEO', 'HELD', '2026-02-04', 'DAY', 'en')"
            )
            settings = Settings(
                read_database_urls=[replica_url.render_as_string(hide_password=False)],
                unmetered_loopback=False,  # the test client is on the loopback address
            )
            async for http in _client(settings, database_url):
                body = (await http.post("/graphql", json={"query": EVENTS})).json()
                assert body["data"]["events"]["nodes"] == [{"slug": "on-the-replica"}]
                assert (await http.get("/readyz")).status_code == 200
            assert await replica.fetchval("SELECT count(*) FROM rate_limit_buckets") == 0
        finally:
            await replica.close()
        primary = await asyncpg.connect(to_asyncpg_dsn(database_url))
        try:
            assert await primary.fetchval("SELECT count(*) FROM rate_limit_buckets") == 1
        finally:
            await primary.close()
    finally:
        await drop_database(server_url, name)
