"""The migrations are the only way the schema changes: they must round-trip and match the tables."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.db.migrations import migrate
from api.db.tables import metadata
from tests.conftest import MIGRATIONS


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # Alembic cannot compare expression indexes and says so with a warning; the index-name check
    # below covers them instead.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        return list(compare_metadata(context, metadata))


def _index_names(connection: Connection) -> set[str]:
    inspector = inspect(connection)
    return {
        index["name"]
        for table in inspector.get_table_names()
        if table != "alembic_version"
        for index in inspector.get_indexes(table)
        if index["name"]
    }


async def _schema_snapshot(engine: AsyncEngine) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "ORDER BY table_name, column_name"
            )
        )
        return [tuple(row) for row in rows]


async def test_autogenerate_finds_no_difference(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
        database_indexes = await connection.run_sync(_index_names)
    assert differences == []
    declared = {index.name for table in metadata.tables.values() for index in table.indexes}
    assert declared <= database_indexes, declared - database_indexes


async def test_upgrade_downgrade_upgrade(database_url: URL) -> None:
    engine = create_async_engine(database_url)
    try:
        before = await _schema_snapshot(engine)
        assert any(row[0] == "statements" for row in before)

        await migrate(database_url, MIGRATIONS, "base", upgrade=False)
        emptied = await _schema_snapshot(engine)
        assert [row[0] for row in emptied] == ["alembic_version"]

        await migrate(database_url, MIGRATIONS)
        assert await _schema_snapshot(engine) == before
    finally:
        await engine.dispose()


async def test_search_configuration_folds_accents_and_stems(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        matched = await connection.scalar(
            text(
                "SELECT to_tsvector(eventgraph_search_config('fr'), 'Les évènements de Poutine') "
                "@@ websearch_to_tsquery(eventgraph_search_config('fr'), 'evenement poutine')"
            )
        )
        folded = await connection.scalar(text("SELECT eventgraph_fold('Évènement À PÉKIN')"))
        fallback = await connection.scalar(text("SELECT eventgraph_search_config('zh')::text"))
    assert matched is True
    assert folded == "evenement a pekin"
    assert fallback == "eventgraph_simple"
