"""Small shared types: names in a language, count buckets, the rate limit."""

from datetime import datetime

import strawberry

from schema.fields import RowObject, column


@strawberry.type(description="A name or alias in one language.")
class LocalizedName(RowObject):
    value: str = column("value", "The name, as written in that language.")
    language: str = column("language", 'Its BCP 47 language tag, such as "fr".')
    is_primary: bool = column(
        "is_primary", "This is the name shown when no name matches the language asked for."
    )


@strawberry.type(description="A count of events for one value of a dimension.")
class Bucket(RowObject):
    key: str = column(
        "key", 'The value, stable and machine-readable: "2026", "2026-02", "MEETING", a slug.'
    )
    label: str = column("label", 'The value for people: "February 2026", a name.')
    count: int = column("count", "How many events have that value.")


@strawberry.type(description="The caller's query-cost budget and what this query cost.")
class RateLimit(RowObject):
    limit: int = column("limit", "The budget of cost points per hour.")
    cost: int = column("cost", "What this query costs, computed from `first`/`last` before it ran.")
    remaining: int = column("remaining", "What is left of the budget after this query.")
    reset_at: datetime = column("reset_at", "When the budget is next refilled.")
