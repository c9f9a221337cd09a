"""`eventgraph keys`, `queries` and `budgets`, run as an operator runs them, on a real database."""

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from api.cli import app
from api.db.server import to_asyncpg_dsn
from api.security.keys import KEY_PATTERN, KeyAuthenticator
from api.settings import Settings
from tests.security.test_persisted import FILE


@pytest.fixture
def operator(database_url: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    """The CLI pointed at this test's database."""
    monkeypatch.setenv("EVENTGRAPH_DATABASE_URL", to_asyncpg_dsn(database_url))
    return database_url


def _run(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments))


def _query(url: URL, statement: str, *args: object) -> list[Any]:
    async def fetch() -> list[Any]:
        connection = await asyncpg.connect(to_asyncpg_dsn(url))
        try:
            return list(await connection.fetch(statement, *args))
        finally:
            await connection.close()

    return asyncio.run(fetch())


def test_keys_create_prints_the_key_once_with_a_warning(operator: URL) -> None:
    result = _run("keys", "create", "--name", "Le Monde", "--scope", "read,admin")
    assert result.exit_code == 0, result.output

    secret = result.stdout.strip()
    assert KEY_PATTERN.match(secret)
    assert "it cannot be shown again" in result.stderr
    assert secret not in result.stderr
    (row,) = _query(operator, "SELECT name, prefix, scopes FROM api_keys")
    assert (row["name"], sorted(row["scopes"])) == ("Le Monde", ["admin", "read"])
    assert secret.startswith(row["prefix"])

    async def authenticate() -> object:
        connection = await asyncpg.connect(to_asyncpg_dsn(operator))
        try:
            return await KeyAuthenticator(Settings()).authenticate(connection, secret)
        finally:
            await connection.close()

    assert asyncio.run(authenticate()) is not None


def test_keys_create_takes_repeated_scopes_and_a_budget(operator: URL) -> None:
    result = _run(
        "keys", "create", "--name", "AFP", "--scope", "read", "--scope", "admin",
        "--budget-capacity", "900", "--budget-restore", "2.5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = _query(
        operator, "SELECT scopes, budget_capacity, budget_restore_per_second FROM api_keys"
    )
    assert (sorted(row[0]), row[1], row[2]) == (["admin", "read"], 900, 2.5)


def test_keys_create_defaults_to_read(operator: URL) -> None:
    assert _run("keys", "create", "--name", "reader").exit_code == 0
    assert _query(operator, "SELECT scopes FROM api_keys")[0][0] == ["read"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--name", "x", "--scope", "write"], "unknown scope write"),
        (["--name", "eg_x"], "must not start with eg_"),
        (["--name", "x", "--budget-capacity", "0"], "capacity must be at least 1"),
    ],
)
def test_keys_create_refuses_bad_input_and_writes_nothing(
    operator: URL, arguments: list[str], message: str
) -> None:
    result = _run("keys", "create", *arguments)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert _query(operator, "SELECT count(*) FROM api_keys")[0][0] == 0


def test_keys_list_and_revoke(operator: URL) -> None:
    _run("keys", "create", "--name", "first")
    _run("keys", "create", "--name", "second", "--budget-capacity", "10")
    prefix = _query(operator, "SELECT prefix FROM api_keys WHERE name = 'second'")[0][0]

    assert _run("keys", "revoke", "first").stdout.startswith("revoked 'first' (eg_live_")
    assert _run("keys", "revoke", prefix).exit_code == 0
    again = _run("keys", "revoke", prefix)
    assert again.exit_code == 1
    assert "already revoked" in again.stderr
    unknown = _run("keys", "revoke", "nobody")
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "no unrevoked key is named 'nobody'")

    listing = _run("keys", "list")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    header = next(line for line in lines if "prefix" in line)
    for column in ("name", "prefix", "scopes", "budget", "created", "last used", "revoked"):
        assert column in header
    second = next(line for line in lines if prefix in line)
    assert "second" in second
    assert "10 points, 0.00278/s (own capacity)" in second  # the rate in effect: 10 an hour
    assert second.count("20") >= 2  # created and revoked dates (20xx-…)


def test_queries_add_list_remove(operator: URL, tmp_path: Path) -> None:
    file = tmp_path / "partner.graphql"
    file.write_text(FILE, encoding="utf-8")

    added = _run("queries", "add", str(file))
    assert added.exit_code == 0, added.output
    rows = _query(operator, "SELECT sha256, operation_name FROM trusted_documents ORDER BY 2")
    assert [row[1] for row in rows] == ["Meeting", "Recent"]
    assert added.stdout.splitlines() == [
        f"{rows[0][0]}  Meeting  added",
        f"{rows[1][0]}  Recent  added",
    ]
    assert "already registered" in _run("queries", "add", str(file)).stdout

    listed = _run("queries", "list").stdout.splitlines()
    assert [line.split("  ")[:2] for line in listed] == [
        [rows[0][0], "Meeting"],
        [rows[1][0], "Recent"],
    ]

    removed = _run("queries", "remove", rows[0][0])
    assert removed.stdout.strip() == f"removed {rows[0][0]}  Meeting"
    missing = _run("queries", "remove", rows[0][0])
    assert missing.exit_code == 1
    assert "no trusted document" in missing.stderr
    assert _run("queries", "remove", "nothex").exit_code == 1


def test_queries_add_refuses_a_file_the_schema_does_not_accept(
    operator: URL, tmp_path: Path
) -> None:
    file = tmp_path / "bad.graphql"
    file.write_text("query Good { events { totalCount } }\nquery Bad { nosuchfield }\n")
    result = _run("queries", "add", str(file))
    assert result.exit_code == 1
    assert "Bad: Cannot query field 'nosuchfield' on type 'Query'." in result.stderr
    assert _query(operator, "SELECT count(*) FROM trusted_documents")[0][0] == 0

    broken = tmp_path / "broken.graphql"
    broken.write_text("query {")
    result = _run("queries", "add", str(broken))
    assert result.exit_code == 1
    assert "not a GraphQL document" in result.stderr
    assert _run("queries", "add", str(tmp_path / "absent.graphql")).exit_code == 1


def test_budgets_prune(operator: URL) -> None:
    _query(
        operator,
        "INSERT INTO rate_limit_buckets VALUES "
        "('key:full', 10, now() - interval '1 hour', now() - interval '1 minute'), "
        "('key:drained', 0, now(), now() + interval '1 hour')",
    )
    result = _run("budgets", "prune")
    assert result.stdout.strip() == "pruned 1 full bucket(s)"
    assert [row[0] for row in _query(operator, "SELECT bucket_key FROM rate_limit_buckets")] == [
        "key:drained"
    ]
