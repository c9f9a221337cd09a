"""The ASGI application: /graphql (over HTTP, and over WebSocket for subscriptions), /export,
/healthz, /readyz, /metrics (when public), request ids and CORS.

Every error the application answers, whatever its status (an unknown path, a method a route does
not take, a refused CORS preflight, a body too large, an unexpected exception), is a GraphQL
error body with `extensions.code`, as /graphql's own are.
"""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import URL
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from api.codes import ErrorCode
from api.db.migrations import migrations_head
from api.db.server import to_async_url, to_asyncpg_dsn
from api.export import Exporter
from api.graphql_endpoint import GraphQLEndpoint
from api.ide.page import ASSETS_PATH, ide_routes
from api.logs import RequestFields
from api.metrics import metrics_endpoint
from api.security.access import Access
from api.settings import Settings
from api.store.statements import Database, close_database, open_database
from api.subscriptions.endpoint import SubscriptionEndpoint
from api.subscriptions.hub import ChangeHub
from schema.errors import MESSAGES
from schema.execution.operation import Operations
from schema.schema import build_schema

log = logging.getLogger("eventgraph.requests")

REQUEST_ID_HEADER = "x-request-id"
# A caller's request id is echoed only when it is short and plain, so logs stay readable.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
READINESS_TIMEOUT_SECONDS = 2.0
ROUTINE_PATHS = ("/healthz", "/readyz", "/metrics", f"{ASSETS_PATH}/")
"""Requests logged at DEBUG when they succeed: health checks, metric scrapes, the IDE's files."""


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", ""))


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (or makes one), returns it, and logs each request:
    one JSON record, with what the endpoint added to `scope["state"]["log"]` (the operation,
    the key, the cost, the SQL statements)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given if ACCEPTABLE_REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            fields: RequestFields = state.get("log", {})
            fields["request_id"] = request_id
            fields["status"] = status
            fields["duration_ms"] = duration_ms
            # Probes, scrapes and the IDE's files would bury the requests a person reads.
            routine = status < 400 and scope["path"].startswith(ROUTINE_PATHS)
            level = logging.DEBUG if routine else logging.INFO
            log.log(level, "%s %s %s", scope["method"], scope["path"], status, extra=fields)


def error_response(
    status: int, message: str, code: ErrorCode, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A response of one GraphQL error, without `data`: nothing ran."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code.value}}]},
        status_code=status,
        headers=headers,
    )


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such path: 404, a method the route does not take: 405)."""
    assert isinstance(error, HTTPException)
    code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_USER_INPUT
    return error_response(error.status_code, error.detail, code, error.headers)


async def unexpected_error(request: Request, error: Exception) -> Response:
    """An exception no layer below handled: masked here; the server logs its traceback."""
    request_id = request_id_of(request.scope)
    log.error("request %s: unexpected error", request_id, exc_info=error)
    return error_response(
        500,
        MESSAGES[ErrorCode.INTERNAL_SERVER_ERROR],
        ErrorCode.INTERNAL_SERVER_ERROR,
        {REQUEST_ID_HEADER: request_id} if request_id else None,
    )


class JSONRefusalCORS:
    """Starlette's `CORSMiddleware`, wrapped so that a preflight it refuses (in plain text) is
    answered as every other error is: JSON with a code, FORBIDDEN for an origin not allowed,
    BAD_USER_INPUT for a method or headers not allowed. Its `Access-Control-*` headers stay."""

    def __init__(self, app: ASGIApp, /, **options: Any) -> None:
        self.cors = CORSMiddleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        origin = headers.get("origin") if headers is not None else None
        if (
            headers is None
            or origin is None
            or scope["method"] != "OPTIONS"
            or "access-control-request-method" not in headers
        ):
            await self.cors(scope, receive, send)
            return
        refusal: Message | None = None

        async def answer_or_hold(message: Message) -> None:
            nonlocal refusal
            if message["type"] == "http.response.start" and message["status"] != 200:
                refusal = message
            if refusal is None:
                await send(message)

        await self.cors(scope, receive, answer_or_hold)
        if refusal is None:
            return
        kept = {
            name: value
            for name, value in Headers(raw=refusal["headers"]).items()
            if name.startswith("access-control-")
        }
        if not self.cors.is_allowed_origin(origin):
            message = f"The origin {origin} may not call this API from a browser."
            response = error_response(403, message, ErrorCode.FORBIDDEN, kept)
        else:
            requested = headers["access-control-request-method"]
            if "access-control-request-headers" in headers:
                requested += f" with headers {headers['access-control-request-headers']}"
            message = f"This preflight asks for what the API does not allow: {requested}."
            response = error_response(400, message, ErrorCode.BAD_USER_INPUT, kept)
        await response(scope, receive, send)


async def graphql_endpoint(request: Request) -> Response:
    """/graphql over HTTP (a browser's GET of the page is the IDE's route, when it is on)."""
    endpoint: GraphQLEndpoint = request.app.state.endpoint
    return await endpoint(request, request_id_of(request.scope))


async def export_endpoint(request: Request) -> Response:
    """/export: the bulk export (`api.export`)."""
    exporter: Exporter = request.app.state.exporter
    return await exporter(request)


async def graphql_websocket(websocket: WebSocket) -> None:
    """/graphql over WebSocket: subscriptions (`api.subscriptions.endpoint`)."""
    endpoint: SubscriptionEndpoint = websocket.app.state.subscriptions
    await endpoint(websocket.scope, websocket.receive, websocket.send)


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready: the primary and every read replica answer, and the schema is at the migrations'
    head. 503 otherwise, with the reason."""
    primary: Database = request.app.state.primary
    reads: Database = request.app.state.database
    head: str = request.app.state.migrations_head

    async def check() -> str | None:
        async with primary.pool.acquire(timeout=READINESS_TIMEOUT_SECONDS) as connection:
            version = await connection.fetchval("SELECT version_num FROM alembic_version")
        for pool in reads.pools:
            async with pool.acquire(timeout=READINESS_TIMEOUT_SECONDS) as connection:
                await connection.execute("SELECT 1")
        return None if version == head else f"the database is at {version}, not {head}"

    try:
        problem = await asyncio.wait_for(check(), READINESS_TIMEOUT_SECONDS)
    except Exception as error:  # any failure means "not ready"; the reason is logged
        log.warning("readiness check failed: %r", error)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    if problem is not None:
        return JSONResponse({"status": "migrations pending", "detail": problem}, status_code=503)
    return JSONResponse({"status": "ready"})


