"""API keys against PostgreSQL: stored hashed, shown once, looked up per request through a cache."""

import hashlib
from uuid import UUID

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.budgets import Budget
from api.security.errors import ForbiddenError, UnauthenticatedError
from api.security.keys import (
    KEY_PATTERN,
    KeyAuthenticator,
    KeyInputError,
    KeyNotFoundError,
    Principal,
    Scope,
    authorize,
    create_key,
    list_keys,
    parse_authorization,
    parse_scopes,
    revoke_key,
)
from api.settings import Environment, Settings
from api.store.statements import close_database, open_database
from tests.security.conftest import ManualClock, StatementLog

SETTINGS = Settings(environment=Environment.DEVELOPMENT, access_cache_seconds=5)
UNKNOWN_KEY = "eg_live_00000000_" + "A" * 43


async def test_a_created_key_is_shown_once_and_only_its_sha256_is_stored(
    connection: asyncpg.Connection,
) -> None:
    created = await create_key(connection, "Le Monde", [Scope.READ])

    assert KEY_PATTERN.match(created.secret)
    assert created.secret.startswith(created.key.prefix + "_")
    assert len(created.key.prefix) == 16
    row = await connection.fetchrow("SELECT * FROM api_keys")
    assert row is not None
    assert row["secret_sha256"] == hashlib.sha256(created.secret.encode()).digest()
    stored = await connection.fetchval("SELECT api_keys::text FROM api_keys")
    secret_part = created.secret.removeprefix(created.key.prefix + "_")
    assert secret_part not in stored
    assert (row["name"], row["scopes"], row["revoked_at"]) == ("Le Monde", ["read"], None)
    assert created.key.last_used_at is None


async def test_every_key_has_its_own_secret_and_prefix(connection: asyncpg.Connection) -> None:
    keys = [await create_key(connection, f"partner {number}", [Scope.READ]) for number in range(5)]
    assert len({key.secret for key in keys}) == 5
    assert len({key.key.prefix for key in keys}) == 5


async def test_a_key_authenticates_as_its_principal(connection: asyncpg.Connection) -> None:
    created = await create_key(connection, "Reuters", [Scope.READ, Scope.ADMIN])
    principal = await KeyAuthenticator(SETTINGS).authenticate(connection, created.secret)

    assert principal == Principal(
        key_id=created.key.id,
        name="Reuters",
        scopes=frozenset({Scope.READ, Scope.ADMIN}),
        bucket=f"key:{created.key.id}",
        budget=Budget(50_000, 50_000 / 3600),
    )
    assert not principal.is_anonymous


async def test_a_key_with_its_own_budget_draws_on_it(connection: asyncpg.Connection) -> None:
    created = await create_key(
        connection, "AFP", [Scope.READ], budget_capacity=900, budget_restore_per_second=2.5
    )
    principal = await KeyAuthenticator(SETTINGS).authenticate(connection, created.secret)
    assert principal is not None
    assert principal.budget == Budget(900, 2.5)

    only_capacity = await create_key(connection, "DPA", [Scope.READ], budget_capacity=7_200)
    other = await KeyAuthenticator(SETTINGS).authenticate(connection, only_capacity.secret)
    assert other is not None
    assert other.budget == Budget(7_200, 2.0)


async def test_unknown_keys_and_keys_of_another_shape_are_not_principals(
    connection: asyncpg.Connection, closed: asyncpg.Connection
) -> None:
    authenticator = KeyAuthenticator(SETTINGS)
    assert await authenticator.authenticate(connection, UNKNOWN_KEY) is None
    # Not our shape: refused without a statement (the closed connection would fail one).
    assert await authenticator.authenticate(closed, "sk_live_123") is None
    assert await authenticator.authenticate(closed, UNKNOWN_KEY[:-1]) is None


