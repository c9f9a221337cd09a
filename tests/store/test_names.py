"""The rule that picks the name to show for a language (api.store.names.best_name)."""

from typing import Any

import pytest

from api.store.names import best_name

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
