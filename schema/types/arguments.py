"""The arguments every connection field takes, described once."""

from typing import Annotated

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(
        description="Return the first n items (at most 100; 20 when neither first nor last "
        "is given)."
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="Return the items after this cursor.")
]
Last = Annotated[
    int | None, strawberry.argument(description="Return the last n items (at most 100).")
]
Before = Annotated[
    str | None, strawberry.argument(description="Return the items before this cursor.")
]
