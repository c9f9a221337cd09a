"""The API's read engine: one pool per process, autocommit, the configured statement timeout.

Writes (fixture loads, migrations) open their own transactions elsewhere; nothing that writes
may use this engine.
"""

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.settings import Settings


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        # The API only reads, one statement at a time: autocommit spares the BEGIN and ROLLBACK
        # round trips SQLAlchemy would wrap around every statement.
        isolation_level="AUTOCOMMIT",
        connect_args={
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "eventgraph",
            },
        },
    )
