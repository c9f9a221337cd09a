"""Cost budgets: one token bucket of cost points per API key or anonymous network, in PostgreSQL.

Every API process on every node debits the same row, so a budget is one budget however many
processes serve it. `debit` is one statement: it refills the bucket for the time since its last
debit, takes the cost if the bucket holds it, and answers, atomically under the row lock that
INSERT ... ON CONFLICT DO UPDATE takes, so that no two debits can spend the same points.
Time is the database server's clock, the one clock every node shares.

A compiled read whose database is the primary is one statement with its debit
(`metered_statement`): the bucket read without a lock, the document built only if it holds the
cost, its actual cost measured on the answer, and the actual cost taken last, under the same
row lock and condition as `debit`'s, so that the lock is held for a write, not a document.
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

# The debit, with {key}, {capacity}, {rate} and {cost} its placeholders, {taken} the points it
# takes and {rows} where its one row comes from (the clock, `at`). The clock is read once, into
# the proposed row, before the row lock is waited for; `greatest` keeps a debit that waited from
# counting time that a later-started one already counted (refilled_at never moves back), which
# is what makes the refill exact under concurrency. The condition is the cost, whatever it
# takes: a refused debit writes nothing.
_REFILLED = (
    "least({capacity}::float8, bucket.tokens + {rate}::float8 * greatest("
    "extract(epoch FROM excluded.refilled_at - bucket.refilled_at)::float8, 0))"
)
_TAKE = f"""
    INSERT INTO rate_limit_buckets AS bucket (bucket_key, tokens, refilled_at, full_at)
    SELECT {{key}}, {{capacity}}::float8 - {{taken}}, at,
        at + make_interval(secs => {{taken}} / {{rate}}::float8)
    FROM {{rows}}
    WHERE {{cost}}::float8 <= {{capacity}}::float8
    ON CONFLICT (bucket_key) DO UPDATE SET
        tokens = {_REFILLED} - {{taken}},
        refilled_at = greatest(bucket.refilled_at, excluded.refilled_at),
        full_at = greatest(bucket.refilled_at, excluded.refilled_at) + make_interval(
            secs => ({{capacity}}::float8 - {_REFILLED} + {{taken}}) / {{rate}}::float8
        )
    WHERE {_REFILLED} >= {{cost}}::float8
    RETURNING bucket.tokens"""
# What the bucket holds now, as the statement's snapshot sees it (no lock): the answer of a
# refused debit, for its numbers only.
_HELD = """
    SELECT least({capacity}::float8, tokens + {rate}::float8 * greatest(
        extract(epoch FROM clock_timestamp() - refilled_at)::float8, 0)) AS tokens
    FROM rate_limit_buckets WHERE bucket_key = {key}"""

# $1 bucket key, $2 capacity, $3 restore per second, $4 cost.
_PLACES = {"key": "$1", "capacity": "$2", "rate": "$3", "cost": "$4"}
_DEBITED = _TAKE.format(
    **_PLACES, taken="$4::float8", rows="(SELECT clock_timestamp() AS at) AS clock"
)
DEBIT = f"""
WITH debited AS ({_DEBITED}
)
SELECT true AS allowed, tokens FROM debited
UNION ALL
SELECT false, tokens FROM ({_HELD.format(**_PLACES)}) AS held
WHERE NOT EXISTS (SELECT FROM debited)
"""


@lru_cache(maxsize=1_024)
def metered_statement(document: str, values: int, actual: str) -> str:
    """One statement that reads the bucket, runs a `document` (a SELECT of one JSON value,
    with `values` placeholders of its own; the debit's four follow them) only if the bucket
    holds the cost, measures its `actual` cost (an integer expression over `answer.data`, the
    JSON, at most the cost), and takes that from the bucket, last. Its row: allowed, tokens,
    the document's UTF-8 bytes and the actual cost (both null when refused); no row when the
    cost exceeds the capacity of a bucket never used.

    Nothing runs when the bucket is short: the document is a scalar subquery of a SELECT whose
    condition is the bucket read, and a false condition leaves it unevaluated. Nothing is
    overspent: the take re-checks the cost under the row lock, as `debit` does, and a request
    whose take is refused there (a concurrent request took the points since the read) is
    refused, its answer thrown away. The lock is taken after the document is built (the take
    reads its rows from `measured`), so it is held for the statement's end only, not for the
    document: one key's requests run side by side."""
    places = {name: f"${values + 1 + offset}" for offset, name in enumerate(_PLACES)}
    cost, capacity = places["cost"], places["capacity"]
    take = _TAKE.format(**places, taken="(SELECT actual FROM measured)::float8", rows="measured")
    return f"""WITH held AS ({_HELD.format(**places)}
),
answer AS MATERIALIZED (
    SELECT ({document}) AS data
    WHERE {cost}::float8 <= coalesce((SELECT tokens FROM held), {capacity}::float8)
),
measured AS MATERIALIZED (
    SELECT convert_to(answer.data::text, 'UTF8') AS body,
        greatest(1, least({cost}::float8, {actual}))::int AS actual,
        clock_timestamp() AS at
    FROM answer
),
debited AS ({take}
)
SELECT true AS allowed, debited.tokens, measured.body, measured.actual
FROM debited, measured
UNION ALL
SELECT false, tokens, NULL, NULL FROM held WHERE NOT EXISTS (SELECT FROM debited)"""


# A bucket past its full_at is full: dropping it changes nothing (it is recreated full).
PRUNE = "DELETE FROM rate_limit_buckets WHERE full_at < clock_timestamp()"


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
    """Take `cost` points from `bucket` if it holds them now (one statement, one round trip)."""
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
