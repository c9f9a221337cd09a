"""Small shared types (names, locations, buckets, the rate limit) and how resolvers read rows."""

from datetime import datetime

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
