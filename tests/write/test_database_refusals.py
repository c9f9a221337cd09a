"""What the database refuses that the checks could not see coming (a concurrent write took the
slug) is answered as the userError of the field whose column it is about."""

import asyncpg
import pytest

from api.write.errors import Argument, UserErrorCode
from api.write.service import database_refusal


@pytest.mark.parametrize(
    ("table", "column", "field"),
    [("events", "slug", ("slug",)), ("sources", "url", ("url",))],
)
async def test_a_unique_value_taken_is_a_duplicate_of_its_field(
    connection: asyncpg.Connection, table: str, column: str, field: tuple[str, ...]
) -> None:
    await connection.execute(
        "INSERT INTO sources (slug, title, publisher, language, url) "
        "VALUES ('a', 't', 'p', 'en', 'https://example.org/a')"
    )
    await connection.execute(
        "INSERT INTO events "
        "(slug, title, language, kind, format, status, start_date, date_precision) VALUES"
        "  ('a', 't', 'en', 'MEETING', 'UNKNOWN', 'HELD', '2026-01-01', 'DAY')"
    )
    columns = {
        "events": "(slug, title, language, kind, format, status, start_date, date_precision) "
        "VALUES ('a', 't', 'en', 'MEETING', 'UNKNOWN', 'HELD', '2026-01-01', 'DAY')",
        "sources": "(slug, title, publisher, language, url) "
        "VALUES ('b', 't', 'p', 'en', 'https://example.org/a')",
    }
    with pytest.raises(asyncpg.UniqueViolationError) as raised:
        await connection.execute(f"INSERT INTO {table} {columns[table]}")
    error = database_refusal(raised.value)
    assert (error.argument, error.field, error.code) == (
        Argument.INPUT,
        field,
        UserErrorCode.DUPLICATE,
    )
    assert column in error.message
