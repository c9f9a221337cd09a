"""/graphql over HTTP, as the GraphQL-over-HTTP specification asks.

POST takes `application/json` (`query`, `variables`, `operationName`, `extensions`); GET takes
the same as URL parameters, for queries only. The response is `application/graphql-response+json`
when the client accepts it (request errors then answer 400, without `data`), else
`application/json` (request errors answer 200, still without `data`). A request the database
fails answers 503 (with Retry-After) or 504. Every error body, whatever the status, is GraphQL
JSON with `extensions.code`.
"""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from schema.errors import CodedError, ErrorCode
from schema.execution.operation import GraphQLRequest, Operations, Outcome, request_error_body

log = logging.getLogger("eventgraph.requests")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RETRY_AFTER_SECONDS = "1"


class HTTPRequestError(Exception):
    """A request that is not a GraphQL request: refused with `status` before GraphQL sees it."""

    def __init__(
        self, status: int, message: str, code: ErrorCode = ErrorCode.BAD_USER_INPUT
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def error_response(
    status: int, message: str, code: ErrorCode, media_type: str = JSON, **headers: str
) -> Response:
    body = request_error_body([CodedError(message, code)])
    return Response(body, status, headers=headers, media_type=media_type)


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
    """A GraphQL request as it came over HTTP, checked."""

    query: str
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
    if not isinstance(query, str):
        raise HTTPRequestError(400, "The request needs a `query` string.")
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


async def read_parameters(request: Request) -> Parameters:
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
    body = await request.body()
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPRequestError(400, "The request body is not JSON.") from None
    return checked_parameters(raw)


class GraphQLEndpoint:
    """The ASGI endpoint of /graphql (POST and GET)."""

    def __init__(self, operations: Operations) -> None:
        self.operations = operations

    async def __call__(self, request: Request, request_id: str) -> Response:
        media_type = accepted_media_type(request.headers.get("accept"))
        if media_type is None:
            return error_response(
                406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.", ErrorCode.BAD_USER_INPUT
            )
        try:
            parameters = await read_parameters(request)
        except HTTPRequestError as error:
            return error_response(error.status, str(error), error.code, media_type)
        started = time.perf_counter()
        outcome = await self.operations.run(
            GraphQLRequest(parameters.query, parameters.variables, parameters.operation_name),
            request_id=request_id,
        )
        self._log(outcome, request_id, started)
        return self._response(outcome, media_type)

    def _response(self, outcome: Outcome, media_type: str) -> Response:
        headers: dict[str, str] = {}
        if outcome.failure is ErrorCode.SERVICE_UNAVAILABLE:
            status = 503
            headers["retry-after"] = RETRY_AFTER_SECONDS
        elif outcome.failure is ErrorCode.TIMEOUT:
            status = 504
        elif outcome.failure is ErrorCode.INTERNAL_SERVER_ERROR:
            status = 500
        elif outcome.request_error and media_type == GRAPHQL_RESPONSE:
            status = 400
        else:
            status = 200
        return Response(
            outcome.body, status, headers=headers, media_type=f"{media_type}; charset=utf-8"
        )

    def _log(self, outcome: Outcome, request_id: str, started: float) -> None:
        log.info(
            "graphql operation=%s compiled=%s cost=%s sql=%d codes=%s %.1fms request_id=%s",
            outcome.operation_name,
            outcome.compiled,
            outcome.cost.cost if outcome.cost else None,
            outcome.sql_statements,
            ",".join(outcome.codes) or "-",
            (time.perf_counter() - started) * 1000,
            request_id,
        )
