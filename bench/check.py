"""The body check: two GraphQL responses are the same when they parse to the same data with the
same keys in the same order, and the same JSON type at every place (1 is not 1.0 nor true)."""

from typing import Any

import orjson


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where `actual` first differs from `expected` (parsed JSON), or None when it does not."""
    if type(expected) is not type(actual):
        return f"{path or '.'}: {_shown(expected)} (a {type(expected).__name__}) in one, " + (
            f"{_shown(actual)} (a {type(actual).__name__}) in the other"
        )
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            return f"{path or '.'}: keys {list(expected)} in one, {list(actual)} in the other"
        for key, value in expected.items():
            found = first_difference(value, actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items in one, {len(actual)} in the other"
        return None
    if expected != actual:
        return f"{path or '.'}: {_shown(expected)} in one, {_shown(actual)} in the other"
    return None


def _shown(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 120 else text[:117] + "..."


def graphql_problem(body: bytes) -> str | None:
    """Why `body` is not a successful GraphQL response, or None when it is one."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return f"not JSON: {body[:200]!r}"
    if not isinstance(parsed, dict) or "data" not in parsed:
        return f"no data: {body[:200]!r}"
    if parsed.get("errors"):
        return f"errors: {orjson.dumps(parsed['errors'])[:300].decode()}"
    return None


def api_data(body: bytes) -> Any:
    """The API's answer as the floor gives it: without `extensions` (the cost and the budget,
    which only the API charges)."""
    parsed = orjson.loads(body)
    if isinstance(parsed, dict):
        parsed.pop("extensions", None)
    return parsed
