"""Cost budgets: one token bucket of cost points per API key or anonymous network, in PostgreSQL.

Every API process on every node debits the same row, so a budget is one budget however many
processes serve it. `debit` is one statement: it refills the bucket for the time since its last
debit, takes the cost if the bucket holds it, and answers, atomically under the row lock that
INSERT ... ON CONFLICT DO UPDATE takes, so that no two debits can spend the same points.
Time is the database server's clock, the one clock every node shares.

A compiled read whose database is the primary runs in the debit's own statement
(`metered_statement`): debit, document, and the actual cost measured on the answer, the
difference owed to the bucket in `rate_limit_refunds` and credited by its next debit.
"""

import ipaddress
import math
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from api.security.database import Queryable
from api.settings import Settings

# A bucket refills in an hour unless a restore rate is configured: the hourly budget the
# `rateLimit` field has always described.
DEFAULT_REFILL_SECONDS = 3600.0
# An IPv6 host usually holds a whole /64; budgeting single addresses would let it mint budgets.
IPV6_ANONYMOUS_PREFIX = 64

# The debit's common table expressions; {key}, {capacity}, {rate} and {cost} are its
# placeholders. The refunds owed to the bucket are taken first (their rows locked, so that two
# debits cannot both credit one), then the bucket. The clock is read once, into the proposed
# row, before the row lock is waited for; `greatest` keeps a debit that waited from counting
# time that a later-started one already counted (refilled_at never moves back), which is what
# makes the refill exact under concurrency. A refused debit writes nothing but the refunds it
# took, put back for the next one; `verdict` then reads the bucket as it stands, for the
# answer's numbers only.
_CREDITED = (
    "least({capacity}::float8, bucket.tokens + (SELECT points FROM credit) + {rate}::float8 * "
    "greatest(extract(epoch FROM excluded.refilled_at - bucket.refilled_at)::float8, 0))"
)
_DEBIT_STEPS = f"""
refunded AS (
    DELETE FROM rate_limit_refunds WHERE bucket_key = {{key}} RETURNING points
),
credit AS (
    SELECT coalesce(sum(points), 0)::float8 AS points FROM refunded
),
debited AS (
    INSERT INTO rate_limit_buckets AS bucket (bucket_key, tokens, refilled_at, full_at)
    SELECT {{key}}, {{capacity}}::float8 - {{cost}}::float8, at,
        at + make_interval(secs => {{cost}}::float8 / {{rate}}::float8)
    FROM (SELECT clock_timestamp() AS at) AS clock
    WHERE {{cost}}::float8 <= {{capacity}}::float8
    ON CONFLICT (bucket_key) DO UPDATE SET
        tokens = {_CREDITED} - {{cost}}::float8,
        refilled_at = greatest(bucket.refilled_at, excluded.refilled_at),
        full_at = greatest(bucket.refilled_at, excluded.refilled_at) + make_interval(
            secs => ({{capacity}}::float8 - {_CREDITED} + {{cost}}::float8) / {{rate}}::float8
        )
    WHERE {_CREDITED} >= {{cost}}::float8
    RETURNING bucket.tokens
),
kept AS (
    INSERT INTO rate_limit_refunds (bucket_key, points)
    SELECT {{key}}, points FROM credit WHERE points > 0 AND NOT EXISTS (SELECT FROM debited)
),
verdict AS (
    SELECT true AS allowed, tokens FROM debited
    UNION ALL
    SELECT false, least({{capacity}}::float8, tokens + (SELECT points FROM credit)
        + {{rate}}::float8 * greatest(
            extract(epoch FROM clock_timestamp() - refilled_at)::float8, 0))
    FROM rate_limit_buckets
    WHERE bucket_key = {{key}} AND NOT EXISTS (SELECT FROM debited)
)"""


def _debit_steps(first: int) -> str:
    """The debit's steps with its four values at `$first` onwards: the bucket key, the
    capacity, the restore rate per second, the cost."""
    key, capacity, rate, cost = (f"${first + offset}" for offset in range(4))
    return _DEBIT_STEPS.format(key=key, capacity=capacity, rate=rate, cost=cost)


DEBIT = f"WITH {_debit_steps(1)}\nSELECT allowed, tokens FROM verdict"


@lru_cache(maxsize=1_024)
def metered_statement(document: str, values: int, actual: str) -> str:
    """One statement that debits a bucket and, only when the debit is granted, runs a
    `document` (a SELECT of one JSON value, with `values` placeholders of its own: the debit's
    four follow them) and measures its `actual` cost (an integer expression over
    `answer.data`, the JSON), owing the bucket what the cost charged exceeds it by. Its row:
    allowed, tokens, the document's UTF-8 bytes (null when refused), the actual cost.

    The document is a scalar subquery of a SELECT whose condition is the debit's row: a
    refused debit leaves that SELECT without a row, so the document is never evaluated."""
    cost = f"${values + 4}"
    return f"""WITH {_debit_steps(values + 1)},
answer AS MATERIALIZED (
    SELECT ({document}) AS data WHERE EXISTS (SELECT FROM debited)
),
measured AS MATERIALIZED (
    SELECT convert_to(answer.data::text, 'UTF8') AS body,
        greatest(1, least({cost}::float8, {actual}))::int AS actual
    FROM answer
),
refund AS (
    INSERT INTO rate_limit_refunds (bucket_key, points)
    SELECT ${values + 1}, {cost}::float8 - actual FROM measured WHERE actual < {cost}::float8
)
SELECT verdict.allowed, verdict.tokens, measured.body, measured.actual
FROM verdict LEFT JOIN measured ON true"""


