"""Property: any valid query the schema allows is answered without an internal error."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.codes import ErrorCode
from api.settings import Settings
from schema.schema import build_schema
from tests.schema.conftest import SEED, client_of, loaded_database, serving

SDL = build_schema().as_str()
CONTRACT_CODES = {code.value for code in ErrorCode}

DATES = st.dates(min_value=date(1940, 1, 1), max_value=date(2040, 12, 31))
SCALARS = {
    "Date": DATES.map(lambda day: nodes.String(day.isoformat())),
    "DateTime": st.datetimes(
        min_value=datetime(1940, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ).map(lambda moment: nodes.String(moment.isoformat())),
}


@pytest.fixture(scope="module")
async def unmetered_app(server_url: URL, template_url: URL) -> AsyncIterator[Starlette]:
    """The seed corpus in a database of its own, served with a budget no draw exhausts: a
    generated query may cost up to the 10,000-point ceiling, and 50 of them would empty the
    anonymous budget (5,000 points an hour) that the shared seed app's tests draw on."""
    async with (
        loaded_database(server_url, "eventgraph_test_generated", SEED) as url,
        serving(Settings(anonymous_cost_budget=10**9), url) as app,
    ):
        yield app


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(query=hypothesis_graphql.queries(SDL, custom_scalars=SCALARS))
async def test_generated_queries_never_fail_internally(
    unmetered_app: Starlette, query: str
) -> None:
    async with client_of(unmetered_app) as client:
        body = await client.post(query)
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    assert all(code in CONTRACT_CODES for code in codes), body
    assert ErrorCode.INTERNAL_SERVER_ERROR.value not in codes, (query, body)
