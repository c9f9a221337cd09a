"""API keys: created once and shown once, stored as a SHA-256, looked up per request.

A key reads `eg_live_<8 hex>_<43 url-safe characters>`: the first 16 characters are its prefix,
stored in clear to name the key in listings and logs; the rest is 32 random bytes. Only the
SHA-256 of the whole key is kept, which suffices for a random secret of that size (a slow,
salted hash protects low-entropy passwords; a 256-bit random key has nothing to guess) and costs
one hash per lookup. A process keeps what it read of a key for `access_cache_seconds`.
"""

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

import asyncpg

from api.cache import LRUCache
from api.security.budgets import Budget, anonymous_bucket, anonymous_budget, key_bucket, key_budget
from api.security.database import Queryable
from api.security.errors import ForbiddenError, UnauthenticatedError
from api.settings import Settings

KEY_PREFIX = "eg_live_"
SECRET_BYTES = 32
KEY_PATTERN = re.compile(r"^eg_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")
PREFIX_PATTERN = re.compile(r"^eg_live_[0-9a-f]{8}$")
NAME_MAX_LENGTH = 100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# last_used_at is written at most once a minute per key, by whichever process sees it stale.
LAST_USED_RESOLUTION_SECONDS = 60
# Distinct keys (and unknown ones) a process remembers; bounded against a flood of bad keys.
CACHED_KEYS = 10_000
# Two keys drawing the same random prefix: retry with new randomness this many times.
CREATE_ATTEMPTS = 5
ANONYMOUS = "anonymous"


class Scope(Enum):
    """What a key may do. `admin` includes everything `read` allows."""

    READ = "read"
    ADMIN = "admin"


class KeyInputError(ValueError):
    """A key cannot be created or found as asked (bad name, scope or budget)."""


class KeyNotFoundError(LookupError):
    """No key answers to the name or prefix given."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, as listed: everything but the secret, which is not kept."""

    id: UUID
    name: str
    prefix: str
    scopes: frozenset[Scope]
    budget_capacity: int | None
    budget_restore_per_second: float | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    secret: str
    """The key to hand to the partner: shown this once, never stored."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a key (its id and name) or an anonymous client (its address),
    what it may do, and the bucket its costs are debited from."""

    key_id: UUID | None
    name: str
    scopes: frozenset[Scope]
    bucket: str
    budget: Budget
    client_address: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.key_id is None

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


def key_digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """Scopes from repeated and/or comma-separated values ("read", "read,admin")."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not names:
        raise KeyInputError("a key needs at least one scope: read or admin")
    known = {scope.value: scope for scope in Scope}
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise KeyInputError(f"unknown scope {', '.join(unknown)}: the scopes are read and admin")
    return frozenset(known[name] for name in names)


def check_name(name: str) -> str:
    if not name or name != name.strip():
        raise KeyInputError("a key name must not be empty or start or end with a space")
    if len(name) > NAME_MAX_LENGTH or CONTROL_CHARACTERS.search(name):
        raise KeyInputError(
            f"a key name is at most {NAME_MAX_LENGTH} printable characters, without control ones"
        )
    if name.startswith("eg_"):
        raise KeyInputError("a key name must not start with eg_, which key prefixes start with")
    return name


def parse_authorization(header: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header; None when there is no header."""
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        shown = f"the {scheme} scheme" if scheme else "an empty header"
        raise UnauthenticatedError(
            f"The Authorization header must read `Bearer <API key>`, not {shown}."
        )
    key = credentials.strip()
    if not key or " " in key:
        raise UnauthenticatedError(
            "The Authorization header must read `Bearer <API key>`: one key after Bearer."
        )
    if not KEY_PATTERN.match(key):
        raise UnauthenticatedError(
            f"The Authorization header does not hold an eventgraph API key ({KEY_PREFIX}…)."
        )
    return key


def authorize(principal: Principal, scope: Scope) -> None:
    """Refuse `principal` unless it has `scope`: UNAUTHENTICATED for an anonymous client (a key
    would help), FORBIDDEN for a key (another key would)."""
    if principal.allows(scope):
        return
    if principal.is_anonymous:
        raise UnauthenticatedError(
            "An API key is required here: send `Authorization: Bearer <API key>`."
        )
    raise ForbiddenError(f"The API key {principal.name!r} does not have the {scope.value} scope.")


# ---------------------------------------------------------------- storage

COLUMNS = (
    "id, name, prefix, scopes, budget_capacity, budget_restore_per_second, "
    "created_at, last_used_at, revoked_at"
)
INSERT_KEY = f"""
INSERT INTO api_keys (name, prefix, secret_sha256, scopes, budget_capacity,
                      budget_restore_per_second)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING {COLUMNS}
"""
LIST_KEYS = f"SELECT {COLUMNS} FROM api_keys ORDER BY created_at, name"
REVOKE_BY_PREFIX = f"""
UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL
RETURNING {COLUMNS}
"""
REVOKE_BY_NAME = f"""
UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL
RETURNING {COLUMNS}
"""
REVOKED_BY_PREFIX = "SELECT revoked_at FROM api_keys WHERE prefix = $1"
# The lookup of a presented key, and the minute-resolution touch of last_used_at, in one round
# trip. The touch's condition is on the row as it is when updated, so that of several processes
# seeing it stale at once, one writes.
AUTHENTICATE = f"""
WITH found AS (
    SELECT id, name, scopes, budget_capacity, budget_restore_per_second
    FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL
), touched AS (
    UPDATE api_keys SET last_used_at = now()
    FROM found
    WHERE api_keys.id = found.id
      AND (api_keys.last_used_at IS NULL
           OR api_keys.last_used_at < now() - interval '{LAST_USED_RESOLUTION_SECONDS} seconds')
)
SELECT id, name, scopes, budget_capacity, budget_restore_per_second FROM found
"""


