"""The servers the requests benchmark drives, and what /proc says about them.

`api_server` is the one place that says how the API is started: `eventgraph serve` as production
runs it (EVENTGRAPH_ENVIRONMENT=production, every other EVENTGRAPH_* setting at its default).
Until API keys exist, reads need none; when they do, the key goes here. `floor_server` starts the
floor (bench/floor.py) the same way: one uvicorn process each, on a loopback port.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.settings import PROJECT_ROOT

HOST = "127.0.0.1"
START_SECONDS = 120.0
STOP_SECONDS = 10.0
API_ENVIRONMENT = {"EVENTGRAPH_ENVIRONMENT": "production"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server: its name in the report, the command and its environment."""

    name: str
    command: tuple[str, ...]
    environment: dict[str, str]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _clean_environment() -> dict[str, str]:
    """This process's environment without EVENTGRAPH_* settings, so that none leaks in."""
    return {key: value for key, value in os.environ.items() if not key.startswith("EVENTGRAPH_")}


def api_server(database: URL, port: int) -> ServerSpec:
    environment = {
        **_clean_environment(),
        **API_ENVIRONMENT,
        "EVENTGRAPH_DATABASE_URL": database.render_as_string(hide_password=False),
        "EVENTGRAPH_HOST": HOST,
        "EVENTGRAPH_PORT": str(port),
    }
    command = (str(Path(sys.executable).with_name("eventgraph")), "serve")
    return ServerSpec("api", command, environment, port)


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running server process (the one uvicorn worker: it serves in the process started)."""

    spec: ServerSpec
    process: asyncio.subprocess.Process
    log: Path

    @property
    def name(self) -> str:
        return self.spec.name

    def _status(self) -> dict[str, int]:
        """The kB figures of /proc/PID/status (VmRSS, VmHWM, …)."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
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
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def event_loop(self) -> str:
        """Which event loop and HTTP parser the process has loaded (from its memory maps)."""
        maps = Path(f"/proc/{self.process.pid}/maps").read_text()
        loop = "uvloop" if "/uvloop/" in maps else "asyncio"
        parser = "httptools" if "/httptools/" in maps else "h11"
        return f"{loop} + {parser}"


@asynccontextmanager
async def running(spec: ServerSpec, log_dir: Path) -> AsyncIterator[Server]:
    """Start the server, wait until /healthz answers, and stop it on exit."""
    log_path = log_dir / f"serve-{spec.name}.log"
    with log_path.open("wb") as log:
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
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
