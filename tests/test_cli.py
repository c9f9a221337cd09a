"""The `eventgraph` command, run as a user runs it."""

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from api.cli import app
from api.db.server import drop_database, ensure_database, to_asyncpg_dsn


async def _tables(url: URL) -> set[str]:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows}


@pytest.fixture
def blank_database(server_url: URL) -> Iterator[URL]:
    """An empty database with no migrations applied."""
    url = asyncio.run(ensure_database(server_url, "eventgraph_cli_blank"))
    yield url
    asyncio.run(drop_database(server_url, "eventgraph_cli_blank"))


def test_migrate_creates_the_schema_and_is_idempotent(
    blank_database: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = to_asyncpg_dsn(blank_database)
    monkeypatch.setenv("EVENTGRAPH_DATABASE_URL", dsn)
    runner = CliRunner()

    first = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0, first.output
    tables = asyncio.run(_tables(blank_database))
    assert {"events", "statements", "participants", "treaties", "changes"} <= tables

    second = runner.invoke(app, ["migrate"])
    assert second.exit_code == 0, second.output
    assert asyncio.run(_tables(blank_database)) == tables


def test_unknown_command_fails_with_usage() -> None:
    result = CliRunner().invoke(app, ["nonsense"])
    assert result.exit_code == 2


def test_a_non_postgresql_database_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTGRAPH_DATABASE_URL", "sqlite:///corpus.db")
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "a PostgreSQL URL is needed" in result.output