async def test_a_cached_key_costs_no_statement_until_the_cache_expires(
    connection: asyncpg.Connection, statements: StatementLog, clock: ManualClock
) -> None:
    created = await create_key(connection, "Le Temps", [Scope.READ])
    authenticator = KeyAuthenticator(SETTINGS, clock=clock)
    before = await statements.count()

    first = await authenticator.authenticate(connection, created.secret)
    for _ in range(10):
        clock.advance(0.4)
        assert await authenticator.authenticate(connection, created.secret) == first
    assert await statements.count() == before + 1

    clock.advance(1.1)  # 5.1 s since the lookup
    assert await authenticator.authenticate(connection, created.secret) == first
    assert await statements.count() == before + 2


async def test_unknown_keys_are_cached_too(
    connection: asyncpg.Connection, statements: StatementLog, clock: ManualClock
) -> None:
    authenticator = KeyAuthenticator(SETTINGS, clock=clock)
    before = await statements.count()
    for _ in range(5):
        assert await authenticator.authenticate(connection, UNKNOWN_KEY) is None
    assert await statements.count() == before + 1


async def test_a_revoked_key_is_refused_once_the_cache_expires(
    connection: asyncpg.Connection, clock: ManualClock
) -> None:
    created = await create_key(connection, "Der Spiegel", [Scope.READ])
    authenticator = KeyAuthenticator(SETTINGS, clock=clock)
    assert await authenticator.authenticate(connection, created.secret) is not None

    revoked = await revoke_key(connection, "Der Spiegel")
    assert revoked.revoked_at is not None
    clock.advance(4.9)
    assert await authenticator.authenticate(connection, created.secret) is not None
    clock.advance(0.2)
    assert await authenticator.authenticate(connection, created.secret) is None
    # A process that never saw the key refuses it at once.
    assert await KeyAuthenticator(SETTINGS).authenticate(connection, created.secret) is None


async def _last_used(connection: asyncpg.Connection, key_id: UUID) -> tuple[object, object]:
    row = await connection.fetchrow(
        "SELECT last_used_at, xmin::text FROM api_keys WHERE id = $1", key_id
    )
    assert row is not None
    return row[0], row[1]


async def test_last_used_is_written_at_most_once_a_minute(
    connection: asyncpg.Connection, clock: ManualClock
) -> None:
    created = await create_key(connection, "El País", [Scope.READ])
    # No cache: every call looks the key up, as processes past their cache time do.
    authenticator = KeyAuthenticator(Settings(access_cache_seconds=0), clock=clock)

    await authenticator.authenticate(connection, created.secret)
    used, version = await _last_used(connection, created.key.id)
    assert used is not None
    for _ in range(5):
        await authenticator.authenticate(connection, created.secret)
    # Not rewritten: the same value and the same row version.
    assert await _last_used(connection, created.key.id) == (used, version)

    shifted = await connection.fetchval(
        "UPDATE api_keys SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1 "
        "RETURNING last_used_at",
        created.key.id,
    )
    await authenticator.authenticate(connection, created.secret)
    touched, _ = await _last_used(connection, created.key.id)
    assert touched is not None
    assert touched > shifted


async def test_a_revoked_key_is_not_touched(connection: asyncpg.Connection) -> None:
    created = await create_key(connection, "NZZ", [Scope.READ])
    await revoke_key(connection, created.key.prefix)
    await KeyAuthenticator(SETTINGS).authenticate(connection, created.secret)
    assert (await _last_used(connection, created.key.id))[0] is None


async def test_keys_are_listed_with_what_they_are(connection: asyncpg.Connection) -> None:
    first = await create_key(connection, "first", [Scope.READ])
    second = await create_key(connection, "second", [Scope.ADMIN], budget_capacity=10)
    await revoke_key(connection, "first")

    listed = await list_keys(connection)
    assert [(key.name, key.prefix) for key in listed] == [
        ("first", first.key.prefix),
        ("second", second.key.prefix),
    ]
    assert listed[0].revoked_at is not None
    assert listed[1].revoked_at is None
    assert listed[1].scopes == frozenset({Scope.ADMIN})
    assert listed[1].budget_capacity == 10


