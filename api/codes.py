"""The values of `extensions.code`: the one list every layer refuses and fails with.

It sits at the bottom, importing nothing of the project, so that the schema (`schema.errors`),
the access control (`api.security.errors`) and the HTTP layer all name the same members.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    """A value of `extensions.code` listed by the contract, with what it tells the caller."""

    _value_: str
    description: str

    def __new__(cls, value: str, description: str) -> "ErrorCode":
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    BAD_USER_INPUT = (
        "BAD_USER_INPUT",
        "The arguments, variables or request cannot be honoured as they are.",
    )
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED", "The document is not GraphQL."
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED", "The document does not fit the schema."
    UNAUTHENTICATED = (
        "UNAUTHENTICATED",
        "No usable API key: malformed, unknown, revoked, or missing where required.",
    )
    FORBIDDEN = (
        "FORBIDDEN",
        "A known caller asking for what its scopes or the server's mode do not allow.",
    )
    NOT_FOUND = "NOT_FOUND", "No such path."
    PERSISTED_QUERY_NOT_FOUND = (
        "PERSISTED_QUERY_NOT_FOUND",
        "Apollo's automatic persisted queries: the hash is unknown; send the query text with it.",
    )
    CURSOR_EXPIRED = (
        "CURSOR_EXPIRED",
        "A change feed or history cursor older than the change log's retention: start over.",
    )
    QUERY_TOO_COMPLEX = (
        "QUERY_TOO_COMPLEX",
        "The document is over a limit: tokens, depth, aliases, nodes or cost.",
    )
    RATE_LIMITED = (
        "RATE_LIMITED",
        "The client's budget, or its share of requests in flight, cannot take this now.",
    )
    SLOW_CONSUMER = (
        "SLOW_CONSUMER",
        "A subscription's client took changes more slowly than they came: it ended; subscribe "
        "again from the cursor given.",
    )
    TIMEOUT = "TIMEOUT", "The query took longer than the database allows."
    SERVICE_UNAVAILABLE = (
        "SERVICE_UNAVAILABLE",
        "The database is unavailable or busy; try again shortly.",
    )
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        "An unexpected failure, logged with the request id; no detail is given.",
    )
