"""Alembic environment, async.

`api.db.migrations` runs it on a connection it opened (`config.attributes["connection"]`); the
plain `alembic` command (configured in pyproject.toml) runs it on the URL from the settings.
"""

import asyncio

from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from api.db.tables import metadata

config = context.config


def run_with_connection(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_url(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_with_connection)
        await connection.commit()
    await engine.dispose()


def command_line_url() -> str:
    from api.db.migrations import resolve_url_for_command_line

    return resolve_url_for_command_line()


shared_connection = config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
elif shared_connection is not None:
    run_with_connection(shared_connection)
else:
    asyncio.run(run_with_url(command_line_url()))
