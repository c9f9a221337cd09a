"""The exposed schema: the root Query, Mutation and Subscription, and the Date/DateTime scalars."""

import strawberry
from graphql import GraphQLError, GraphQLSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.extensions import create_extensions
from schema.mutation import Mutation
from schema.scalars import SCALAR_MAP
from schema.subscription import Subscription
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


def build_schema(*, mutation: bool = True) -> EventgraphSchema:
    """The schema (without Mutation: the read schema, which tests draw queries from). Its
    limits are applied before it runs, by `schema.execution`."""
    return EventgraphSchema(
        query=Query,
        mutation=Mutation if mutation else None,
        subscription=Subscription,
        extensions=create_extensions(),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


def graphql_core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """graphql-core's schema under a Strawberry schema, which the compiled path plans, validates
    and coerces against.

    Strawberry (0.341) offers no public accessor for it, only the attribute `_schema`: this is
    the one place the project reads it, so that a Strawberry upgrade that renames it breaks here
    alone.
    """
    core: GraphQLSchema = schema._schema
    return core
