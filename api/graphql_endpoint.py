"""/graphql over HTTP, as the GraphQL-over-HTTP specification asks.

POST takes `application/json` (`query`, `variables`, `operationName`, `extensions`); GET takes
the same as URL parameters, for queries only (in production, for persisted queries named by their
hash alone). The response is `application/graphql-response+json` when the client accepts it
(request errors then answer 400, without `data`), else `application/json` (request errors
answer 200, still without `data`). A request the database fails answers 503 (with Retry-After)
or 504, as does one that takes longer than `request_timeout_seconds` in all, from its body to its
answer; an unexpected exception is logged with the request id and answered 500, masked. Every
error body, whatever the status, is GraphQL JSON with `extensions.code`.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from api.codes import ErrorCode
from api.logs import RequestFields
from api.metrics import (
    OperationKind,
    record_fallback,
    record_rate_limited,
    record_request,
    set_pool_usage,
)
from api.security.access import Access
from api.security.errors import AccessError, RateLimitedError
from api.security.keys import Principal
from api.security.persisted import etag_matches, requested_hash, response_etag
from api.settings import Settings
from api.store.errors import StoreError
from api.store.statements import ALONE
from schema.errors import MESSAGES, CodedError, code_of_exception
from schema.execution.operation import GraphQLRequest, Operations, Outcome, request_error_body

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RETRY_AFTER_SECONDS = "1"
STATUSES = {ErrorCode.TIMEOUT: 504, ErrorCode.INTERNAL_SERVER_ERROR: 500}
"""The status of a request that failed above the operation (its own failures carry theirs)."""

log = logging.getLogger(__name__)


class HTTPRequestError(Exception):
    """A request that is not a GraphQL request: refused with `status` before GraphQL sees it."""

    def __init__(
        self,
        status: int,
        message: str,
        code: ErrorCode = ErrorCode.BAD_USER_INPUT,
        **headers: str,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers


def error_response(
    status: int,
    message: str,
    code: ErrorCode,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
    settings: list[str] | None = None,
) -> Response:
    """One error; `settings` (the settings that change a limit) go in its extensions."""
    error = CodedError(message, code)
    if settings:
        error.extensions = {**(error.extensions or {}), "settings": settings}
    body = request_error_body([error])
    return Response(body, status, headers=headers, media_type=f"{media_type}; charset=utf-8")


def accepted_media_type(accept: str | None) -> str | None:
    """The response type for an Accept header: the GraphQL one when accepted, else JSON when
    accepted (or when there is no Accept), else None (406)."""
    if not accept:
        return JSON
    weights: dict[str, float] = {}
    for item in accept.split(","):
        kind, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[kind.lower()] = max(weights.get(kind.lower(), 0.0), weight)
    graphql = max(weights.get(GRAPHQL_RESPONSE, 0.0), 0.0)
    json = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    if graphql > 0 and graphql >= json:
        return GRAPHQL_RESPONSE
    if json > 0:
        return JSON
    return None


@dataclass(frozen=True)
class Parameters:
    """A GraphQL request as it came over HTTP, checked. `query` may be absent when the
    extensions name a persisted query."""

    query: str | None
    variables: Mapping[str, Any] | None
    operation_name: str | None
    extensions: Mapping[str, Any] | None


def checked_parameters(raw: Any) -> Parameters:
    if isinstance(raw, list):
        raise HTTPRequestError(400, "Batched requests (a JSON array) are not supported.")
    if not isinstance(raw, dict):
        raise HTTPRequestError(400, "The request body must be a JSON object.")
    query, variables = raw.get("query"), raw.get("variables")
    operation_name, extensions = raw.get("operationName"), raw.get("extensions")
    if query is not None and not isinstance(query, str):
        raise HTTPRequestError(400, "`query` must be a string.")
    if variables is not None and not isinstance(variables, dict):
        raise HTTPRequestError(400, "`variables` must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HTTPRequestError(400, "`operationName` must be a string.")
    if extensions is not None and not isinstance(extensions, dict):
        raise HTTPRequestError(400, "`extensions` must be a JSON object.")
    return Parameters(query, variables, operation_name, extensions)


def _json_parameter(request: Request, name: str) -> Any:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise HTTPRequestError(400, f"The `{name}` parameter is not JSON.") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes, as declared or as it streams in."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPRequestError(413, f"The request body is larger than {limit} bytes.")
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise HTTPRequestError(413, f"The request body is larger than {limit} bytes.")
            chunks.append(chunk)
    except ClientDisconnect:
        # Not an error of ours: the answer reaches no one, the log says what happened.
        raise HTTPRequestError(400, "The client went away before sending its body.") from None
    return b"".join(chunks)


async def read_parameters(request: Request, max_body_bytes: int) -> Parameters:
    if request.method == "GET":
        return checked_parameters(
            {
                "query": request.query_params.get("query"),
                "variables": _json_parameter(request, "variables"),
                "operationName": request.query_params.get("operationName"),
                "extensions": _json_parameter(request, "extensions"),
            }
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise HTTPRequestError(415, f"POST a body of type {JSON}, not {content_type or 'none'}.")
    body = await read_body(request, max_body_bytes)
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        # orjson also refuses lone surrogates and nesting deeper than 1,024 levels here.
        raise HTTPRequestError(400, f"The request body is not JSON: {error}.") from None
    return checked_parameters(raw)


class GraphQLEndpoint:
    """/graphql (POST and GET): who calls, which document, then the operation, charged."""

    def __init__(self, operations: Operations, access: Access, settings: Settings) -> None:
        self.operations = operations
        self.access = access
        self.settings = settings

    async def __call__(self, request: Request, request_id: str) -> Response:
        started = time.perf_counter()
        media_type = accepted_media_type(request.headers.get("accept"))
        if media_type is None:
            return error_response(
                406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.", ErrorCode.BAD_USER_INPUT
            )
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                return await self._answer(request, request_id, media_type, started)
        except TimeoutError:
            log.warning("request %s: past the whole-request timeout", request_id)
            seconds = self.settings.request_timeout_seconds
            message = f"The request took longer than the {seconds:g} s a request may take."
            code = ErrorCode.TIMEOUT
        except Exception:
            log.exception("request %s: unexpected error", request_id)
            code = ErrorCode.INTERNAL_SERVER_ERROR
            message = MESSAGES[code]
        response = error_response(STATUSES[code], message, code, media_type)
        self._record(request, response, None, None, request_id, started, code.value)
        return response

    async def _answer(
        self, request: Request, request_id: str, media_type: str, started: float
    ) -> Response:
        principal: Principal | None = None
        mutation = False
        try:
            parameters = await read_parameters(request, self.settings.max_body_bytes)
            if request.method == "GET" and parameters.query is not None:
                self._check_get()
            client = request.client.host if request.client else None
            principal = await self.access.principal(request.headers.get("authorization"), client)
            query = await self.access.document(principal, parameters.query, parameters.extensions)
            author = None
            mutation = self.operations.is_mutation(query, parameters.operation_name)
            if mutation:
                if request.method == "GET":
                    # GraphQL over HTTP: a GET must not change anything.
                    raise HTTPRequestError(405, "Send mutations with POST.", allow="POST")
                author = self.access.author(principal)
            async with self.access.slot(principal) as alone:
                reserve = ALONE.set(alone)  # its reads may use the pool's reserve
                try:
                    outcome = await self.operations.run(
                        GraphQLRequest(query, parameters.variables, parameters.operation_name),
                        request_id=request_id,
                        charge=partial(self.access.charge, principal),
                        joined=self.access.joined_debit(principal),
                        author=author,
                    )
                finally:
                    ALONE.reset(reserve)
        except HTTPRequestError as error:
            response = error_response(
                error.status, str(error), error.code, media_type, error.headers
            )
            self._record(
                request, response, None, principal, request_id, started, error.code.value, mutation
            )
            return response
        except StoreError as error:
            # The database failed the access control (the key lookup, the budget).
            code = code_of_exception(error)
            status, headers = (
                (504, {})
                if code is ErrorCode.TIMEOUT
                else (503, {"Retry-After": RETRY_AFTER_SECONDS})
            )
            response = error_response(status, MESSAGES[code], code, media_type, headers)
            self._record(
                request, response, None, principal, request_id, started, code.value, mutation
            )
            return response
        except AccessError as error:
            settings = None
            if isinstance(error, RateLimitedError):
                record_rate_limited(principal.name if principal else "unknown")
                settings = error.settings
            response = error_response(
                error.status,
                error.message,
                error.code,
                media_type,
                error.headers,
                settings,
            )
            self._record(
                request, response, None, principal, request_id, started, error.code.value, mutation
            )
            return response
        response = self._response(request, parameters, outcome, media_type)
        self._record(request, response, outcome, principal, request_id, started, None, mutation)
        return response

    def _check_get(self) -> None:
        """In production a GET names a persisted query by its hash alone: a query text
        belongs in a POST, where it is neither logged by proxies nor cached by URL, and which
        a page of another site cannot send without CORS's consent."""
        if not self.settings.is_development:
            raise HTTPRequestError(
                405,
                "GET runs persisted queries named by their hash alone here: POST the query.",
                allow="POST",
            )

    def _response(
        self, request: Request, parameters: Parameters, outcome: Outcome, media_type: str
    ) -> Response:
        headers: dict[str, str] = dict(outcome.charge.headers) if outcome.charge else {}
        if outcome.failure is ErrorCode.SERVICE_UNAVAILABLE:
            status = 503
            headers["Retry-After"] = RETRY_AFTER_SECONDS
        elif outcome.failure is ErrorCode.TIMEOUT:
            status = 504
        elif outcome.failure is ErrorCode.INTERNAL_SERVER_ERROR:
            status = 500
        elif outcome.request_error and media_type == GRAPHQL_RESPONSE:
            status = 400
        else:
            status = 200
        content_type = f"{media_type}; charset=utf-8"
        cacheable = (
            request.method == "GET"
            and status == 200
            and outcome.data is not None
            and not outcome.codes
            and requested_hash(parameters.extensions) is not None
        )
        if cacheable and outcome.data is not None:
            # The data decides: the cost numbers around it change with every request.
            etag = f"W/{response_etag(outcome.data)}"
            headers.update(
                {
                    "ETag": etag,
                    "Cache-Control": self.settings.persisted_query_cache_control,
                    "Vary": "Authorization",
                }
            )
            if etag_matches(request.headers.get("if-none-match"), etag):
                return Response(status_code=304, headers=headers)
        return Response(outcome.body, status, headers=headers, media_type=content_type)

    def _record(
        self,
        request: Request,
        response: Response,
        outcome: Outcome | None,
        principal: Principal | None,
        request_id: str,
        started: float,
        refusal: str | None = None,
        mutation: bool = False,
    ) -> None:
        """Count the request in the metrics, and give the request's log record its fields."""
        codes = outcome.codes if outcome is not None else [refusal] if refusal else []
        cost = outcome.cost.cost if outcome is not None and outcome.cost else None
        sql = outcome.sql_statements if outcome is not None else 0
        database = self.operations.database
        set_pool_usage(database.in_use, database.waiting)
        record_request(
            OperationKind.MUTATION if mutation else OperationKind.QUERY,
            response.status_code,
            time.perf_counter() - started,
            cost=cost,
            sql_statements=sql,
            error_codes=codes,
        )
        compiled = outcome is not None and outcome.compiled
        # A mutation runs through Strawberry by design: not a fallback of the compiled path.
        if outcome is not None and not compiled and not outcome.request_error and not mutation:
            record_fallback()
        fields: RequestFields = {"sql_statements": sql, "compiled": compiled}
        if mutation:
            fields["mutation"] = True
        if outcome is not None and outcome.operation_name:
            fields["operation"] = outcome.operation_name
        if principal is not None:
            fields["key"] = principal.name
        if cost is not None:
            fields["cost"] = cost
        if codes:
            fields["codes"] = codes
        request.state.log = fields
