"""The documentation is true: each GraphQL example returns exactly the JSON shown after it.

Both the README's example and the frontend guide (docs/querying.md) run against the seed corpus.
"""

import json
import re

import pytest
from starlette.applications import Starlette

from api.settings import PROJECT_ROOT
from tests.schema.conftest import client_of

DOCUMENTS = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "docs" / "querying.md")
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)```\s*?\n+```json\n(?P<result>.*?)```", re.DOTALL)


def examples() -> list[object]:
    found: list[object] = []
    for document in DOCUMENTS:
        text = document.read_text()
        matches = list(EXAMPLE.finditer(text))
        assert len(matches) == text.count("```graphql"), (
            f"{document.name}: every ```graphql block needs a ```json block"
        )
        found += [
            pytest.param(match["query"], match["result"], id=f"{document.name}-{number}")
            for number, match in enumerate(matches, 1)
        ]
    return found


@pytest.mark.parametrize(("query", "result"), examples())
async def test_the_guide_example_returns_what_it_shows(
    seed_app: Starlette, query: str, result: str
) -> None:
    async with client_of(seed_app) as client:
        body = await client.post(query)
    assert body == json.loads(result)
