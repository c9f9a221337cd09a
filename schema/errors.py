"""The errors that carry a contract code (`api.codes.ErrorCode`), and how any error gets one.

Every error of a response has `extensions.code`. Errors raised on purpose carry theirs
(`CodedError`); the store's errors map to one each (`code_of_exception`); anything else is
unexpected: logged in full with the request id, and masked as INTERNAL_SERVER_ERROR.
"""

import logging

from graphql import GraphQLError

from api.codes import ErrorCode
from api.store.errors import (
    StoreCursorExpiredError,
    StoreInputError,
    StoreTimeoutError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)


class CodedError(GraphQLError):
    """A GraphQL error that already knows its `extensions.code`."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, extensions={"code": code.value})


class BadUserInputError(CodedError):
    """The caller's arguments cannot be honoured (both `first` and `last`, a bad date, …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.BAD_USER_INPUT)


MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.TIMEOUT: "The query took longer than the database allows; ask for less.",
    ErrorCode.SERVICE_UNAVAILABLE: "The database is unavailable or busy; try again shortly.",
    ErrorCode.INTERNAL_SERVER_ERROR: "Internal server error",
}
CODES = {code.value: code for code in ErrorCode}


def code_of(error: GraphQLError) -> ErrorCode | None:
    """The contract code an error already carries, if any."""
    code = (error.extensions or {}).get("code")
    return CODES.get(code) if isinstance(code, str) else None


def code_of_exception(error: BaseException) -> ErrorCode:
    """The code an exception raised while resolving deserves (the store classifies its own)."""
    if isinstance(error, StoreInputError):
        return ErrorCode.BAD_USER_INPUT
    if isinstance(error, StoreCursorExpiredError):
        return ErrorCode.CURSOR_EXPIRED
    if isinstance(error, StoreTimeoutError):
        return ErrorCode.TIMEOUT
    if isinstance(error, StoreUnavailableError):
        return ErrorCode.SERVICE_UNAVAILABLE
    return ErrorCode.INTERNAL_SERVER_ERROR


def coded_error(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """`error` with its `extensions.code`; an unexpected one logged in full and masked."""
    if code_of(error) is not None:
        return error
    original = error.original_error
    if error.path is None and (original is None or isinstance(original, GraphQLError | ValueError)):
        # Not raised by a resolver: the variables or the operation name do not fit the document.
        error.extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
        return error
    if isinstance(original, GraphQLError) and original.nodes:
        # graphql-core's own error about a place in the document, raised while executing: an
        # argument or a @skip/@include condition given null through a variable with a default.
        error.extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
        return error
    code = code_of_exception(original) if original is not None else ErrorCode.INTERNAL_SERVER_ERROR
    if code in (ErrorCode.BAD_USER_INPUT, ErrorCode.CURSOR_EXPIRED):
        # The caller's to act on: the message says how.
        error.extensions = {"code": code.value}
        return error
    if code is ErrorCode.INTERNAL_SERVER_ERROR:
        log.error(
            "request %s: unexpected error at %s", request_id, error.path, exc_info=original or error
        )
    else:
        log.warning("request %s: %s at %s: %r", request_id, code.value, error.path, original)
    return GraphQLError(
        MESSAGES[code], nodes=error.nodes, path=error.path, extensions={"code": code.value}
    )
