"""Every error carries a contract code; the limits refuse queries before they execute."""

from tests.schema.conftest import GraphQLClient


async def test_a_malformed_query_fails_to_parse(client: GraphQLClient) -> None:
    assert await client.error_codes("{ events(first: 1) { ") == ["GRAPHQL_PARSE_FAILED"]


async def test_an_unknown_field_fails_validation(client: GraphQLClient) -> None:
    codes = await client.error_codes("{ events { nodes { nickname } } }")
    assert codes == ["GRAPHQL_VALIDATION_FAILED"]
    codes = await client.error_codes('{ treaty(slug: "new-start") { status(asOf: "2026-13-01") } }')
    assert codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_bad_variable_is_bad_user_input(client: GraphQLClient) -> None:
    query = 'query ($day: Date) { treaty(slug: "new-start") { status(asOf: $day) } }'
    assert await client.error_codes(query, day="4 February") == ["BAD_USER_INPUT"]
    timestamp = "query ($t: DateTime) { events(filter: {updatedAt: {gt: $t}}) { totalCount } }"
    # A date-time without its offset names no instant.
    assert await client.error_codes(timestamp, t="2026-02-04T10:00:00") == ["BAD_USER_INPUT"]
    malformed_id = '{ events(filter: {id: {eq: "nonsense"}}) { totalCount } }'
    assert await client.error_codes(malformed_id) == ["BAD_USER_INPUT"]


def _nested(depth: int) -> str:
    """A query `depth` levels deep: topic → parent → parent → … → slug."""
    return (
        '{ topic(slug: "iran-situation") { '
        + "parent { " * (depth - 2)
        + "slug"
        + " }" * (depth - 1)
        + " }"
    )


async def test_depth_is_limited_to_ten(client: GraphQLClient) -> None:
    allowed = await client.post(_nested(10))
    assert "errors" not in allowed
    assert await client.error_codes(_nested(12)) == ["QUERY_TOO_COMPLEX"]


async def test_aliases_are_limited_to_fifteen(client: GraphQLClient) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{n}: rateLimit {{ cost }}" for n in range(count)) + " }"

    assert "errors" not in await client.post(aliased(15))
    assert await client.error_codes(aliased(16)) == ["QUERY_TOO_COMPLEX"]


async def test_tokens_are_limited_to_two_thousand(client: GraphQLClient) -> None:
    fields = " ".join(["__typename"] * 2_100)
    assert await client.error_codes("{ " + fields + " }") == ["QUERY_TOO_COMPLEX"]


async def test_directives_are_limited_to_fifty(client: GraphQLClient) -> None:
    def directed(count: int) -> str:
        return "{ " + " ".join(["... @include(if: true) { __typename }"] * count) + " }"

    assert "errors" not in await client.post(directed(50))
    assert await client.error_codes(directed(51)) == ["QUERY_TOO_COMPLEX"]


async def test_a_query_costing_more_than_the_ceiling_is_refused(client: GraphQLClient) -> None:
    # 1 + 100 + 100 × 100 = 10,101 requests: over the 10,000 ceiling.
    query = """{
      events(first: 100) { nodes { participants { participant {
        events(first: 100) { nodes { statements(first: 100) { totalCount } } }
      } } } }
    }"""
    assert await client.error_codes(query) == ["QUERY_TOO_COMPLEX"]
