"""`eventgraph serve`: the port first, then the database; workers; Ctrl-C stops it all, and
SIGTERM refuses new connections at once while the requests in flight finish."""

import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from api.app import create_app
from api.serving import GC_THRESHOLDS, tune_garbage_collector
from api.settings import PROJECT_ROOT, Settings
from tests.security.production import locked, waiting_on_lock

EVENTGRAPH = str(Path(sys.executable).parent / "eventgraph")
QUERY = b'{"query": "{ events(first: 1) { totalCount } }"}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def post(port: int, body: bytes = QUERY) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def serve_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a server whose embedded database would live in this test's folder."""
    return {**os.environ, "EVENTGRAPH_DATA_DIR": str(tmp_path / "postgres")}


def on_a_free_port(
    serve_environment: dict[str, str], database_url: URL
) -> tuple[int, dict[str, str]]:
    """A free port, and the environment of a server on it that serves `database_url`."""
    port = free_port()
    return port, {
        **serve_environment,
        "EVENTGRAPH_PORT": str(port),
        "EVENTGRAPH_DATABASE_URL": database_url.render_as_string(hide_password=False),
    }


def test_a_busy_port_is_reported_before_any_database_work(
    serve_environment: dict[str, str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [EVENTGRAPH, "serve", "--load", str(PROJECT_ROOT / "fixtures")],
            env={**serve_environment, "EVENTGRAPH_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert time.monotonic() - started < 20
    assert not (tmp_path / "postgres").exists(), "the embedded server was started"


@pytest.mark.slow
def test_workers_serve_one_port_and_stop_on_ctrl_c(
    serve_environment: dict[str, str], database_url: URL
) -> None:
    port, environment = on_a_free_port(serve_environment, database_url)
    server = subprocess.Popen(
        [EVENTGRAPH, "serve", "--workers", "2"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                answer = post(port)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the server did not answer")
        assert answer["data"] == {"events": {"totalCount": 0}}
        assert all(post(port)["data"] for _ in range(10))
        # The command supervises one process per worker.
        assert len(children(server.pid)) >= 2
        os.killpg(server.pid, signal.SIGINT)
        output, _ = server.communicate(timeout=30)
        assert server.returncode == 0, output
        assert "2 workers" in output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()


def connect_and_ask(port: int) -> str:
    """One new connection's fate: "refused", or "answered" (a whole response to GET /healthz);
    a reset raises ConnectionResetError."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
            answer = b""
            while chunk := connection.recv(65_536):
                answer += chunk
    except ConnectionRefusedError:
        return "refused"
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    return "answered"


@pytest.mark.parametrize("workers", [1, 2])
async def test_sigterm_refuses_new_connections_and_lets_the_requests_in_flight_finish(
    serve_environment: dict[str, str], database_url: URL, workers: int
) -> None:
    port, environment = on_a_free_port(serve_environment, database_url)
    server = await asyncio.create_subprocess_exec(
        EVENTGRAPH,
        "serve",
        "--workers",
        str(workers),
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stderr is not None
        # Every worker has started (a worker still starting would listen again when it does).
        started = 0
        while started < workers:
            line = await asyncio.wait_for(server.stderr.readline(), timeout=120)
            assert line, "the server exited"
            started += b"Application startup complete" in line
        drained = asyncio.create_task(server.stderr.read())
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            async with locked(database_url, "events"):
                in_flight = asyncio.create_task(
                    http.post(
                        "/graphql", content=QUERY, headers={"content-type": "application/json"}
                    )
                )
                await asyncio.wait_for(waiting_on_lock(database_url, 1), timeout=30)
                server.terminate()
                # Draining, once the signal is handled, it refuses new connections (in every
                # process) and resets none.
                await asyncio.sleep(0.2)
                fates = []
                deadline = time.monotonic() + 1.5
                while time.monotonic() < deadline:
                    fates.append(await asyncio.to_thread(connect_and_ask, port))
                    await asyncio.sleep(0.01)
                assert set(fates) <= {"answered", "refused"}
                assert fates[-1] == "refused", fates
                # It still waits for the request the lock holds back.
                assert server.returncode is None
            response = await in_flight
        assert response.status_code == 200
        assert response.json()["data"] == {"events": {"totalCount": 0}}
        # One worker: uvicorn re-raises the signal once it has shut down, the conventional exit
        # of SIGTERM; several: the supervisor exits normally once its workers have.
        expected = -signal.SIGTERM if workers == 1 else 0
        assert await asyncio.wait_for(server.wait(), timeout=30) == expected
        assert b"Traceback" not in await drained
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()


async def test_the_app_calls_back_once_started(database_url: URL) -> None:
    started: list[object] = []
    app = create_app(Settings(), database_url, on_started=lambda: started.append(app.state))
    async with app.router.lifespan_context(app):
        assert started == [app.state]
        assert hasattr(app.state, "endpoint")


def test_tuning_raises_the_collectors_thresholds_and_freezes_what_exists() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_without_a_database_url_an_image_refuses_to_start(
    serve_environment: dict[str, str],
) -> None:
    environment = {**serve_environment, "EVENTGRAPH_EMBEDDED_DATABASE": "false"}
    environment.pop("EVENTGRAPH_DATABASE_URL", None)
    environment["EVENTGRAPH_PORT"] = str(free_port())
    done = subprocess.run(
        [EVENTGRAPH, "serve"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "EVENTGRAPH_DATABASE_URL is not set" in done.stderr
