"""The errors the store raises; the GraphQL layer maps each to one error code.

Nothing outside `api.store` sees an asyncpg or SQLAlchemy exception: the store classifies them
here, once.
"""


class StoreError(Exception):
    """Anything the store could not serve."""


class StoreInputError(StoreError, ValueError):
    """The caller's input cannot be served: a bad page size, cursor, filter value or ordering."""


class StoreTimeoutError(StoreError):
    """A statement ran longer than the database allows (PostgreSQL's statement_timeout)."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached, or no connection came free in time."""


class StoreCursorExpiredError(StoreError):
    """A change feed or history cursor older than the position the log was pruned up to."""
