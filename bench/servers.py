"""The servers the requests benchmark drives, and what /proc says about them.

`api_server` is the one place that says how the API is started: `eventgraph serve` as production
runs it (EVENTGRAPH_ENVIRONMENT=production, every other EVENTGRAPH_* setting at its default),
with an API key. `floor_server` starts the floor (bench/floor.py) the same way: one uvicorn
process each, on a loopback port; `postgraphile_server` the peer, one Node process.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
from rich.console import Console
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.keys import Scope, create_key
from api.settings import PROJECT_ROOT
from bench import peer

HOST = "127.0.0.1"
START_SECONDS = 120.0
STOP_SECONDS = 10.0
# Production, as a partner meets it: every request carries an API key (bench_key), charged
# against its budget (one statement per request on the primary). The key may run as many
# requests at once as wrk opens connections (a partner's key would keep the default of 4).
API_ENVIRONMENT = {
    "EVENTGRAPH_ENVIRONMENT": "production",
    "EVENTGRAPH_MAX_CONCURRENT_REQUESTS_PER_CLIENT": "64",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server: its name in the report, the command and its environment."""

    name: str
    command: tuple[str, ...]
    environment: dict[str, str]
    port: int
    headers: tuple[tuple[str, str], ...] = ()
    """Sent with every request (the API key)."""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _clean_environment() -> dict[str, str]:
    """This process's environment without EVENTGRAPH_* settings, so that none leaks in."""
    return {key: value for key, value in os.environ.items() if not key.startswith("EVENTGRAPH_")}


async def bench_key(database: URL) -> str:
    """A new API key with a budget no run exhausts: the benchmark measures the read path and
    the charge of each request, not the refusals."""
    connection = await asyncpg.connect(to_asyncpg_dsn(database))
    try:
        created = await create_key(
            connection,
            f"bench-{uuid.uuid4().hex[:8]}",
            {Scope.READ},
            budget_capacity=2_000_000_000,
            budget_restore_per_second=1_000_000_000.0,
        )
    finally:
        await connection.close()
    return created.secret


def api_server(database: URL, port: int, key: str) -> ServerSpec:
    environment = {
        **_clean_environment(),
        **API_ENVIRONMENT,
        "EVENTGRAPH_DATABASE_URL": database.render_as_string(hide_password=False),
        "EVENTGRAPH_HOST": HOST,
        "EVENTGRAPH_PORT": str(port),
        # Production serves /metrics on a port of its own: a free one, so that two runs on
        # one machine do not meet on the default.
        "EVENTGRAPH_METRICS": f"{HOST}:{free_port()}",
    }
    command = (str(Path(sys.executable).with_name("eventgraph")), "serve")
    return ServerSpec("api", command, environment, port, (("Authorization", f"Bearer {key}"),))


def floor_server(variant: str, database: URL, port: int) -> ServerSpec:
    command = (
        sys.executable,
        "-m",
        "bench.floor",
        "--variant",
        variant,
        "--database",
        to_asyncpg_dsn(database),
        "--host",
        HOST,
        "--port",
        str(port),
    )
    return ServerSpec(f"floor-{variant}", command, _clean_environment(), port)


def postgraphile_server(database: URL, port: int) -> ServerSpec:
    """PostGraphile 5 (bench/postgraphile/server.mjs) on the Node that `make bench-peer` installs,
    as production runs it (NODE_ENV=production)."""
    command = (
        str(peer.NODE),
        str(peer.SERVER),
        "--database",
        to_asyncpg_dsn(database),
        "--host",
        HOST,
        "--port",
        str(port),
    )
    return ServerSpec(peer.NAME, command, {**_clean_environment(), "NODE_ENV": "production"}, port)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class ServerGoneError(RuntimeError):
    """The server process is no longer running (stopped from outside, or crashed)."""


