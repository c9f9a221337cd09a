"""Limits and error codes: what runs around every operation, before and after execution.

Order of work per request: the token limit applies while parsing (cached); depth, aliases,
directives and (optionally) introspection are validation rules (cached with the document); the
query cost is computed from the document and the variables just before execution; at the end
every error gets its `extensions.code`, and unexpected ones are logged in full and masked.
"""

import logging
from collections.abc import Callable, Iterator
from typing import Any, cast

import asyncpg
from graphql import (
    ASTValidationRule,
    DirectiveNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    ValidationRule,
)
from sqlalchemy import exc as sqlalchemy_errors
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as create_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_rule

from api.settings import Settings
from api.store.errors import StoreInputError
from schema.context import RequestContext
from schema.cost import CostModel, query_cost
from schema.errors import ErrorCode, QueryTooComplexError

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Internal server error"
# graphql-core reports the token limit as a syntax error; this is its wording.
TOKEN_LIMIT_MESSAGE = "Document contains more than"


class _CodingValidationContext:
    """A validation context that stamps a code on every error a wrapped rule reports."""

    def __init__(self, context: ValidationContext, code: ErrorCode) -> None:
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code.value}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def coded_rule(rule: type[ASTValidationRule], code: ErrorCode) -> type[ValidationRule]:
    """`rule` (one that does its work on construction) with `code` on the errors it reports."""

    class CodedRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            rule(cast(ValidationContext, _CodingValidationContext(context, code)))

    CodedRule.__name__ = f"Coded{rule.__name__}"
    return CodedRule


def create_directives_rule(max_directives: int) -> type[ValidationRule]:
    """A rule refusing documents with more than `max_directives` directives."""

    class MaxDirectivesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            self.count += 1
            if self.count == max_directives + 1:
                self.report_error(
                    GraphQLError(
                        f"More than {max_directives} directives in the document.",
                        extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value},
                    )
                )

    return MaxDirectivesRule


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps (SQLAlchemy keeps the driver's error as a cause)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def code_of_exception(error: BaseException) -> ErrorCode:
    """The code an exception raised while resolving deserves."""
    causes = list(_causes(error))
    if any(isinstance(cause, StoreInputError) for cause in causes):
        return ErrorCode.BAD_USER_INPUT
    # statement_timeout: PostgreSQL cancels the statement (SQLSTATE 57014).
    if any(isinstance(cause, asyncpg.QueryCanceledError) for cause in causes):
        return ErrorCode.TIMEOUT
    unavailable = (
        OSError,
        asyncpg.PostgresConnectionError,
        asyncpg.CannotConnectNowError,
        asyncpg.ConnectionDoesNotExistError,
        asyncpg.TooManyConnectionsError,
        asyncpg.AdminShutdownError,
        asyncpg.InvalidCatalogNameError,
        asyncpg.InvalidAuthorizationSpecificationError,
        sqlalchemy_errors.TimeoutError,
        sqlalchemy_errors.DisconnectionError,
    )
    if any(isinstance(cause, unavailable) for cause in causes):
        return ErrorCode.SERVICE_UNAVAILABLE
    if isinstance(error, sqlalchemy_errors.DBAPIError) and error.connection_invalidated:
        return ErrorCode.SERVICE_UNAVAILABLE
    return ErrorCode.INTERNAL_SERVER_ERROR


MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.TIMEOUT: "The query took longer than the database allows; ask for less.",
    ErrorCode.SERVICE_UNAVAILABLE: "The database is unavailable; try again shortly.",
    ErrorCode.INTERNAL_SERVER_ERROR: MASKED_MESSAGE,
}


CODES = {code.value: code for code in ErrorCode}


def code_of(error: GraphQLError) -> ErrorCode | None:
    """The contract code an error already carries, if any."""
    code = (error.extensions or {}).get("code")
    return CODES.get(code) if isinstance(code, str) else None


def coded_error(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """`error` with its `extensions.code`; an unexpected one logged in full and masked."""
    if code_of(error) is not None:
        return error
    if isinstance(error, GraphQLSyntaxError):
        too_long = TOKEN_LIMIT_MESSAGE in error.message
        code = ErrorCode.QUERY_TOO_COMPLEX if too_long else ErrorCode.GRAPHQL_PARSE_FAILED
        error.extensions = {"code": code.value}
        return error
    original = error.original_error
    if error.path is None and (original is None or isinstance(original, GraphQLError | ValueError)):
        # Not raised by a resolver: the variables or the operation name do not fit the document.
        error.extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
        return error
    code = code_of_exception(original) if original is not None else ErrorCode.INTERNAL_SERVER_ERROR
    if code is ErrorCode.BAD_USER_INPUT:
        error.extensions = {"code": code.value}
        return error
    if code is ErrorCode.INTERNAL_SERVER_ERROR:
        log.error(
            "request %s: unexpected error at %s", request_id, error.path, exc_info=original or error
        )
    else:
        log.warning("request %s: %s at %s: %r", request_id, code.value, error.path, original)
    return GraphQLError(
        MESSAGES[code],
        nodes=error.nodes,
        path=error.path,
        extensions={"code": code.value},
    )


class ErrorCodes(SchemaExtension):
    """Gives every error its `extensions.code` and masks the unexpected ones.

    Runs first so that it sees the final errors of every phase. Strawberry's MaskErrors is not
    used because it drops `extensions`, which must survive masking.
    """

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            if code_of(error) is None:
                error.extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED.value}

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            request_id = _request_id(self.execution_context.context)
            result.errors = [coded_error(error, request_id) for error in errors]


def _request_id(context: object) -> str | None:
    return context.request_id if isinstance(context, RequestContext) else None


class KeepParseErrorsParserCache(ParserCache):
    """ParserCache that leaves a document it cannot parse to Strawberry's own parse step.

    ParserCache parses before the step's error handling; re-parsing there (only for invalid
    documents, which are never cached anyway) reports the error as a parse failure.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield


class QueryCostLimiter(SchemaExtension):
    """Computes the query cost before execution; refuses a query above the ceiling."""

    def __init__(self, model: CostModel, max_cost: int) -> None:
        self.model = model
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            cost = query_cost(
                context.schema._schema,
                document,
                context.operation_name,
                context.variables,
                self.model,
            )
            if isinstance(context.context, RequestContext):
                context.context.query_cost = cost
            if cost > self.max_cost:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        QueryTooComplexError(
                            f"This query costs {cost}, more than the {self.max_cost} allowed "
                            "per request: ask for smaller pages or fewer nested connections."
                        )
                    ],
                )
        yield


def create_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Per-request factories of the schema's extensions, in the order they must run.

    The validation rules are created once, here: ValidationCache keys its cache on them.
    """
    rules: list[type[ASTValidationRule]] = [
        coded_rule(create_depth_rule(settings.max_depth, None), ErrorCode.QUERY_TOO_COMPLEX),
        coded_rule(create_aliases_rule(settings.max_aliases), ErrorCode.QUERY_TOO_COMPLEX),
        create_directives_rule(settings.max_directives),
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    model = CostModel(settings.default_page_size, settings.max_page_size)
    return [
        ErrorCodes,
        lambda: MaxTokensLimiter(settings.max_tokens),
        lambda: KeepParseErrorsParserCache(maxsize=1_024),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=1_024),
        lambda: QueryCostLimiter(model, settings.max_query_cost),
    ]
