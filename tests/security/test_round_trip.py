"""One round trip per compiled read on the primary: the budget's debit, the document and its
actual cost in one statement; the document never runs when the bucket is short; the bucket is
charged the actual cost, and its row lock is not held while the document is built."""

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.database import Queryable
from tests.security.production import (
    Production,
    codes,
    locked,
    new_key,
    production,
    seeded,
)

NO_REFILL = 1e-6
# The seed corpus holds 28 events: a page of 50 returns 28 of them.
SPARSE = "{ events(first: 50) { nodes { statements(first: 1) { totalCount } } } }"
FULL = "{ events(first: 5) { nodes { statements(first: 1) { totalCount } } } }"
ONE = "{ events(first: 1) { totalCount } }"
CORPUS = {"events", "statements", "participants", "topics", "treaties", "sources"}


class CountingQueryable:
    """The access control's database, counting the statements it is sent."""

    def __init__(self, inner: Queryable) -> None:
        self.inner = inner
        self.sent = 0

    async def fetch(self, query: str, *args: object) -> list[Any]:
        self.sent += 1
        return await self.inner.fetch(query, *args)

    async def fetchrow(self, query: str, *args: object) -> Any:
        self.sent += 1
        return await self.inner.fetchrow(query, *args)

    async def execute(self, query: str, *args: object) -> str:
        self.sent += 1
        return await self.inner.execute(query, *args)


@pytest.fixture
async def seed(database_url: URL) -> URL:
    return await seeded(database_url)


@pytest.fixture
async def api(seed: URL) -> AsyncIterator[Production]:
    async with production(seed) as served:
        yield served


def counting(api: Production) -> CountingQueryable:
    access = api.app.state.endpoint.access
    counter = CountingQueryable(access.primary)
    access.primary = counter
    return counter


async def tokens(url: URL) -> float:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        value: float = await connection.fetchval("SELECT tokens FROM rate_limit_buckets")
        return value
    finally:
        await connection.close()