async def test_revoking_by_prefix_name_twice_or_unknown(connection: asyncpg.Connection) -> None:
    created = await create_key(connection, "Yomiuri", [Scope.READ])
    assert (await revoke_key(connection, created.key.prefix)).id == created.key.id

    with pytest.raises(KeyNotFoundError, match="already revoked"):
        await revoke_key(connection, created.key.prefix)
    with pytest.raises(KeyNotFoundError, match="no unrevoked key is named 'Yomiuri'"):
        await revoke_key(connection, "Yomiuri")
    with pytest.raises(KeyNotFoundError, match="no key has the prefix eg_live_00000000"):
        await revoke_key(connection, "eg_live_00000000")


async def test_a_name_is_taken_until_its_key_is_revoked(connection: asyncpg.Connection) -> None:
    await create_key(connection, "Asahi", [Scope.READ])
    with pytest.raises(KeyInputError, match="a key named 'Asahi' exists and is not revoked"):
        await create_key(connection, "Asahi", [Scope.READ])
    await revoke_key(connection, "Asahi")
    renewed = await create_key(connection, "Asahi", [Scope.READ])
    assert renewed.key.name == "Asahi"
    assert await connection.fetchval("SELECT count(*) FROM api_keys") == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        (" padded", "start or end with a space"),
        ("x" * 101, "at most 100"),
        ("tab\there", "without control"),
        ("eg_live_12345678", "must not start with eg_"),
    ],
)
async def test_bad_names_are_refused_and_nothing_is_written(
    connection: asyncpg.Connection, name: str, message: str
) -> None:
    with pytest.raises(KeyInputError, match=message):
        await create_key(connection, name, [Scope.READ])
    assert await connection.fetchval("SELECT count(*) FROM api_keys") == 0


async def test_bad_budgets_and_no_scope_are_refused(connection: asyncpg.Connection) -> None:
    with pytest.raises(KeyInputError, match="capacity must be at least 1"):
        await create_key(connection, "a", [Scope.READ], budget_capacity=0)
    with pytest.raises(KeyInputError, match="restore rate must be positive"):
        await create_key(connection, "a", [Scope.READ], budget_restore_per_second=0)
    with pytest.raises(KeyInputError, match="at least one scope"):
        await create_key(connection, "a", [])
    assert await connection.fetchval("SELECT count(*) FROM api_keys") == 0


async def test_the_table_refuses_unknown_scopes(connection: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError, match="ck_api_keys_known_scopes"):
        await connection.execute(
            "INSERT INTO api_keys (name, prefix, secret_sha256, scopes) "
            "VALUES ('x', 'eg_live_00000000', sha256('x'), ARRAY['write'])"
        )


def test_scopes_are_read_from_repeated_and_comma_separated_values() -> None:
    assert parse_scopes(["read"]) == {Scope.READ}
    assert parse_scopes(["read,admin"]) == {Scope.READ, Scope.ADMIN}
    assert parse_scopes(["admin", " read "]) == {Scope.READ, Scope.ADMIN}
    with pytest.raises(KeyInputError, match="unknown scope write: the scopes are read and admin"):
        parse_scopes(["read,write"])
    with pytest.raises(KeyInputError, match="at least one scope"):
        parse_scopes([" , "])


