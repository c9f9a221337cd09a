"""Small shared types (names, locations, buckets, the rate limit) and how resolvers read rows."""

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache

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
    """The best of `names` (name rows) for `language`, else the primary name."""
    primary = next((row for row in names if row["is_primary"]), names[0] if names else None)
    if primary is None:
        return ""
    if not language or len(names) < 2:
        return str(primary["value"])
    others = tuple((str(row["value"]), str(row["language"])) for row in names if row is not primary)
    return _best_name(str(primary["value"]), str(primary["language"]), others, language.lower())


@lru_cache(maxsize=8_192)
def _best_name(
    primary: str, primary_language: str, others: tuple[tuple[str, str], ...], wanted: str
) -> str:
    """Candidates: the names with exactly that tag (case-insensitive), else those with its primary
    subtag ("fr-CA" finds "fr"). The primary name wins when it is one of them. Otherwise names
    carry no order within a language, so the candidate closest to the primary name wins: the
    primary name as that language writes it ("Russie" for Russia, not "Moscou"; "Vladimir
    Poutine", not "M. Poutine"), the longest on a tie. Cached: a page repeats its speakers.
    """
    names = ((primary, primary_language.lower()), *((v, t.lower()) for v, t in others))
    candidates = [name for name in names if name[1] == wanted]
    if not candidates:
        subtag = _primary_subtag(wanted)
        candidates = [name for name in names if _primary_subtag(name[1]) == subtag]
    if not candidates or candidates[0] is names[0]:
        return primary
    reference = _folded(primary)

    def closeness(name: tuple[str, str]) -> tuple[float, int]:
        return SequenceMatcher(None, reference, _folded(name[0])).ratio(), len(name[0])

    return max(candidates, key=closeness)[0]


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
