"""A document's verdict: the token limit and graphql-core giving up are QUERY_TOO_COMPLEX, told
apart from syntax and validation errors without reading graphql-core's messages."""

import pytest

from api.settings import Settings
from schema.execution.documents import DocumentCache
from schema.schema import build_schema, graphql_core_schema

SCHEMA = graphql_core_schema(build_schema())


def _codes(query: str, max_tokens: int = 50) -> list[str]:
    documents = DocumentCache(SCHEMA, Settings(max_tokens=max_tokens))
    return [(error.extensions or {})["code"] for error in documents.prepare(query).errors]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param("{ " + "__typename " * 60 + "}", "QUERY_TOO_COMPLEX", id="over the limit"),
        pytest.param(
            "{ " + "# padding\n" * 60 + "__typename }", "QUERY_TOO_COMPLEX", id="comments count"
        ),
        pytest.param("{ __typename ) " + "a " * 60 + "}", "GRAPHQL_PARSE_FAILED", id="error first"),
        pytest.param(
            "{ __typename ~ " + "a " * 60 + "}", "GRAPHQL_PARSE_FAILED", id="bad character"
        ),
        pytest.param("{ " + "__typename " * 49 + ")", "QUERY_TOO_COMPLEX", id="limit first"),
    ],
)
def test_the_token_limit_is_told_from_a_syntax_error(query: str, code: str) -> None:
    assert _codes(query) == [code]


def test_fifty_tokens_are_within_the_limit() -> None:
    assert _codes("{ " + "__typename " * 48 + "}") == []


def test_validation_given_up_is_too_complex() -> None:
    unknown = " ".join(f"unknown{n}" for n in range(25))
    codes = _codes("{ " + unknown + " }", max_tokens=100)
    assert codes == ["GRAPHQL_VALIDATION_FAILED"] * 20 + ["QUERY_TOO_COMPLEX"]
