"""The rule that picks the name to show for a language (api.store.names.best_name), in the SQL
both read paths run, read through `Store.names`."""

from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import tables
from api.store.entities import PARTICIPANT_NAMES
from api.store.reads import Store

NAMES: list[dict[str, Any]] = [
    {"value": "New START", "language": "en", "is_primary": True, "position": 0},
    {"value": "START-III", "language": "fr", "is_primary": False, "position": 1},
    {"value": "nouveau traité", "language": "fr", "is_primary": False, "position": 2},
    {"value": "СНВ-III", "language": "ru", "is_primary": False, "position": 3},
    {"value": "New START", "language": "fr-CA", "is_primary": False, "position": 4},
    {"value": "Жаңа СТАРТ", "language": "kk", "is_primary": False, "position": 5},
]
# The same names, the primary listed last: within its language the primary still wins.
REVERSED = [{**name, "position": 9 - name["position"]} for name in NAMES]


@pytest.fixture
async def owners(engine: AsyncEngine) -> dict[str, Any]:
    """Participants named by NAMES, by REVERSED, and one with no names at all."""
    ids: dict[str, Any] = {}
    async with engine.begin() as connection:
        for slug, names in (("listed", NAMES), ("reversed", REVERSED), ("nameless", [])):
            result = await connection.execute(
                insert(tables.participants)
                .values(slug=slug, kind="PERSON")
                .returning(tables.participants.c.id)
            )
            ids[slug] = result.scalar_one()
            if names:
                await connection.execute(
                    insert(tables.participant_names),
                    [{**name, "participant_id": ids[slug]} for name in names],
                )
    return ids


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
        ("x", "New START"),
        ("fr-", "START-III"),
        ("KK", "Жаңа СТАРТ"),
        ("\u212a\u212a", "New START"),  # the Kelvin sign is not an ASCII K (Unicode lowers it to k)
    ],
)
async def test_the_first_listed_name_of_the_language_else_the_primary(
    store: Store, owners: dict[str, Any], language: str | None, expected: str
) -> None:
    found = await store.names(PARTICIPANT_NAMES, [owners["listed"]], language)
    assert found == {owners["listed"]: expected}


async def test_the_primary_wins_within_its_language_wherever_it_is_listed(
    store: Store, owners: dict[str, Any]
) -> None:
    reversed_ = owners["reversed"]
    assert await store.names(PARTICIPANT_NAMES, [reversed_], "en") == {reversed_: "New START"}
    assert await store.names(PARTICIPANT_NAMES, [reversed_], "fr") == {reversed_: "nouveau traité"}


async def test_no_names_give_an_empty_name(store: Store, owners: dict[str, Any]) -> None:
    nameless = owners["nameless"]
    assert await store.names(PARTICIPANT_NAMES, [nameless], "fr") == {nameless: ""}


async def test_one_statement_names_every_owner(store: Store, owners: dict[str, Any]) -> None:
    before = store.executed
    found = await store.names(PARTICIPANT_NAMES, list(owners.values()), "fr")
    assert store.executed == before + 1
    assert found == {
        owners["listed"]: "START-III",
        owners["reversed"]: "nouveau traité",
        owners["nameless"]: "",
    }
