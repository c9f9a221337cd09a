"""Which of an owner's names (or labels) to show for a language: one rule.

The candidates are the names whose tag is the language asked for (ignoring ASCII case), else
those sharing its primary subtag ("fr-CA" finds "fr"). The primary name wins when it is one of
them; otherwise the candidate listed first (the lowest `position`, the order of the fixture
file). With no language, or no candidate, the primary name. Said twice, in Python (for rows
already read) and in SQL (for JSON built by PostgreSQL); tests hold the two together.
"""

import string
from collections.abc import Callable, Sequence
from uuid import UUID

from sqlalchemy import ColumnElement, FromClause, Text, func, select

from api.store.entities import NameField, Row
from api.store.params import Param, checked_text

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def language_key(tag: str) -> str:
    """A tag compared without ASCII case: BCP 47 tags are ASCII, and case-insensitive."""
    return tag.translate(ASCII_LOWER)


def primary_subtag(tag: str) -> str:
    return language_key(tag).split("-", 1)[0]


def best_name(names: Sequence[Row], language: str | None) -> str:
    """The name of `names` (name rows with value, language, is_primary, position) to show.
    `language` is checked as every text the store takes (SQL receives it as a parameter)."""
    if language is not None:
        checked_text(language)
    ranked = sorted(names, key=lambda row: (not row["is_primary"], row["position"]))
    if not ranked:
        return ""
    if language:
        wanted = language_key(language)
        exact = [row for row in ranked if language_key(row["language"]) == wanted]
        subtag = primary_subtag(language)
        candidates = exact or [row for row in ranked if primary_subtag(row["language"]) == subtag]
        if candidates:
            return str(candidates[0]["value"])
    return str(ranked[0]["value"])


def ascii_lower(text: ColumnElement[str]) -> ColumnElement[str]:
    return func.translate(text, string.ascii_uppercase, string.ascii_lowercase, type_=Text)


def best_name_sql(
    names: NameField, owner_id: ColumnElement[UUID], language: Param | None
) -> ColumnElement[str]:
    """The same rule in SQL: the name of the owner `owner_id` to show for `language`."""

    def first(condition: Callable[[FromClause], ColumnElement[bool]] | None) -> ColumnElement[str]:
        name = names.names.alias()
        chosen = select(name.c.value).where(name.c[names.owner_column] == owner_id)
        if condition is not None:
            chosen = chosen.where(condition(name))
        return chosen.order_by(name.c.is_primary.desc(), name.c.position).limit(1).scalar_subquery()

    if language is None:
        return func.coalesce(first(None), "", type_=Text)
    wanted = ascii_lower(language.sql())
    return func.coalesce(
        first(lambda name: ascii_lower(name.c.language) == wanted),
        first(
            lambda name: (
                func.split_part(ascii_lower(name.c.language), "-", 1)
                == func.split_part(wanted, "-", 1)
            )
        ),
        first(None),
        "",
        type_=Text,
    )
