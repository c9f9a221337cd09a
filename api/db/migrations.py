"""Run the Alembic migrations from code: `eventgraph migrate`, start-up, and the tests."""

import logging
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import command
from api.db.server import to_async_url
from api.settings import Settings

log = logging.getLogger(__name__)


def alembic_config(migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return config


def migrations_head(migrations_dir: Path) -> str:
    """The revision the newest migration brings a database to."""
    head = ScriptDirectory.from_config(alembic_config(migrations_dir)).get_current_head()
    assert head is not None, f"no migrations in {migrations_dir}"
    return head


def _run(
    connection: Connection, migrations_dir: Path, target: str, upgrade: bool
) -> tuple[str | None, str | None]:
    """Run the migrations; the revisions before and after."""
    config = alembic_config(migrations_dir)
    config.attributes["connection"] = connection
    before = MigrationContext.configure(connection).get_current_revision()
    if upgrade:
        command.upgrade(config, target)
    else:
        command.downgrade(config, target)
    return before, MigrationContext.configure(connection).get_current_revision()


async def migrate(
    url: URL, migrations_dir: Path, target: str = "head", *, upgrade: bool = True
) -> None:
    """Upgrade (or downgrade) the database at `url` to `target` in one transaction; one log
    line when that changed anything (Alembic's own are quiet, see api.logs)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            before, after = await connection.run_sync(_run, migrations_dir, target, upgrade)
    finally:
        await engine.dispose()
    if before != after:
        log.info("migrated the database from %s to %s", before or "nothing", after or "nothing")


def resolve_url_for_command_line() -> str:
    """For the plain `alembic` command: the configured database (an external one only)."""
    settings = Settings()
    if settings.database_url is None:
        raise SystemExit(
            "the alembic command needs EVENTGRAPH_DATABASE_URL; "
            "use `eventgraph migrate` for the embedded database"
        )
    return to_async_url(settings.database_url).render_as_string(hide_password=False)
