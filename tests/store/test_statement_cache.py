"""A connection keeps its statements prepared, the long compiled reads included: a statement
asyncpg does not cache is parsed and planned by PostgreSQL on every request."""

from api.store.statements import CACHEABLE_STATEMENT_BYTES, Database


async def test_a_statement_longer_than_asyncpgs_default_stays_prepared(
    database: Database,
) -> None:
    # Longer than asyncpg's default limit (15 KiB), as Q8's compiled read is (18 KB).
    statement = "SELECT $1::int /* " + "x" * 20_000 + " */"
    assert 15 * 1024 < len(statement) < CACHEABLE_STATEMENT_BYTES
    async with database.connection() as connection:
        for _ in range(2):
            assert await connection.fetchval(statement, 7) == 7
        prepared = await connection.fetchval(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", statement
        )
    assert prepared == 1
