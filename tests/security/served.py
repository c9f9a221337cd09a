"""The app in a uvicorn process of its own, as `eventgraph serve` runs it: a socket bound first
(to a free port here), then uvicorn with uvloop and httptools building `api.serving:application`
from EVENTGRAPH_* variables."""

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.engine import URL

STARTUP_ATTEMPTS = 600
"""How many times (every 0.05 s) a test asks /healthz before giving up on a server."""


@asynccontextmanager
async def served(database_url: URL, **settings: str) -> AsyncIterator[str]:
    """A production server process on `database_url`, with `settings` as EVENTGRAPH_ variables;
    its base URL. The process is stopped (SIGTERM, then waited for) when the block ends."""
    async with served_process(database_url, **settings) as (base_url, _):
        yield base_url


@asynccontextmanager
async def served_process(database_url: URL, **settings: str) -> AsyncIterator[tuple[str, int]]:
    """`served`, with the server's process id."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    environment = {
        **os.environ,
        "EVENTGRAPH_ENVIRONMENT": "production",
        "EVENTGRAPH_DATABASE_URL": database_url.render_as_string(hide_password=False),
        "EVENTGRAPH_LOG_LEVEL": "WARNING",
        **{f"EVENTGRAPH_{name.upper()}": value for name, value in settings.items()},
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.serving:application",
        "--factory",
        "--fd",
        str(listener.fileno()),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, env=environment, pass_fds=[listener.fileno()]
    )
    listener.close()  # the child holds it now
    base_url = f"http://127.0.0.1:{port}"
    try:
        await _until_healthy(base_url, process)
        yield base_url, process.pid
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def _until_healthy(base_url: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for _ in range(STARTUP_ATTEMPTS):
            assert process.returncode is None, f"the server exited with {process.returncode}"
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"the server at {base_url} did not start")
