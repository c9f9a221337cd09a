"""The exposed schema: the root Query and the Date/DateTime scalars."""

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.extensions import create_extensions
from schema.scalars import SCALAR_MAP
from schema.types.query import Query


class EventgraphSchema(strawberry.Schema):
    """The Strawberry schema, without Strawberry's own error logging.

    Errors are logged once, by the ErrorCodes extension, with the request id and only when
    unexpected; Strawberry would log every user error (a bad cursor, a typo) with a traceback.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema() -> EventgraphSchema:
    """The schema. Its limits are applied before it runs, by `schema.execution`."""
    return EventgraphSchema(
        query=Query,
        extensions=create_extensions(),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