async def test_a_compiled_read_is_one_statement_with_its_debit(api: Production, seed: URL) -> None:
    key = await new_key(seed, "one", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    await api.post(ONE, key=key)  # the key is looked up and cached
    access_statements = counting(api)
    before = api.database.executed
    response = await api.post(FULL, key=key)
    assert response.status_code == 200
    assert (access_statements.sent, api.database.executed - before) == (0, 1)
    assert response.headers["x-ratelimit-remaining"] == str(100 - 1 - 6)


async def test_a_query_reading_rate_limit_is_debited_first(api: Production, seed: URL) -> None:
    """`rateLimit` answers the debit's numbers, known only after it: two statements, and the
    cost charged as requested."""
    key = await new_key(seed, "two", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    await api.post(ONE, key=key)
    access_statements = counting(api)
    before = api.database.executed
    query = "{ rateLimit { remaining } " + SPARSE[1:]
    response = await api.post(query, key=key)
    assert response.json()["data"]["rateLimit"] == {"remaining": 100 - 1 - 51}
    assert (access_statements.sent, api.database.executed - before) == (1, 1)
    # Charged as requested: the document's statement ran after the debit, which is final.
    cost = response.json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (51, 51)


def _corpus_loops(plan: Any) -> list[int]:
    """The loops of each plan node that reads a table of the corpus."""
    loops = []
    if plan.get("Relation Name") in CORPUS:
        loops.append(plan["Actual Loops"])
    for child in plan.get("Plans", ()):
        loops.extend(_corpus_loops(child))
    return loops


async def _document_loops(api: Production, seed: URL, key: str) -> list[int]:
    """Run FULL for `key`, then its statement again under EXPLAIN ANALYZE (same budget)."""
    api.database.trace = []
    response = await api.post(FULL, key=key)
    ((sql, arguments),) = api.database.trace
    api.database.trace = None
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        explained = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *arguments)
    finally:
        await connection.close()
    assert response.status_code in (200, 429)
    return _corpus_loops(json.loads(explained)[0]["Plan"])


async def test_a_refused_debit_runs_no_read_of_the_document(api: Production, seed: URL) -> None:
    granted = await new_key(seed, "rich", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    loops = await _document_loops(api, seed, granted)
    assert loops, "the statement holds the document's reads"
    assert any(loops), "the document reads the corpus when the debit is granted"
    short = await new_key(seed, "poor", budget_capacity=8, budget_restore_per_second=NO_REFILL)
    await api.post(FULL, key=short)  # 8 - 6 = 2 left: FULL no longer fits
    refused = await api.post(FULL, key=short)
    assert (refused.status_code, codes(refused)) == (429, ["RATE_LIMITED"])
    loops = await _document_loops(api, seed, short)
    assert loops, "the statement holds the document's reads"
    assert not any(loops), "no node reading the corpus ran"


async def test_a_sparse_page_costs_what_it_returned(api: Production, seed: URL) -> None:
    key = await new_key(seed, "sparse", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    sparse = await api.post(SPARSE, key=key)
    cost = sparse.json()["extensions"]["cost"]
    # 1 for events, 50 statements pages asked for, 28 read: 28 events came back.
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (51, 29)
    # The bucket is charged the 29 at once: the 22 unused points never left it.
    assert sparse.headers["x-ratelimit-remaining"] == str(100 - 29)
    assert cost["throttleStatus"]["currentlyAvailable"] == 100 - 29
    assert await tokens(seed) == pytest.approx(71, abs=0.01)
    following = await api.post(ONE, key=key)
    assert following.json()["extensions"]["cost"]["actualQueryCost"] == 1
    assert following.headers["x-ratelimit-remaining"] == str(71 - 1)
    assert await tokens(seed) == pytest.approx(70, abs=0.01)


async def test_a_full_page_costs_what_it_asked(api: Production, seed: URL) -> None:
    key = await new_key(seed, "full", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    cost = (await api.post(FULL, key=key)).json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (6, 6)
    following = await api.post(ONE, key=key)
    assert following.headers["x-ratelimit-remaining"] == str(100 - 6 - 1)


async def test_the_bucket_must_hold_the_requested_cost_and_a_refusal_takes_nothing(
    api: Production, seed: URL
) -> None:
    """The requested cost is what the bucket must hold (the actual one is known only once the
    document is built), and a refused request spends nothing."""
    key = await new_key(seed, "short", budget_capacity=60, budget_restore_per_second=NO_REFILL)
    await api.post(SPARSE, key=key)  # 60 - 29 = 31 left
    refused = await api.post(SPARSE, key=key)  # 51 asked: more than 31, though it costs 29
    assert (refused.status_code, codes(refused)) == (429, ["RATE_LIMITED"])
    assert refused.headers["x-ratelimit-remaining"] == "31"
    assert await tokens(seed) == pytest.approx(31, abs=0.01)
    following = await api.post(ONE, key=key)
    assert following.headers["x-ratelimit-remaining"] == str(31 - 1)


async def test_a_statement_cut_short_is_charged_its_cost(seed: URL) -> None:
    """A timed-out statement took nothing from the bucket (its transaction rolled back), but
    its document ran: the request is charged its cost, as when the debit came first."""
    key = await new_key(seed, "slow", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    async with production(seed, statement_timeout_ms=200) as api, locked(seed, "events"):
        response = await api.post(FULL, key=key)
    assert (response.status_code, codes(response)) == (504, ["TIMEOUT"])
    assert await tokens(seed) == pytest.approx(100 - 6, abs=0.01)


@pytest.mark.parametrize(
    "query",
    [
        "{ events(first: 50) { edges { node { statements(first: 1) { totalCount } } } } }",
        "{ events(first: 50) { rows: nodes { statements(first: 1) { totalCount } } } }",
    ],
    ids=["edges", "aliased nodes"],
)
async def test_rows_are_counted_where_the_answer_holds_them(
    api: Production, seed: URL, query: str
) -> None:
    key = await new_key(seed, "edges", budget_capacity=100, budget_restore_per_second=NO_REFILL)
    cost = (await api.post(query, key=key)).json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (51, 29)


async def test_nested_connections_count_the_rows_of_each_page(api: Production, seed: URL) -> None:
    """1 for topics; per topic returned, 1 for its events page; per event returned, 1 for its
    topics list (a plain list: counted at its bound below, not replaced)."""
    key = await new_key(seed, "nested", budget_capacity=1000, budget_restore_per_second=NO_REFILL)
    query = "{ topics(first: 3) { nodes { events(first: 50) { nodes { topics { label } } } } } }"
    body = (await api.post(query, key=key)).json()
    topics = body["data"]["topics"]["nodes"]
    events = sum(len(topic["events"]["nodes"]) for topic in topics)
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1 + 3 * (1 + 50)
    assert cost["actualQueryCost"] == 1 + len(topics) + events
    assert events < 3 * 50
