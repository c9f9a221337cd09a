"""The refusals of api.security, each with the `extensions.code` and HTTP status to answer with.

The codes are members of `api.codes.ErrorCode`, the one list of the contract (with
PERSISTED_QUERY_NOT_FOUND, which Apollo's persisted-query protocol fixes and clients look for).
"""

from collections.abc import Mapping
from typing import ClassVar

from api.codes import ErrorCode


class AccessError(Exception):
    """A request refused before it runs. The HTTP layer answers `status` with one GraphQL error
    carrying `message` and `extensions.code`, plus `headers`."""

    code: ClassVar[ErrorCode]
    status: ClassVar[int]

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})


class UnauthenticatedError(AccessError):
    """No usable API key: a malformed Authorization header, an unknown or revoked key, or none
    where one is required."""

    code = ErrorCode.UNAUTHENTICATED
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="eventgraph"'})


class ForbiddenError(AccessError):
    """A known caller asking for what its scopes, or trusted-documents mode, do not allow."""

    code = ErrorCode.FORBIDDEN
    status = 403


class RateLimitedError(AccessError):
    """The caller's budget cannot pay for this request now, or it has too many in flight.
    `settings` names what changes the limit (`extensions.settings` of the answer)."""

    code = ErrorCode.RATE_LIMITED
    status = 429

    def __init__(
        self, message: str, headers: Mapping[str, str] | None = None, *, settings: list[str]
    ) -> None:
        super().__init__(message, headers)
        self.settings = settings


class AccessInputError(AccessError):
    """A malformed persisted-query request: bad version or hash, or a hash not of the query."""

    code = ErrorCode.BAD_USER_INPUT
    status = 400


class PersistedQueryNotFoundError(AccessError):
    """Apollo's signal to send the query text with its hash: status 200, never cached."""

    code = ErrorCode.PERSISTED_QUERY_NOT_FOUND
    status = 200

    def __init__(self) -> None:
        super().__init__(
            "PersistedQueryNotFound", {"Cache-Control": "private, no-cache, must-revalidate"}
        )
