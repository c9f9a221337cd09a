"""The error codes of the contract, and the errors resolvers raise to carry them."""

from enum import Enum

from graphql import GraphQLError


class ErrorCode(Enum):
    """The values of `extensions.code` listed by the contract."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class CodedError(GraphQLError):
    """A GraphQL error that already knows its `extensions.code`."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, extensions={"code": code.value})


class BadUserInputError(CodedError):
    """The caller's arguments cannot be honoured (both `first` and `last`, a bad date, …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.BAD_USER_INPUT)


class QueryTooComplexError(CodedError):
    """The query would cost more than the per-request ceiling."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.QUERY_TOO_COMPLEX)
