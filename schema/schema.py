"""The exposed schema: the root Query, the Date/DateTime scalars, limits and error codes."""

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.settings import Settings
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


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema, with the limits of `settings` (the environment's when not given)."""
    return EventgraphSchema(
        query=Query,
        extensions=create_extensions(settings or Settings()),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
