"""docs/admin.md is true: its requests, run in order with an admin key against the seed corpus,
get the answers it shows. A placeholder such as `<Statement id>` stands for the value at its
place in the first answer that has one, and for that value wherever else it appears."""

import re
from typing import Any

import orjson

from api.settings import PROJECT_ROOT
from tests.write.conftest import Admin

GUIDE = PROJECT_ROOT / "docs" / "admin.md"
BLOCK = re.compile(r"(?:^(?P<label>\w+):\n\n)?^```(?P<kind>\w+)\n(?P<text>.*?)^```$", re.M | re.S)
PLACEHOLDER = re.compile(r"^<[^<>]+>$")


def examples() -> list[tuple[str, dict[str, Any] | None, Any]]:
    """Each request of the guide: its document, variables and answer."""
    found: list[tuple[str, dict[str, Any] | None, Any]] = []
    query: str | None = None
    variables: dict[str, Any] | None = None
    for block in BLOCK.finditer(GUIDE.read_text(encoding="utf-8")):
        if block["kind"] == "graphql":
            query, variables = block["text"], None
        elif block["kind"] == "json" and block["label"] == "Variables":
            variables = orjson.loads(block["text"])
        elif block["kind"] == "json" and block["label"] == "Answer":
            assert query is not None, "an answer before its request"
            found.append((query, variables, orjson.loads(block["text"])))
            query = None
    return found


def _bound(value: Any, bindings: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {key: _bound(item, bindings) for key, item in value.items()}
    if isinstance(value, list):
        return [_bound(item, bindings) for item in value]
    if isinstance(value, str) and PLACEHOLDER.match(value):
        return bindings.get(value, value)
    return value


def _bind(expected: Any, actual: Any, bindings: dict[str, Any]) -> None:
    """Learn what each placeholder of `expected` stands for in `actual`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, item in expected.items():
            _bind(item, actual.get(key), bindings)
    elif isinstance(expected, list) and isinstance(actual, list):
        for item, other in zip(expected, actual, strict=False):
            _bind(item, other, bindings)
    elif isinstance(expected, str) and PLACEHOLDER.match(expected):
        bindings.setdefault(expected, actual)


def test_the_guide_shows_requests() -> None:
    assert len(examples()) >= 5


async def test_the_guides_requests_get_its_answers(admin: Admin) -> None:
    bindings: dict[str, Any] = {}
    for query, variables, answer in examples():
        body = await admin.post(query, **_bound(variables or {}, bindings))
        body.pop("extensions")
        _bind(answer, body, bindings)
        assert body == _bound(answer, bindings), query
