"""Reaching the configured database at start: at once, or retrying for as long as the operator
allows (EVENTGRAPH_DATABASE_WAIT_SECONDS), and if not, one line that says why.

A refused connection, an unknown host, no answer and a server still starting may mend by
themselves (a database container starting beside this one): those are retried. A wrong password
or a missing database will not: those are reported at once.
"""

import asyncio
import logging
import socket
import time

import asyncpg
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn

CONNECT_TIMEOUT_SECONDS = 5.0
RETRY_INTERVAL_SECONDS = 1.0

log = logging.getLogger(__name__)


class DatabaseUnreachableError(Exception):
    """The database could not be used; the message is the one line to show."""


def reason(error: BaseException, url: URL) -> str:
    if isinstance(error, socket.gaierror):
        return f"unknown host {url.host!r}"
    if isinstance(error, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS:g} s"
    if isinstance(error, ConnectionRefusedError) or "Connect call failed" in str(error):
        return "connection refused (nothing listens there)"
    if isinstance(error, FileNotFoundError):
        return "no server socket there"
    if isinstance(error, asyncpg.PostgresError):
        return f"the server says: {error}"
    return f"{type(error).__name__}: {error}"


def where(url: URL) -> str:
    host = url.host or url.query.get("host") or "the local socket"
    return f"{host}:{url.port or 5432}"


async def reach(url: URL, wait_seconds: float, setting: str) -> None:
    """Connect once to `url` (named by the variable `setting`), retrying what may mend for up
    to `wait_seconds`; DatabaseUnreachableError if it cannot."""
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        try:
            connection = await asyncpg.connect(to_asyncpg_dsn(url), timeout=CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, asyncpg.CannotConnectNowError) as error:
            waited = time.monotonic() - started
            if waited < wait_seconds:
                log.warning("database %s not reachable yet (%s); retrying", where(url), error)
                await asyncio.sleep(min(RETRY_INTERVAL_SECONDS, wait_seconds - waited))
                continue
            hint = (
                "; EVENTGRAPH_DATABASE_WAIT_SECONDS=N keeps retrying for N s at start"
                if wait_seconds == 0
                else ""
            )
            raise DatabaseUnreachableError(
                failure(url, setting, reason(error, url), attempts, waited) + hint
            ) from None
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            waited = time.monotonic() - started
            raise DatabaseUnreachableError(
                failure(url, setting, reason(error, url), attempts, waited)
            ) from None
        await connection.close()
        return


def failure(url: URL, setting: str, why: str, attempts: int, seconds: float) -> str:
    shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
    tried = f"{attempts} attempt{'s' if attempts > 1 else ''}"
    if attempts > 1:
        tried += f" over {seconds:.0f} s"
    return f"cannot use the database {shown} ({setting}): {why}; tried {where(url)}, {tried}"
