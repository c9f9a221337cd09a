"""Why a write was refused: the codes and the errors a mutation answers in its `userErrors`."""

from dataclasses import dataclass
from enum import Enum

from api.fixtures.reader import Location


class UserErrorCode(Enum):
    INVALID = "INVALID"
    """A value the rules refuse: a wrong format, an unknown reference, an end before a start."""
    NOT_FOUND = "NOT_FOUND"
    """No object of the kind has the id given."""
    DUPLICATE = "DUPLICATE"
    """A value another object holds already, where it must be unique (a slug, a URL)."""
    VERSION_CONFLICT = "VERSION_CONFLICT"
    """The object changed since the version the client expected."""
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    """The idempotency key was used for another mutation or another input."""
    REFERENCED = "REFERENCED"
    """The object cannot be deleted while others refer to it (a statement to its speaker)."""


class Argument(Enum):
    """The argument of a mutation an error's field path starts at."""

    INPUT = "input"
    ID = "id"
    EXPECTED_VERSION = "expected_version"
    IDEMPOTENCY_KEY = "idempotency_key"


@dataclass(frozen=True)
class UserError:
    """One reason a write was refused: the argument and the path in it (the field of the
    fixture format: `("participants", 0, "participant")`), the code, and the reason."""

    argument: Argument
    field: Location
    code: UserErrorCode
    message: str


class WriteRefusedError(Exception):
    """Raised inside the write's transaction, which it rolls back: nothing is written."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors
