"""The documentation is true: each GraphQL example returns exactly the JSON shown after it.

Both the README's example and the frontend guide (docs/querying.md) run against the seed corpus.
IDs and cursors differ from one database to another: the guide shows an ID as "<Event id>" (the
global ID of an Event) and a cursor as "<cursor>", and each real one must be of that kind.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from api.settings import PROJECT_ROOT
from schema.global_ids import decode_global_id
from tests.schema.conftest import client_of

DOCUMENTS = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "docs" / "querying.md")
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)```\s*?\n+```json\n(?P<result>.*?)```", re.DOTALL)
CURSOR_FIELDS = frozenset({"cursor", "startCursor", "endCursor"})


@dataclass(frozen=True)
class Example:
    """One ```graphql block of a document and the ```json block that follows it."""

    name: str
    query: str
    result: str


def documented_examples() -> list[Example]:
    """Every example of the README and the guide, in the order they are written."""
    found: list[Example] = []
    for document in DOCUMENTS:
        text = document.read_text()
        matches = list(EXAMPLE.finditer(text))
        assert len(matches) == text.count("```graphql"), (
            f"{document.name}: every ```graphql block needs a ```json block"
        )
        found += [
            Example(f"{document.name}-{number}", match["query"], match["result"])
            for number, match in enumerate(matches, 1)
        ]
    return found


def as_documented(answer: Any) -> Any:
    """The answer with each global ID shown as "<Type id>" and each cursor as "<cursor>"."""
    if isinstance(answer, list):
        return [as_documented(item) for item in answer]
    if not isinstance(answer, dict):
        return answer
    shown: dict[str, Any] = {}
    for key, value in answer.items():
        if key == "id" and isinstance(value, str) and (decoded := decode_global_id(value)):
            shown[key] = f"<{decoded[0]} id>"
        elif key in CURSOR_FIELDS and isinstance(value, str) and value:
            shown[key] = "<cursor>"
        else:
            shown[key] = as_documented(value)
    return shown


@pytest.mark.parametrize(
    "example", [pytest.param(example, id=example.name) for example in documented_examples()]
)
async def test_the_guide_example_returns_what_it_shows(
    seed_app: Starlette, example: Example
) -> None:
    async with client_of(seed_app) as client:
        body = await client.post(example.query)
    assert as_documented(body) == json.loads(example.result)
