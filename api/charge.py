"""What a request's cost took from its client's budget.

The access control (`api.security.access`) makes one; the execution (`schema.execution`) is
handed a function that makes one and reports it. It lives down here so that neither of those
two imports the other.
"""

from collections.abc import Mapping
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
