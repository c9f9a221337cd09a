"""One GraphQL request, start to end: prepare, plan, cost, then run it compiled or through
Strawberry.

1. The document is parsed and validated once per text (`documents.py`), the operation picked,
   the variables coerced: a failure here is a *request error* (no `data`).
2. The plan (`plan.py`) is cached per document, operation and `@skip`/`@include` values; the
   cost (`cost.py`) walks it with the variables, against the per-request ceilings, then each
   string and list argument is held to its limit (`schema.input_limits`).
3. Only then is the budget debited: where reads go to the primary (where budgets live), a
   compiled query's debit, document and actual cost are one statement
   (`api.security.budgets.metered_statement`: the document runs only when the bucket holds the
   cost, and the bucket is charged the actual cost); otherwise (reads on a replica, a query
   that reads `rateLimit`, Strawberry's path, a mutation) the debit is a statement of its own,
   first, and the actual cost is the requested one.
4. The compiled path (`compiler.py`) turns the plan into one statement whose JSON PostgreSQL
   builds; the response is that JSON wrapped, never parsed in Python. What the compiled path
   declines (introspection, a field without a declaration, anything that would be an error)
   runs through Strawberry's own execution, counted in `fallbacks`.

Both paths answer the same bytes' worth of JSON for the same request (a differential test
holds them together); the database failing fails the whole request (SERVICE_UNAVAILABLE or
TIMEOUT, no `data`), whichever path ran.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from graphql.execution.values import VariableValues, get_variable_values

from api.charge import Charge, JoinedDebit
from api.codes import ErrorCode
from api.settings import Settings
from api.store.errors import StoreTimeoutError, StoreUnavailableError
from api.store.reads import Store
from api.store.statements import Database
from api.write.service import Author, Writer
from schema.context import RequestContext
from schema.errors import MESSAGES, CodedError, code_of
from schema.execution.compiler import Declined, RequestValues, compile_data
from schema.execution.cost import QueryCost, query_cost, refusal
from schema.execution.documents import DocumentCache, PreparedDocument
from schema.execution.plan import OperationPlan, PlanCache, plan_operation
from schema.fields import RootRead
from schema.input_limits import input_refusal
from schema.schema import graphql_core_schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


@dataclass
class Outcome:
    """The response to one request, and what the HTTP layer and the logs want to know of it."""

    body: bytes
    data: bytes | None = None
    """The JSON of `data` alone, when the operation ran."""
    request_error: bool = False
    """Refused before execution: the response has no `data`."""
    failure: ErrorCode | None = None
    """SERVICE_UNAVAILABLE, TIMEOUT or INTERNAL_SERVER_ERROR: the whole request failed."""
    compiled: bool = False
    cost: QueryCost | None = None
    charge: Charge | None = None
    sql_statements: int = 0
    operation_name: str | None = None
    codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Refusal:
    """Why a request may not run (a request error: no `data`), and its cost when known."""

    errors: list[GraphQLError]
    cost: QueryCost | None = None


Charger = Callable[[int], Awaitable[Charge]]
"""Debits a request's cost from its client's budget (RateLimitedError when it cannot)."""


def _formatted(errors: list[GraphQLError]) -> list[Any]:
    return [error.formatted for error in errors]


def request_error_body(errors: list[GraphQLError]) -> bytes:
    return orjson.dumps({"errors": _formatted(errors)})


def cost_extension(cost: QueryCost, charge: Charge, actual: int) -> dict[str, Any]:
    """`extensions.cost` of a response: what the query asked of the budget before it ran, what
    it actually cost (what the budget was charged, where the two differ), and what the budget
    holds now."""
    return {
        "cost": {
            "requestedQueryCost": cost.cost,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": charge.limit,
                "currentlyAvailable": charge.remaining,
                "restoreRate": charge.restore_per_second,
            },
        }
    }


class Operations:
    """Runs GraphQL requests against one schema, settings and database."""

    def __init__(self, schema: strawberry.Schema, settings: Settings, database: Database) -> None:
        self.schema = schema
        self.graphql_schema = graphql_core_schema(schema)
        self.settings = settings
        self.database = database
        self.documents = DocumentCache(self.graphql_schema, settings)
        self.plans = PlanCache()
        self.writer = Writer(database, settings)
        self.fallbacks = 0
        """Requests the compiled path declined (Strawberry ran them)."""

    async def run(
        self,
        request: GraphQLRequest,
        *,
        request_id: str,
        charge: Charger | None = None,
        joined: JoinedDebit | None = None,
        compiled: bool = True,
        author: Author | None = None,
    ) -> Outcome:
        """Answer `request`; `charge` debits its cost once known (unmetered without one), or
        `joined` in the compiled query's own statement when it is given; `compiled=False`
        runs Strawberry's execution whatever the plan; `author` is who a mutation writes as
        (None: mutations are refused)."""
        checked = self._checked(request, OperationType.QUERY)
        if isinstance(checked, Refusal):
            return self._refused(checked.errors, request, checked.cost)
        plan, variables, cost = checked
        charged: Charge | None = None
        if joined is not None and compiled and _joins(plan):
            metered = await self._joined(
                plan, variables, cost, joined, charge or self._unmetered, request, request_id
            )
            if isinstance(metered, Outcome):
                return metered
            charged = metered
        if charged is None:
            charged = await (charge or self._unmetered)(cost.cost)
        rate_limit = {
            "limit": charged.limit,
            "cost": charged.cost,
            "remaining": charged.remaining,
            "reset_at": charged.reset_at,
        }
        extensions = cost_extension(cost, charged, cost.cost)
        store = Store(self.database, self.settings)
        try:
            outcome = None
            if compiled and plan.declined is None:
                outcome = await self._compiled(
                    plan, variables, store, rate_limit, extensions, request
                )
            if outcome is None:
                self.fallbacks += 1
                outcome = await self._strawberry(
                    request, store, rate_limit, extensions, request_id, author
                )
        except Exception as error:
            return self._failure(error, store, request, request_id)
        outcome.cost = cost
        outcome.charge = charged
        return outcome

    def is_mutation(self, query: str, operation_name: str | None) -> bool:
        """Whether `query`'s operation (named `operation_name`) is a mutation; False when the
        document has no such operation (`run` refuses it)."""
        operation = self.documents.prepare(query).operation(operation_name)
        return operation is not None and operation.operation is OperationType.MUTATION

    def subscription_cost(self, request: GraphQLRequest) -> int | Refusal:
        """What each delivery of a subscription costs: its selection's cost as a query's (the
        lists read below the change, at least 1); or why it may not run, by the same checks
        as a query's."""
        checked = self._checked(request, OperationType.SUBSCRIPTION)
        return checked if isinstance(checked, Refusal) else checked[2].cost

    def _checked(
        self, request: GraphQLRequest, kind: OperationType
    ) -> tuple[OperationPlan, VariableValues, QueryCost] | Refusal:
        """The plan, variables and cost of a request of operations of `kind` (QUERY
        stands for what POST /graphql runs: queries and mutations), or why it may not run."""
        prepared = self.documents.prepare(request.query)
        if prepared.errors:
            return Refusal(list(prepared.errors))
        operation = prepared.operation(request.operation_name)
        if operation is None:
            message = (
                f"Unknown operation named '{request.operation_name}'."
                if request.operation_name
                else "Must provide operation name if query contains multiple operations."
            )
            return Refusal([CodedError(message, ErrorCode.BAD_USER_INPUT)])
        if (operation.operation is OperationType.SUBSCRIPTION) != (
            kind is OperationType.SUBSCRIPTION
        ):
            message = (
                "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)."
                if kind is OperationType.QUERY
                else "Only subscriptions run over WebSocket: send queries with POST /graphql."
            )
            return Refusal([CodedError(message, ErrorCode.BAD_USER_INPUT)])
        variables = get_variable_values(
            self.graphql_schema,
            operation.variable_definitions or (),
            dict(request.variables or {}),
            max_errors=20,
            hide_suggestions=not self.settings.is_development,
        )
        if isinstance(variables, list):
            for error in variables:
                error.extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
            return Refusal(variables)
        plan = self._plan(request, prepared, operation, variables)
        cost = query_cost(plan, variables, self.settings)
        refused = refusal(cost, self.settings) or input_refusal(plan, variables)
        if refused is not None:
            return Refusal([refused], cost)
        return plan, variables, cost

    def _plan(
        self,
        request: GraphQLRequest,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> OperationPlan:
        assert prepared.document is not None
        coerced = variables.coerced
        key = (
            request.query,
            request.operation_name,
            tuple(bool(coerced.get(name)) for name in prepared.inclusions),
        )
        plan = self.plans.get(key)
        if plan is None:
            plan = plan_operation(self.schema, prepared.document, operation, coerced)
            self.plans.put(key, plan)
            if plan.declined is not None:
                log.info("the compiled path declines %s: %s", request.operation_name, plan.declined)
        return plan

    async def _unmetered(self, cost: int) -> Charge:
        """The charge of a request no budget meters (tools, tests): the anonymous budget's
        numbers, as if this query were the first of the hour."""
        limit = self.settings.anonymous_cost_budget
        now = datetime.now(UTC)
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return Charge(cost, limit, max(limit - cost, 0), next_hour, limit / 3600, {})

    async def _compiled(
        self,
        plan: OperationPlan,
        variables: VariableValues,
        store: Store,
        rate_limit: dict[str, Any],
        extensions: dict[str, Any],
        request: GraphQLRequest,
    ) -> Outcome | None:
        values = RequestValues(self.settings, datetime.now(UTC).date(), rate_limit)
        try:
            data, params = compile_data(plan, variables, values)
        except Declined as declined:
            log.debug("compiled path declined: %s", declined)
            return None
        body = await store.document(data, params)
        if body is None:
            log.debug("compiled path declined: the database refused the document")
            return None
        return Outcome(
            b'{"data":' + body + b',"extensions":' + orjson.dumps(extensions) + b"}",
            data=body,
            compiled=True,
            sql_statements=store.executed,
            operation_name=request.operation_name,
        )

    async def _joined(
        self,
        plan: OperationPlan,
        variables: VariableValues,
        cost: QueryCost,
        joined: JoinedDebit,
        charge: Charger,
        request: GraphQLRequest,
        request_id: str,
    ) -> Outcome | Charge | None:
        """The compiled query in its debit's statement: its outcome; or, when the database
        declines the document (an expired feed cursor) after taking its cost, the charge, for
        Strawberry's path to answer under; None when the compiled path declines it. A refused
        debit raises (from `joined.settle`): nothing was taken. A statement cut short (a
        timeout, the request's deadline) took nothing either: the request is then charged its
        cost by `charge`, as a request whose debit comes first is."""
        values = RequestValues(self.settings, datetime.now(UTC).date(), {})
        try:
            data, params = compile_data(plan, variables, values)
        except Declined as declined:
            log.debug("compiled path declined: %s", declined)
            return None
        store = Store(self.database, self.settings)
        actual = (cost.actual.fixed, cost.actual.per_row)
        try:
            row = await store.metered_document(data, params, actual, joined, cost.cost)
        except BaseException as error:
            if not isinstance(error, StoreUnavailableError):
                # It ran, or may have: charged. Whatever this debit answers (refused, failed),
                # the answer is the failure.
                with contextlib.suppress(Exception):
                    await asyncio.shield(charge(cost.cost))
            if not isinstance(error, Exception):
                raise
            return self._failure(error, store, request, request_id)
        charged = joined.settle(cost.cost, None if row is None else (row[0], row[1]))
        body: bytes | None = row[2]
        if body is None:
            log.debug("compiled path declined: the database refused the document")
            return charged
        extensions = cost_extension(cost, charged, row[3])
        return Outcome(
            b'{"data":' + body + b',"extensions":' + orjson.dumps(extensions) + b"}",
            data=body,
            compiled=True,
            cost=cost,
            charge=charged,
            sql_statements=store.executed,
            operation_name=request.operation_name,
        )

    def _failure(
        self, error: Exception, store: Store, request: GraphQLRequest, request_id: str
    ) -> Outcome:
        """The outcome of a request whose execution raised `error`."""
        if isinstance(error, StoreTimeoutError):
            return self._failed(ErrorCode.TIMEOUT, MESSAGES[ErrorCode.TIMEOUT], store, request)
        if isinstance(error, StoreUnavailableError):
            message = MESSAGES[ErrorCode.SERVICE_UNAVAILABLE]
            return self._failed(ErrorCode.SERVICE_UNAVAILABLE, message, store, request)
        # Strawberry's execution masks its own; this is the compiled path's: logged in full,
        # answered without a detail.
        log.error("request %s: unexpected error", request_id, exc_info=error)
        message = MESSAGES[ErrorCode.INTERNAL_SERVER_ERROR]
        return self._failed(ErrorCode.INTERNAL_SERVER_ERROR, message, store, request)

    async def _strawberry(
        self,
        request: GraphQLRequest,
        store: Store,
        rate_limit: dict[str, Any],
        extensions: dict[str, Any],
        request_id: str,
        author: Author | None,
    ) -> Outcome:
        context = RequestContext(
            settings=self.settings,
            store=store,
            request_id=request_id,
            rate_limit=rate_limit,
            writer=self.writer,
            author=author,
        )
        result = await self.schema.execute(
            request.query,
            variable_values=dict(request.variables or {}),
            context_value=context,
            operation_name=request.operation_name,
        )
        errors = list(result.errors or ())
        failure = _failure(errors)
        if failure is not None:
            return self._failed(failure, MESSAGES[failure], store, request)
        response: dict[str, Any] = {"data": result.data}
        if errors:
            response["errors"] = _formatted(errors)
        response["extensions"] = extensions
        return Outcome(
            orjson.dumps(response),
            data=orjson.dumps(result.data),
            sql_statements=store.executed,
            operation_name=request.operation_name,
            codes=[code.value for error in errors if (code := code_of(error)) is not None],
        )

    def _refused(
        self, errors: list[GraphQLError], request: GraphQLRequest, cost: QueryCost | None = None
    ) -> Outcome:
        return Outcome(
            request_error_body(errors),
            request_error=True,
            cost=cost,
            operation_name=request.operation_name,
            codes=[code.value for error in errors if (code := code_of(error)) is not None],
        )

    def _failed(
        self, code: ErrorCode, message: str, store: Store, request: GraphQLRequest
    ) -> Outcome:
        return Outcome(
            request_error_body([CodedError(message, code)]),
            failure=code,
            sql_statements=store.executed,
            operation_name=request.operation_name,
            codes=[code.value],
        )


def _joins(plan: OperationPlan) -> bool:
    """Whether a compiled query may run in its debit's statement: a query that does not read
    `rateLimit` (whose numbers are the debit's answer, known only after it)."""
    return (
        plan.operation.operation is OperationType.QUERY
        and plan.declined is None
        and not any(
            isinstance(field.read, RootRead) and field.read.name == "rateLimit"
            for field in plan.fields
        )
    )


def _failure(errors: list[GraphQLError]) -> ErrorCode | None:
    """SERVICE_UNAVAILABLE or TIMEOUT when the database failed a field: the whole request fails."""
    for error in errors:
        code = code_of(error)
        if code in (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.TIMEOUT):
            return code
    return None
