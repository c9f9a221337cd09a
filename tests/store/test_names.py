"""The rule that picks the name to show for a language (api.store.names.best_name)."""

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from api.store.entities import PARTICIPANT_NAMES, Row
from api.store.names import best_name, best_name_sql
from api.store.params import Params, ParamType
from api.store.statements import Database, compile_statement
from tests.store.conftest import World

NAMES: list[dict[str, Any]] = [
    {"value": "New START", "language": "en", "is_primary": True, "position": 0},
    {"value": "START-III", "language": "fr", "is_primary": False, "position": 1},
    {"value": "nouveau traité", "language": "fr", "is_primary": False, "position": 2},
    {"value": "СНВ-III", "language": "ru", "is_primary": False, "position": 3},
    {"value": "New START", "language": "fr-CA", "is_primary": False, "position": 4},
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "New START"),
        ("", "New START"),
        ("en", "New START"),
        ("EN-gb", "New START"),
        ("fr", "START-III"),
        ("FR", "START-III"),
        ("fr-CA", "New START"),
        ("fr-BE", "START-III"),
        ("ru", "СНВ-III"),
        ("de", "New START"),
        ("\u212a", "New START"),  # the Kelvin sign is not an ASCII K
    ],
)
def test_the_first_listed_name_of_the_language_else_the_primary(
    language: str | None, expected: str
) -> None:
    assert best_name(NAMES, language) == expected


def test_the_primary_wins_within_its_language_wherever_it_is_listed() -> None:
    names = [{**name, "position": 9 - name["position"]} for name in NAMES]
    assert best_name(names, "en") == "New START"
    assert best_name(names, "fr") == "nouveau traité"


def test_no_names_give_an_empty_name() -> None:
    assert best_name([], "fr") == ""


LANGUAGES = [None, "", "en", "EN", "fr", "fr-CA", "fr-be", "ru", "zh", "de", "x", "\u212a", "fr-"]


async def test_sql_agrees_with_python_on_every_name_of_the_world(
    database: Database, world: World
) -> None:
    """best_name_sql picks what best_name picks, for every owner and every language."""
    async with database.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT participant_id, value, language, is_primary, position FROM participant_names"
        )
    by_owner: dict[UUID, list[Row]] = {}
    for row in rows:
        by_owner.setdefault(row["participant_id"], []).append(row)
    assert len(by_owner) > 5
    for language in LANGUAGES:
        for owner_id, owned in by_owner.items():
            params = Params()
            owner = params.add(owner_id, ParamType.UUID)
            wanted = None if language is None else params.add(language, ParamType.TEXT)
            statement = compile_statement(
                select(best_name_sql(PARTICIPANT_NAMES, owner.sql(), wanted))
            )
            async with database.pool.acquire() as connection:
                found = await connection.fetchval(
                    statement.sql, *statement.arguments(params.values)
                )
            assert found == best_name(owned, language), (language, owned)