# A bucket past its full_at is full: dropping it changes nothing (it is recreated full).
# A refund owed to a bucket that is gone or full changes nothing (a full bucket takes no
# more): dropped with the full buckets.
PRUNE = """
WITH refunds AS (
    DELETE FROM rate_limit_refunds AS refund WHERE NOT EXISTS (
        SELECT FROM rate_limit_buckets AS bucket
        WHERE bucket.bucket_key = refund.bucket_key AND bucket.full_at >= clock_timestamp()
    )
)
DELETE FROM rate_limit_buckets WHERE full_at < clock_timestamp()
"""


@dataclass(frozen=True, slots=True)
class Budget:
    """A token bucket's shape: it holds `capacity` points and regains `restore_per_second`."""

    capacity: int
    restore_per_second: float

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"a budget's capacity must be at least 1, not {self.capacity}")
        if not self.restore_per_second > 0:
            raise ValueError(
                f"a budget's restore rate must be positive, not {self.restore_per_second}"
            )

    @classmethod
    def refilling(cls, capacity: int, restore_per_second: float | None) -> "Budget":
        """`capacity` points restored at `restore_per_second`, or over an hour when None."""
        rate = (
            capacity / DEFAULT_REFILL_SECONDS if restore_per_second is None else restore_per_second
        )
        return cls(capacity, rate)


@dataclass(frozen=True, slots=True)
class Debit:
    """The answer to one debit: granted or not, and what the bucket holds after it."""

    allowed: bool
    cost: int
    limit: int
    remaining: int
    reset_seconds: int
    """Seconds until the bucket is full again."""
    retry_after_seconds: int | None
    """When refused: seconds until the bucket holds `cost`; None when granted, or when `cost`
    exceeds the capacity, so that no wait will do."""

    def headers(self) -> dict[str, str]:
        """The rate-limit response headers: X-RateLimit-Limit, -Remaining, -Reset (seconds
        until full) and, when refused with a wait that helps, Retry-After."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }
        if self.retry_after_seconds is not None:
            headers["Retry-After"] = str(self.retry_after_seconds)
        return headers


def key_budget(
    settings: Settings, capacity: int | None = None, restore_per_second: float | None = None
) -> Budget:
    """An API key's budget: its own capacity and rate where set, else the configured ones."""
    chosen = settings.key_budget_capacity if capacity is None else capacity
    rate = (
        settings.key_budget_restore_per_second if restore_per_second is None else restore_per_second
    )
    return Budget.refilling(chosen, rate)


def anonymous_budget(settings: Settings) -> Budget:
    return Budget.refilling(
        settings.anonymous_cost_budget, settings.anonymous_budget_restore_per_second
    )


def key_bucket(key_id: UUID) -> str:
    return f"key:{key_id}"


def anonymous_bucket(client_address: str | None) -> str:
    """The bucket of an anonymous client: its IPv4 address, or its IPv6 /64 network. A client
    the HTTP layer could not place (no address) shares one bucket with all such clients."""
    if client_address is None:
        return "anonymous:unknown"
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return f"anonymous:{client_address}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"anonymous:{address.ipv4_mapped}"
        network = ipaddress.IPv6Network((address, IPV6_ANONYMOUS_PREFIX), strict=False)
        return f"anonymous:{network}"
    return f"anonymous:{address}"


async def debit(source: Queryable, bucket: str, budget: Budget, cost: int) -> Debit:
    """Take `cost` points from `bucket` if it holds them now (one statement, one round trip),
    crediting first what earlier requests did not use."""
    row = await source.fetchrow(DEBIT, *debit_arguments(bucket, budget, cost))
    return debit_answer(budget, cost, None if row is None else (row[0], row[1]))


def debit_arguments(bucket: str, budget: Budget, cost: int) -> tuple[str, float, float, float]:
    """The values of the debit's placeholders, in their order."""
    if cost < 0:
        raise ValueError(f"a cost cannot be negative, not {cost}")
    return bucket, float(budget.capacity), budget.restore_per_second, float(cost)


def debit_answer(budget: Budget, cost: int, verdict: tuple[bool, float] | None) -> Debit:
    """The answer to a debit whose statement answered `verdict` (allowed, tokens)."""
    # No verdict: the cost exceeds the capacity and the bucket was never used, so it is full.
    allowed, tokens = (False, float(budget.capacity)) if verdict is None else verdict
    rate = budget.restore_per_second
    retry_after: int | None = None
    if not allowed and cost <= budget.capacity:
        retry_after = max(1, math.ceil((cost - tokens) / rate))
    return Debit(
        allowed=allowed,
        cost=cost,
        limit=budget.capacity,
        remaining=max(0, math.floor(tokens)),
        reset_seconds=max(0, math.ceil((budget.capacity - tokens) / rate)),
        retry_after_seconds=retry_after,
    )


async def prune_buckets(source: Queryable) -> int:
    """Drop the buckets that have refilled completely; returns how many."""
    status = await source.execute(PRUNE)
    return int(status.split()[-1])
