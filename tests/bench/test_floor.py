"""The benchmark's floor answers every timed case exactly as the API does, key order included.

The requests benchmark checks this before it times anything; here it is checked on the seed
corpus (names in many languages, real texts) and on a small generated one, so that a change of
the API's answers, or of the floor's, fails the suite instead of a 30-minute benchmark run.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.app import create_app
from api.db.server import to_asyncpg_dsn
from api.fixtures.generate import generate_corpus
from api.fixtures.load import load_fixtures
from api.settings import Environment, Settings
from bench.check import api_data, first_difference, graphql_problem
from bench.floor import VARIANTS, create_floor
from bench.variables import choose_cases
from tests.schema.conftest import SEED

CASES = {"Q1", "Q1 long", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"}


@asynccontextmanager
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as http:
            yield http


async def answer(http: httpx.AsyncClient, body: bytes) -> bytes:
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    return response.content


def many_sources_shown(data: Any) -> set[str]:
    """What of many sources a Q8 answer holds: a disputed field, a claim the field does not
    hold, a statement given by more than one rendering."""
    event = data["data"]["event"]
    shown = set()
    if event["disputedFields"]:
        shown.add("disputed")
    if any(not claim["chosen"] for claim in event["claims"]):
        shown.add("not chosen")
    if any(len(node["renderings"]) > 1 for node in event["statements"]["nodes"]):
        shown.add("renderings")
    return shown


async def assert_floors_answer_as_the_api(url: URL) -> dict[str, int]:
    """Every variable set of every case, on the API and on each floor; the sets of each case.
    Q8's meetings, together, show disputed fields, claims not chosen and renderings."""
    dsn = to_asyncpg_dsn(url)
    cases = await choose_cases(dsn)
    assert {case.key for case in cases} == CASES
    compared = 0
    sources_shown: set[str] = set()
    # Production, reading without a key: the benchmark sends one, this check needs none.
    settings = Settings(
        environment=Environment.PRODUCTION, anonymous_reads=True, anonymous_cost_budget=10**9
    )
    async with client(create_app(settings, url)) as api:
        for variant in VARIANTS:
            async with client(create_floor(variant, dsn)) as floor:
                for case in cases:
                    for variables in case.variable_sets:
                        body = orjson.dumps({"query": case.document.text, "variables": variables})
                        expected = await answer(api, body)
                        assert graphql_problem(expected) is None, (case.key, variables)
                        if case.key == "Q8":
                            sources_shown |= many_sources_shown(api_data(expected))
                        actual = await answer(floor, body)
                        difference = first_difference(api_data(expected), orjson.loads(actual))
                        assert difference is None, (variant, case.key, variables, difference)
                        compared += 1
    assert sources_shown == {"disputed", "not chosen", "renderings"}
    sets = {case.key: len(case.variable_sets) for case in cases}
    assert compared == len(VARIANTS) * sum(sets.values())
    return sets


async def test_floors_answer_the_seed_corpus_as_the_api(database_url: URL) -> None:
    await load_fixtures(database_url, [SEED])
    await assert_floors_answer_as_the_api(database_url)


async def test_floors_answer_a_generated_corpus_as_the_api(
    database_url: URL, tmp_path: Path
) -> None:
    generate_corpus(tmp_path / "corpus", events=300, seed=5)
    await load_fixtures(database_url, [tmp_path / "corpus"])
    sets = await assert_floors_answer_as_the_api(database_url)
    # 16 variable sets per case, but as many meetings as have the median size and the largest 8.
    assert sets.pop("Q1") >= 8
    assert 1 <= sets.pop("Q1 long") <= 8
    assert sets.pop("Q8") == 16, "a meeting with claims and renderings in every variable set"
    assert sets == {"Q2": 16, "Q3": 16, "Q4": 16, "Q5": 16, "Q6": 16, "Q7": 16}


@pytest.mark.parametrize(
    ("one", "other", "where"),
    [
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, ".: keys ['a', 'b'] in one, ['b', 'a'] in the other"),
        ({"a": [1, 2]}, {"a": [1]}, ".a: 2 items in one, 1 in the other"),
        ({"a": 1}, {"a": 1.0}, ".a: 1 (a int) in one, 1.0 (a float) in the other"),
        ({"a": [{"b": "x"}]}, {"a": [{"b": "y"}]}, '.a[0].b: "x" in one, "y" in the other'),
    ],
)
def test_a_difference_is_found_and_placed(one: object, other: object, where: str) -> None:
    assert first_difference(one, other) == where
    assert first_difference(one, one) is None
