"""Idempotency keys, by Stripe's rules: the first answer is kept, a retry gets it again.

A write with a key claims it, in its own transaction, by inserting the row (owner, key): a
concurrent retry's insert waits for that transaction, then finds the row and returns its answer,
so that one key makes one change. A write refused with userErrors rolls back, claim included:
as at Stripe, a request that did not run keeps nothing, and the client may correct it and send
it again under the same key. The same key with another mutation or input is refused.

Keys live `idempotency_key_hours`; each claim first drops its owner's expired key of that name
and a batch of all expired keys, so the table holds about a retention's worth.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

PRUNED_PER_CLAIM = 100
"""Expired keys a claim deletes: bounded, so that a claim stays short after a long pause."""


@dataclass(frozen=True)
class Claimed:
    """The key is this write's: run it, then `keep` its answer."""


@dataclass(frozen=True)
class Answered:
    """A write with this key and input ran before: its answer."""

    answer: dict[str, Any]


@dataclass(frozen=True)
class Reused:
    """The key was used for another mutation or input."""


Claim = Claimed | Answered | Reused


def fingerprint(request: dict[str, Any]) -> bytes:
    """The SHA-256 of a mutation's name and arguments, whatever their order."""
    return hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS, default=str)).digest()


async def claim(
    connection: asyncpg.Connection, owner: str, key: str, request: bytes, hours: int
) -> Claim:
    """Claim `key` of `owner` for the request of fingerprint `request` in the transaction of
    `connection`, or say what the key answered before."""
    expired = "created_at < now() - make_interval(hours => $1)"
    await connection.execute(
        f"DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY("
        f"SELECT ctid FROM idempotency_keys WHERE {expired} LIMIT {PRUNED_PER_CLAIM}))",
        hours,
    )
    await connection.execute(
        f"DELETE FROM idempotency_keys WHERE owner = $2 AND key = $3 AND {expired}",
        hours,
        owner,
        key,
    )
    inserted = await connection.fetchval(
        "INSERT INTO idempotency_keys (owner, key, request_sha256, answer) "
        "VALUES ($1, $2, $3, 'null') ON CONFLICT DO NOTHING RETURNING true",
        owner,
        key,
        request,
    )
    if inserted:
        return Claimed()
    row = await connection.fetchrow(
        "SELECT request_sha256, answer::text FROM idempotency_keys WHERE owner = $1 AND key = $2",
        owner,
        key,
    )
    if row is None:
        # Claimed by a transaction that was rolled back after this one's insert waited and
        # before it read: claim again (it is free now).
        return await claim(connection, owner, key, request, hours)
    if bytes(row["request_sha256"]) != request:
        return Reused()
    return Answered(orjson.loads(row["answer"]))


async def keep(
    connection: asyncpg.Connection, owner: str, key: str, answer: dict[str, Any]
) -> None:
    """The answer of the write that claimed `key`: what a retry gets."""
    await connection.execute(
        "UPDATE idempotency_keys SET answer = $3::jsonb WHERE owner = $1 AND key = $2",
        owner,
        key,
        orjson.dumps(answer, default=str).decode(),
    )