def create_app(
    settings: Settings, database_url: URL, *, on_started: Callable[[], None] | None = None
) -> Starlette:
    """The application, serving the database at `database_url` with `settings`; `on_started`
    runs once it has started (a server tunes the process there)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        def pools(dsns: list[str]) -> Awaitable[Database]:
            return open_database(
                dsns,
                pool_size=settings.pool_size,
                statement_timeout_ms=settings.statement_timeout_ms,
                acquire_timeout=settings.pool_timeout_seconds,
                reserved=settings.pool_reserved_connections,
            )

        # Reads go to the replicas when there are some; keys and budgets to the primary.
        primary = await pools([to_asyncpg_dsn(database_url)])
        replicas = [to_asyncpg_dsn(to_async_url(url)) for url in settings.read_database_urls]
        reads = await pools(replicas) if replicas else primary
        app.state.primary = primary
        app.state.database = reads
        app.state.migrations_head = migrations_head(settings.migrations_dir)
        app.state.operations = Operations(build_schema(), settings, reads)
        access = Access(settings, primary.hand_written, reads_on_primary=reads is primary)
        app.state.endpoint = GraphQLEndpoint(app.state.operations, access, settings)
        app.state.exporter = Exporter(reads, access)
        # Subscriptions live on the primary: LISTEN is refused on replicas, and a replica may
        # not have replayed yet the change a delivery answers with.
        hub = ChangeHub(settings, primary, access, to_asyncpg_dsn(database_url))
        app.state.hub = hub
        app.state.subscriptions = SubscriptionEndpoint(
            app.state.operations, access, hub, primary, settings
        )
        if on_started is not None:
            on_started()
        try:
            yield
        finally:
            await hub.stop()
            if reads is not primary:
                await close_database(reads)
            await close_database(primary)

    # /metrics on this port only when told so (EVENTGRAPH_METRICS=public; development's default).
    metrics_routes = (
        [Route("/metrics", metrics_endpoint, methods=["GET"])]
        if settings.metrics_place == "public"
        else []
    )
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *metrics_routes,
            *ide_routes(settings),  # before /graphql: they take only a browser's GET of it
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/export", export_endpoint, methods=["GET"]),
            WebSocketRoute("/graphql", graphql_websocket),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                JSONRefusalCORS,
                allow_origins=settings.allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            ),
        ],
        exception_handlers={HTTPException: http_error, Exception: unexpected_error},
        lifespan=lifespan,
    )