@dataclass
class Server:
    """A running server process (the one uvicorn worker: it serves in the process started)."""

    spec: ServerSpec
    process: asyncio.subprocess.Process
    log: Path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def alive(self) -> bool:
        """Running: not reaped, and not a zombie waiting to be."""
        if self.process.returncode is not None:
            return False
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")

    def ensure_alive(self) -> None:
        if not self.alive:
            raise ServerGoneError(f"{self.name} is no longer running (see {self.log})")

    def _proc(self, name: str) -> str:
        try:
            return Path(f"/proc/{self.process.pid}/{name}").read_text()
        except FileNotFoundError:
            raise ServerGoneError(f"{self.name} is no longer running (see {self.log})") from None

    def _status(self) -> dict[str, int]:
        """The kB figures of /proc/PID/status (VmRSS, VmHWM, …)."""
        values = {}
        for line in self._proc("status").splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                values[key] = int(parts[0])
        return values

    def rss_mb(self) -> float:
        return self._status()["VmRSS"] / 1024

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory since start, or since `reset_peak`."""
        return self._status()["VmHWM"] / 1024

    def reset_peak(self) -> bool:
        """Start VmHWM afresh from the current RSS (Linux's clear_refs); False when refused."""
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used."""
        stat = self._proc("stat")
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def event_loop(self) -> str:
        """Which event loop and HTTP parser the process has loaded (from its memory maps)."""
        if Path(f"/proc/{self.process.pid}/exe").resolve() == peer.NODE.resolve():
            return "Node.js (libuv)"
        maps = self._proc("maps")
        loop = "uvloop" if "/uvloop/" in maps else "asyncio"
        parser = "httptools" if "/httptools/" in maps else "h11"
        return f"{loop} + {parser}"


@asynccontextmanager
async def running(spec: ServerSpec, log_path: Path) -> AsyncIterator[Server]:
    """Start the server, wait until /healthz answers, and stop it on exit; its output is
    appended to `log_path`."""
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *spec.command,
            env=spec.environment,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(spec, process, log_path)
        try:
            await _wait_until_up(server)
            yield server
        finally:
            await _stop(process)


async def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=server.spec.base_url) as client:
        while time.monotonic() < deadline:
            if server.process.returncode is not None:
                raise RuntimeError(f"{server.name} exited at start; see {server.log}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer in {START_SECONDS:.0f} s; see {server.log}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    try:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except ProcessLookupError:
        pass
    except TimeoutError:
        process.kill()
        await process.wait()


T = TypeVar("T")


class Fleet:
    """The servers of one corpus, started together and stopped together.

    The machine is shared: a server stopped from outside (another session's `pkill`, say) is
    started again, and the step that found it gone is done again, up to RESTARTS times; every
    restart is recorded for the report."""

    RESTARTS = 2

    def __init__(self, stack: AsyncExitStack, logs: Path, label: str, console: Console) -> None:
        self.stack = stack
        self.logs = logs
        self.label = label
        self.console = console
        self.servers: list[Server] = []
        self.restarts: list[str] = []

    def log_path(self, spec: ServerSpec) -> Path:
        return self.logs / f"serve-{spec.name}-{self.label}.log"

    async def start(self, specs: Sequence[ServerSpec]) -> None:
        for spec in specs:
            self.log_path(spec).unlink(missing_ok=True)
            server = await self.stack.enter_async_context(running(spec, self.log_path(spec)))
            self.servers.append(server)

    async def again(self, index: int, step: str, action: Callable[[Server], Awaitable[T]]) -> T:
        """`action` on server `index`, done again on a restarted server if it went away."""
        for attempt in range(self.RESTARTS + 1):
            server = self.servers[index]
            try:
                result = await action(server)
                server.ensure_alive()
                return result
            except (ServerGoneError, httpx.TransportError):
                if server.alive or attempt == self.RESTARTS:
                    raise
                self.restarts.append(f"{server.name} (during {step})")
                self.console.print(
                    f"[yellow]  {server.name} stopped from outside during {step}: restarted"
                )
                self.servers[index] = await self.stack.enter_async_context(
                    running(server.spec, self.log_path(server.spec))
                )
        raise AssertionError("unreachable")