def test_the_authorization_header_must_be_bearer_and_a_key() -> None:
    key = "eg_live_0123abcd_" + "x" * 43
    assert parse_authorization(None) is None
    assert parse_authorization(f"Bearer {key}") == key
    assert parse_authorization(f"bearer   {key} ") == key
    refusals = {
        "": "not an empty header",
        "Basic dXNlcjpwYXNz": "not the Basic scheme",
        "Bearer": "one key after Bearer",
        f"Bearer {key} {key}": "one key after Bearer",
        "Bearer not-a-key": "does not hold an eventgraph API key",
        key: f"not the {key} scheme",
    }
    for header, message in refusals.items():
        with pytest.raises(UnauthenticatedError, match=message) as refused:
            parse_authorization(header)
        assert refused.value.code == "UNAUTHENTICATED"
        assert refused.value.status == 401
        assert refused.value.headers == {"WWW-Authenticate": 'Bearer realm="eventgraph"'}


async def test_a_request_without_a_key_is_anonymous_and_budgeted_by_address(
    closed: asyncpg.Connection,
) -> None:
    development = KeyAuthenticator(Settings(environment=Environment.DEVELOPMENT))
    principal = await development.principal_for_request(closed, None, "203.0.113.7")
    assert principal.is_anonymous
    assert principal.name == "anonymous"
    assert principal.client_address == "203.0.113.7"
    assert principal.bucket == "anonymous:203.0.113.7"
    assert principal.budget == Budget(5_000, 5_000 / 3600)
    assert principal.allows(Scope.READ)
    authorize(principal, Scope.READ)

    production = KeyAuthenticator(Settings(environment=Environment.PRODUCTION))
    refused = await production.principal_for_request(closed, None, "203.0.113.7")
    assert not refused.allows(Scope.READ)
    with pytest.raises(UnauthenticatedError, match="An API key is required"):
        authorize(refused, Scope.READ)
    allowed = KeyAuthenticator(Settings(environment=Environment.PRODUCTION, anonymous_reads=True))
    assert (await allowed.principal_for_request(closed, None, None)).allows(Scope.READ)


async def test_a_request_with_a_bad_or_unknown_key_is_unauthenticated(
    connection: asyncpg.Connection,
) -> None:
    authenticator = KeyAuthenticator(SETTINGS)
    with pytest.raises(UnauthenticatedError, match="unknown or has been revoked"):
        await authenticator.principal_for_request(connection, f"Bearer {UNKNOWN_KEY}", None)
    with pytest.raises(UnauthenticatedError, match="must read `Bearer <API key>`"):
        await authenticator.principal_for_request(connection, "Token abc", None)

    created = await create_key(connection, "Kyodo", [Scope.READ])
    principal = await authenticator.principal_for_request(
        connection, f"Bearer {created.secret}", "198.51.100.1"
    )
    assert principal.key_id == created.key.id


async def test_scopes_decide_what_a_key_may_do(connection: asyncpg.Connection) -> None:
    reader = await create_key(connection, "reader", [Scope.READ])
    admin = await create_key(connection, "admin", [Scope.ADMIN])
    authenticator = KeyAuthenticator(SETTINGS)
    reading = await authenticator.authenticate(connection, reader.secret)
    administering = await authenticator.authenticate(connection, admin.secret)
    assert reading is not None
    assert administering is not None

    authorize(reading, Scope.READ)
    with pytest.raises(ForbiddenError, match="'reader' does not have the admin scope") as refused:
        authorize(reading, Scope.ADMIN)
    assert (refused.value.code, refused.value.status) == ("FORBIDDEN", 403)
    authorize(administering, Scope.ADMIN)
    authorize(administering, Scope.READ)  # admin includes read


async def test_the_apps_database_serves_as_a_source(database_url: URL) -> None:
    database = await open_database(
        to_asyncpg_dsn(database_url), pool_size=2, statement_timeout_ms=5_000, acquire_timeout=5
    )
    source = database.hand_written
    try:
        created = await create_key(source, "via the app's pool", [Scope.READ])
        principal = await KeyAuthenticator(SETTINGS).authenticate(source, created.secret)
        assert principal is not None
        assert principal.name == "via the app's pool"
        assert [key.name for key in await list_keys(source)] == ["via the app's pool"]
    finally:
        await close_database(database)
