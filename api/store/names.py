"""Which of an owner's names (or labels) to show for a language: one rule.

The candidates are the names whose tag is the language asked for (ignoring ASCII case), else
those sharing its primary subtag ("fr-CA" finds "fr"). The primary name wins when it is one of
them; otherwise the candidate listed first (the lowest `position`, the order of the fixture
file). With no language, or no candidate, the primary name. Said twice, in Python (for rows
already read) and in SQL (for JSON built by PostgreSQL); tests hold the two together.
"""

import string
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Text, func, select

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
    """The same rule in SQL: the name of the owner `owner_id` to show for `language`, as one
    ordered lookup among the owner's names (those of the language first, then those of its
    primary subtag; within them the primary name, then the first listed)."""
    name = names.names.alias()
    order: list[ColumnElement[Any]] = []
    if language is not None:
        wanted = ascii_lower(language.sql())
        tag = ascii_lower(name.c.language)
        order += [
            (tag == wanted).desc(),
            (func.split_part(tag, "-", 1) == func.split_part(wanted, "-", 1)).desc(),
        ]
    chosen = (
        select(name.c.value)
        .where(name.c[names.owner_column] == owner_id)
        .order_by(*order, name.c.is_primary.desc(), name.c.position)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(chosen, "", type_=Text)
