"""docs/querying.md is true: each GraphQL example returns exactly the JSON shown after it."""

import json
import re

import pytest
from starlette.applications import Starlette

from api.settings import PROJECT_ROOT
from tests.schema.conftest import client_of

GUIDE = PROJECT_ROOT / "docs" / "querying.md"
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)```\s*?\n+```json\n(?P<result>.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    text = GUIDE.read_text()
    found = [(match["query"], match["result"]) for match in EXAMPLE.finditer(text)]
    assert len(found) == text.count("```graphql"), "every ```graphql block needs a ```json block"
    return found


@pytest.mark.parametrize(("query", "result"), examples())
async def test_the_guide_example_returns_what_it_shows(
    seed_app: Starlette, query: str, result: str
) -> None:
    async with client_of(seed_app) as client:
        body = await client.post(query)
    assert body == json.loads(result)
