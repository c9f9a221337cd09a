"""The real app over a real port: `eventgraph serve --load fixtures` on the embedded PostgreSQL.

The tests here drive clients a user would run (a browser, Apollo Client) against it, so they need
what `make test` does not assume on a user's machine (Chromium, Node packages): `.ci/run`
installs those and runs them with `pytest .ci/clients`.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import DATABASE_NAME, embedded_server
from api.settings import PROJECT_ROOT

START_SECONDS = 180
STOP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"eventgraph serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"eventgraph serve was not ready after {START_SECONDS} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the server's process group, as a user stops it; killed if it lingers."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        pytest.fail(f"eventgraph serve did not stop within {STOP_SECONDS} s of SIGINT")


@pytest.fixture(scope="session")
def served_app() -> Iterator[tuple[str, Path]]:
    """The app serving the seed corpus, in development settings: http://127.0.0.1:PORT, and the
    folder of its embedded PostgreSQL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="eventgraph-clients-") as folder:
        log = Path(folder) / "serve.log"
        environment = {
            **os.environ,
            "EVENTGRAPH_ENVIRONMENT": "development",
            "EVENTGRAPH_HOST": "127.0.0.1",
            "EVENTGRAPH_PORT": str(port),
            "EVENTGRAPH_DATA_DIR": str(Path(folder) / "postgres"),
        }
        environment.pop("EVENTGRAPH_DATABASE_URL", None)
        with log.open("wb") as output:
            server = subprocess.Popen(
                [Path(sys.executable).parent / "eventgraph", "serve", "--load", "fixtures"],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, server, log)
            yield url, Path(folder) / "postgres"
        finally:
            stop(server)


@pytest.fixture(scope="session")
def base_url(served_app: tuple[str, Path]) -> str:
    """http://127.0.0.1:PORT of the app serving the seed corpus, in development settings."""
    return served_app[0]


@pytest.fixture(scope="session")
def corpus_url(served_app: tuple[str, Path]) -> Iterator[URL]:
    """The database the app serves, to change as an operator would (plain SQL) while clients
    follow the changes: its embedded PostgreSQL, joined (not started again)."""
    with embedded_server(served_app[1]) as server:
        yield server.set(database=DATABASE_NAME)
