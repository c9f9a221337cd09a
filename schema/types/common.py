"""Small shared types: names in a language, count buckets, the rate limit."""

from datetime import datetime

import strawberry

from schema.fields import RowObject, column


@strawberry.type(description="A name or alias in one language.")
class LocalizedName(RowObject):
    value: str = column("The name, as written in that language.")
    language: str = column('Its BCP 47 language tag, such as "fr".')
    is_primary: bool = column("This is the name shown when no name matches the language asked for.")


@strawberry.type(description="A count of events for one value of a dimension.")
class Bucket(RowObject):
    key: str = column(
        'The value, stable and machine-readable: "2026", "2026-02", "MEETING", a slug.'
    )
    label: str = column('The value for people: "February 2026", a name.')
    count: int = column("How many events have that value.")


@strawberry.type(description="The caller's query-cost budget and what this query cost.")
class RateLimit(RowObject):
    limit: int = column("The budget of cost points per hour.")
    cost: int = column("What this query costs, computed from `first`/`last` before it ran.")
    remaining: int = column("What is left of the budget after this query.")
    reset_at: datetime = column("When the budget is next refilled.")