def _api_key(row: asyncpg.Record) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        scopes=frozenset(Scope(scope) for scope in row["scopes"]),
        budget_capacity=row["budget_capacity"],
        budget_restore_per_second=row["budget_restore_per_second"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def create_key(
    source: Queryable,
    name: str,
    scopes: Iterable[Scope],
    *,
    budget_capacity: int | None = None,
    budget_restore_per_second: float | None = None,
) -> CreatedKey:
    """A new key; its secret is in the result and nowhere else. Names are unique among the
    keys not revoked."""
    check_name(name)
    chosen = sorted({scope.value for scope in scopes})
    if not chosen:
        raise KeyInputError("a key needs at least one scope: read or admin")
    if budget_capacity is not None and budget_capacity < 1:
        raise KeyInputError("a key's budget capacity must be at least 1")
    if budget_restore_per_second is not None and not budget_restore_per_second > 0:
        raise KeyInputError("a key's budget restore rate must be positive")
    for _ in range(CREATE_ATTEMPTS):
        prefix = f"{KEY_PREFIX}{secrets.token_hex(4)}"
        secret = f"{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            row = await source.fetchrow(
                INSERT_KEY,
                name,
                prefix,
                key_digest(secret),
                chosen,
                budget_capacity,
                budget_restore_per_second,
            )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "ix_api_keys_active_name":
                raise KeyInputError(
                    f"a key named {name!r} exists and is not revoked: revoke it or choose "
                    "another name"
                ) from None
            continue
        assert row is not None  # INSERT ... RETURNING returns the row it inserted
        return CreatedKey(_api_key(row), secret)
    raise RuntimeError(f"no unused key prefix in {CREATE_ATTEMPTS} random draws")


async def list_keys(source: Queryable) -> list[ApiKey]:
    """Every key, revoked ones included, oldest first."""
    return [_api_key(row) for row in await source.fetch(LIST_KEYS)]


async def revoke_key(source: Queryable, name_or_prefix: str) -> ApiKey:
    """Revoke the key with this prefix (eg_live_xxxxxxxx), or the unrevoked key of this name."""
    if PREFIX_PATTERN.match(name_or_prefix):
        row = await source.fetchrow(REVOKE_BY_PREFIX, name_or_prefix)
        if row is None:
            revoked = await source.fetchrow(REVOKED_BY_PREFIX, name_or_prefix)
            if revoked is not None:
                when = f"{revoked[0]:%Y-%m-%d %H:%M %Z}"
                raise KeyNotFoundError(f"the key {name_or_prefix} was already revoked, at {when}")
            raise KeyNotFoundError(f"no key has the prefix {name_or_prefix}")
    else:
        row = await source.fetchrow(REVOKE_BY_NAME, name_or_prefix)
        if row is None:
            raise KeyNotFoundError(f"no unrevoked key is named {name_or_prefix!r}")
    return _api_key(row)


# ---------------------------------------------------------------- per request


class KeyAuthenticator:
    """Turns a request's Authorization header into a Principal. One per process (it holds the
    cache); a key revoked elsewhere stops working here within `access_cache_seconds`."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._cache: LRUCache[bytes, Principal | None] = LRUCache(
            CACHED_KEYS, settings.access_cache_seconds, clock=clock
        )

    async def authenticate(self, source: Queryable, presented_key: str) -> Principal | None:
        """The principal of a key, or None for a key unknown, revoked or not of our shape.
        At most one round trip, none while the key is cached."""
        if not KEY_PATTERN.match(presented_key):
            return None
        digest = key_digest(presented_key)
        cached, principal = self._cache.lookup(digest)
        if cached:
            return principal
        row = await source.fetchrow(AUTHENTICATE, digest)
        principal = None if row is None else self._key_principal(row)
        self._cache.put(digest, principal)
        return principal

    def anonymous(self, client_address: str | None) -> Principal:
        """An anonymous client: it may read when anonymous reads are allowed, and is budgeted
        by address."""
        scopes = frozenset({Scope.READ}) if self.settings.anonymous_reads_allowed else frozenset()
        return Principal(
            key_id=None,
            name=ANONYMOUS,
            scopes=scopes,
            bucket=anonymous_bucket(client_address),
            budget=anonymous_budget(self.settings),
            client_address=client_address,
        )

    async def principal_for_request(
        self, source: Queryable, authorization: str | None, client_address: str | None
    ) -> Principal:
        """The request's principal: anonymous without an Authorization header, the key's with
        one; UnauthenticatedError for a malformed header or an unknown or revoked key. Whether
        the principal may read is `authorize`'s question."""
        presented = parse_authorization(authorization)
        if presented is None:
            return self.anonymous(client_address)
        principal = await self.authenticate(source, presented)
        if principal is None:
            raise UnauthenticatedError("The API key is unknown or has been revoked.")
        return principal

    def _key_principal(self, row: asyncpg.Record) -> Principal:
        return Principal(
            key_id=row["id"],
            name=row["name"],
            scopes=frozenset(Scope(scope) for scope in row["scopes"]),
            bucket=key_bucket(row["id"]),
            budget=key_budget(
                self.settings, row["budget_capacity"], row["budget_restore_per_second"]
            ),
        )
