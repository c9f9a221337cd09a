"""Which of an owner's names (or labels) to show for a language: one rule.

The candidates are the names whose tag is the language asked for (ignoring ASCII case), else
those sharing its primary subtag ("fr-CA" finds "fr"). The primary name wins when it is one of
them; otherwise the candidate listed first (the lowest `position`, the order of the fixture
file). With no language, or no candidate, the primary name. Said once, in SQL: both read paths
use it (the JSON documents inline it; Strawberry's fallback reads it through `Store.names`).
"""

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, Text, func, select

from api.store.entities import NameField
from api.store.params import Param


def names_owner(names: NameField) -> Table:
    """The table of the rows these names belong to (their owner column's foreign key)."""
    (key,) = names.names.c[names.owner_column].foreign_keys
    return key.column.table


def ascii_lower(text: ColumnElement[str]) -> ColumnElement[str]:
    # Under the "C" collation lower() maps only A-Z, whatever the database's locale; it costs
    # a fraction of translate(text, A-Z, a-z), evaluated on every name row a document orders.
    return func.lower(text.collate("C"), type_=Text)


def best_name(
    names: NameField, owner_id: ColumnElement[UUID], language: Param | None
) -> ColumnElement[str]:
    """The name of the owner `owner_id` to show for `language`, as one
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
