"""Small shared types (names, locations, buckets, the rate limit) and how resolvers read rows."""

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from difflib import SequenceMatcher

import strawberry

from api.store.entities import Row
from schema.context import RequestContext

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="A name or alias in one language.")
class LocalizedName:
    value: str = strawberry.field(description="The name, as written in that language.")
    language: str = strawberry.field(description='Its BCP 47 language tag, such as "fr".')
    is_primary: bool = strawberry.field(
        description="This is the name shown when no name matches the language asked for."
    )

    @classmethod
    def from_row(cls, row: Row) -> "LocalizedName":
        return cls(value=row["value"], language=row["language"], is_primary=row["is_primary"])


def _primary_subtag(language: str) -> str:
    return language.split("-", 1)[0].lower()


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def best_name(names: Sequence[Row], language: str | None) -> str:
    """The best of `names` for `language`, else the primary name.

    Candidates: the names with exactly that tag (case-insensitive), else those with its primary
    subtag ("fr-CA" finds "fr"). The primary name wins when it is one of them. Otherwise names
    carry no order within a language, so the candidate closest to the primary name wins: the
    primary name as that language writes it ("Russie" for Russia, not "Moscou"; "Vladimir
    Poutine", not "M. Poutine"), the longest on a tie.
    """
    primary: str | None = next((row["value"] for row in names if row["is_primary"]), None)
    fallback = primary if primary is not None else (str(names[0]["value"]) if names else "")
    if not language:
        return fallback
    wanted = language.lower()
    candidates = [row for row in names if row["language"].lower() == wanted]
    if not candidates:
        subtag = _primary_subtag(wanted)
        candidates = [row for row in names if _primary_subtag(row["language"]) == subtag]
    if not candidates:
        return fallback
    if any(row["is_primary"] for row in candidates):
        return fallback
    reference = _folded(fallback)

    def closeness(row: Row) -> tuple[float, int]:
        value = str(row["value"])
        return SequenceMatcher(None, reference, _folded(value)).ratio(), len(value)

    return str(max(candidates, key=closeness)["value"])


@strawberry.type(description="A count of events for one value of a dimension.")
class Bucket:
    key: str = strawberry.field(
        description='The value, stable and machine-readable: "2026", "2026-02", "MEETING", a slug.'
    )
    label: str = strawberry.field(description='The value for people: "February 2026", a name.')
    count: int = strawberry.field(description="How many events have that value.")


@strawberry.type(description="The caller's query-cost budget and what this query cost.")
class RateLimit:
    limit: int = strawberry.field(description="The budget of cost points per hour.")
    cost: int = strawberry.field(
        description="What this query costs, computed from `first`/`last` before it ran."
    )
    remaining: int = strawberry.field(description="What is left of the budget after this query.")
    reset_at: datetime = strawberry.field(description="When the budget is next refilled.")
