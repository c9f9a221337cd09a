"""The rough edges of the `eventgraph` command, each filed once and fixed: help pages naming
values as a user types them, file errors in words, counts that add up, lines that are not cut,
budgets shown as numbers, no news of known files, and an embedded server said stopped only by
the process that stopped it."""

import asyncio
import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL
from typer.main import get_command
from typer.testing import CliRunner

from api.cli import app
from api.db.server import embedded_server, to_asyncpg_dsn
from api.settings import PROJECT_ROOT
from tests.fixtures.conftest import run_cli

PYTHON_TYPE = re.compile(r"<(bool|str|int|float|path|list\[|int range|float range)")


def command_paths() -> Iterator[list[str]]:
    """Every command and group of `eventgraph`, as the words that name it."""
    pending: list[tuple[list[str], object]] = [([], get_command(app))]
    while pending:
        path, command = pending.pop()
        yield path
        for name, child in getattr(command, "commands", {}).items():
            pending.append(([*path, name], child))


def test_help_pages_name_values_not_python_types() -> None:
    paths = list(command_paths())
    assert ["fixtures", "validate"] in paths
    assert ["keys", "create"] in paths
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert not PYTHON_TYPE.search(result.output), (path, result.output)
        assert "{" not in result.output.splitlines()[0], result.output
    validate = CliRunner().invoke(app, ["fixtures", "validate", "--help"]).output
    assert "Usage: eventgraph fixtures validate [OPTIONS] PATH..." in validate
    serve = CliRunner().invoke(app, ["serve", "--help"]).output
    assert "--load PATH" in serve
    assert "--workers N" in serve


def test_file_errors_are_said_in_words(tmp_path: Path) -> None:
    a_file = tmp_path / "README.md"
    a_file.write_text("hello\n")
    commands: list[list[str | Path]] = [
        ["fixtures", "generate", a_file, "--events", "1", "--seed", "1"],
        ["fixtures", "export", a_file],
    ]
    for arguments in commands:
        result = run_cli(*arguments)
        assert result.exit_code == 1
        assert "Errno" not in result.output
        assert f"{a_file} is a file, not a folder: choose a missing or empty folder" in (
            result.output
        )
    under_a_file = a_file / "corpus"
    result = run_cli("fixtures", "generate", under_a_file, "--events", "1", "--seed", "1")
    assert result.exit_code == 1
    assert "Errno" not in result.output
    assert f"{under_a_file} goes through a file as if it were a folder" in result.output
    missing = tmp_path / "missing.graphql"
    result = run_cli("queries", "add", missing)
    assert result.exit_code == 1
    assert result.output.strip() == f"{missing} does not exist: check the path"


def test_a_missing_fixture_path_is_counted_as_such(tmp_path: Path) -> None:
    missing = tmp_path / "events.yaml"
    result = run_cli("fixtures", "validate", missing)
    assert result.exit_code == 1
    assert "0 of 0" not in result.output
    assert "1 problem(s): 1 path(s) not found or not readable, no fixture file read" in (
        result.output
    )
    beside = run_cli("fixtures", "validate", missing, PROJECT_ROOT / "fixtures")
    assert "1 problem(s) in 0 of 6 file(s); 1 path(s) not found or not readable" in beside.output


def test_migrate_prints_the_database_url_whole(database_url: URL) -> None:
    # A narrow terminal: the URL is longer than a line, and must stay on one.
    result = CliRunner().invoke(
        app,
        ["migrate"],
        env={"EVENTGRAPH_DATABASE_URL": to_asyncpg_dsn(database_url), "COLUMNS": "40"},
    )
    assert result.exit_code == 0, result.output
    shown = database_url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=True)
    assert len(shown) > 40
    assert f"migrated {shown} to head" in result.output.splitlines()


def test_keys_list_shows_the_budget_in_effect(database_url: URL) -> None:
    assert run_cli("keys", "create", "--name", "plain", database=database_url).exit_code == 0
    own = ["--budget-capacity", "200000", "--budget-restore", "100"]
    assert run_cli("keys", "create", "--name", "big", *own, database=database_url).exit_code == 0
    result = CliRunner().invoke(
        app, ["keys", "list"], env={"EVENTGRAPH_DATABASE_URL": to_asyncpg_dsn(database_url)}
    )
    assert result.exit_code == 0, result.output
    assert "default, default" not in result.output
    assert "50,000 points, 13.9/s (default)" in result.output
    assert "200,000 points, 100/s (own)" in result.output


def test_a_known_companion_file_is_not_news(tmp_path: Path) -> None:
    result = run_cli("fixtures", "validate", PROJECT_ROOT / "fixtures")
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output
    (tmp_path / "events.yaml").write_text("events: []\n")
    (tmp_path / "schema.json").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("to do\n")
    result = run_cli("fixtures", "validate", tmp_path)
    assert f"skipped {tmp_path / 'notes.txt'}: not a .yaml or .yml file" in result.output
    assert "schema.json" not in result.output


def test_only_the_last_user_of_the_embedded_server_says_it_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="api.db.server")
    with tempfile.TemporaryDirectory(prefix="eventgraph-embedded-") as folder:
        data_dir = Path(folder) / "postgres"
        with embedded_server(data_dir) as first_url:
            with embedded_server(data_dir) as second_url:
                assert second_url == first_url
            # The second handle is gone; the first still uses the server.
            assert "embedded PostgreSQL stopped" not in caplog.messages
            assert "embedded PostgreSQL left running: another process still uses it" in (
                caplog.messages
            )
            assert asyncio.run(_answers(first_url))
        assert caplog.messages[-1] == "embedded PostgreSQL stopped"


async def _answers(url: URL) -> bool:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        return bool(await connection.fetchval("SELECT 1"))
    finally:
        await connection.close()
