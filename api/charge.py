"""What a request's cost took from its client's budget.

The access control (`api.security.access`) makes one; the execution (`schema.execution`) is
handed a function that makes one and reports it. It lives down here so that neither of those
two imports the other.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Charge:
    """What a request's cost took from its client's budget."""

    cost: int
    limit: int
    remaining: int
    reset_at: datetime
    restore_per_second: float
    headers: Mapping[str, str]


@dataclass(frozen=True)
class JoinedDebit:
    """A budget's debit to run in the statement of the document it pays for (one round trip):
    what the access control gives the execution when reads go to the primary."""

    statement: Callable[[str, int, str], str]
    """The statement of (a document's SELECT, how many values it has, its actual-cost
    expression over `answer.data`): its row is allowed, tokens, the body, the actual cost."""
    arguments: Callable[[int], Sequence[object]]
    """The debit's values for a cost, placed after the document's."""
    settle: Callable[[int, tuple[bool, float] | None], Charge]
    """The charge of a cost whose statement answered (allowed, tokens), or no row; raises the
    access control's RateLimitedError when the debit was refused (nothing was taken)."""
