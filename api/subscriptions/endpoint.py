"""/graphql over WebSocket: subscriptions, with the `graphql-transport-ws` protocol (the one of
the `graphql-ws` client that Apollo Client's `GraphQLWsLink` and GraphiQL use).

Strawberry's ASGI view runs the protocol; this module gives it the API's rules through the
view's and the protocol handler's extension points:

- `connection_init`'s payload carries the key as `{"Authorization": "Bearer <key>"}`, checked
  as an HTTP request's header is (`api.security.access`): an unknown, revoked or malformed key,
  or none where anonymous reads are off (production), closes the connection with 4403.
- Each `subscribe` is held to the document limits and the cost ceiling of a query
  (`Operations.subscription_cost`), and its cost is what each delivery is charged; anything but
  a subscription is refused (queries and mutations go over HTTP, where they are metered).
- The server sends a `ping` every `subscription_keep_alive_seconds`, so that proxies keep an
  idle connection open.
"""

import asyncio
import contextlib
import logging
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.unset import UNSET, UnsetType

from api.metrics import record_websocket
from api.security.access import Access
from api.security.errors import AccessError
from api.settings import Settings
from api.store.errors import StoreError
from api.store.reads import Store
from api.store.statements import Database
from api.subscriptions.hub import DELIVERY_COST, ChangeHub, LiveConnection
from schema.context import RequestContext
from schema.execution.operation import GraphQLRequest, Operations, Refusal

log = logging.getLogger(__name__)

CONNECTION_INIT_SECONDS = 10
"""How long a client has to send `connection_init` once connected (then 4408)."""


class SubscriptionProtocol(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws with the API's checks on `subscribe` and server pings."""

    view: "SubscriptionEndpoint"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivery_costs: dict[str, int] = {}
        self.pings: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        record_websocket(opened=True)
        try:
            await super().handle()
        finally:
            record_websocket(opened=False)

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.pings = asyncio.create_task(self._ping())

    async def shutdown(self) -> None:
        if self.pings is not None:
            self.pings.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pings
        await super().shutdown()

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(self.view.settings.subscription_keep_alive_seconds)
            try:
                await self.send_message({"type": "ping"})
            except Exception:  # the client is gone: the connection's handler ends it
                return

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            payload = message["payload"]
            request = GraphQLRequest(
                payload["query"], payload.get("variables"), payload.get("operationName")
            )
            cost = self.view.operations.subscription_cost(request)
            if isinstance(cost, Refusal):
                errors = [error.formatted for error in cost.errors]
                await self.send_message({"id": message["id"], "type": "error", "payload": errors})
                return
            self.delivery_costs[message["id"]] = cost
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        # The operation's own task: the resolver running in it reads its delivery cost here.
        DELIVERY_COST.set(self.delivery_costs.pop(operation.id, 1))
        await super().run_operation(operation)


class SubscriptionEndpoint(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view, for WebSocket connections to /graphql only."""

    graphql_transport_ws_handler_class = SubscriptionProtocol

    def __init__(
        self,
        operations: Operations,
        access: Access,
        hub: ChangeHub,
        database: Database,
        settings: Settings,
    ) -> None:
        super().__init__(
            operations.schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            max_subscriptions_per_connection=None,  # the hub's caps, with their codes
            allowed_origins=settings.allowed_origins,
        )
        self.operations = operations
        self.access = access
        self.hub = hub
        self.database = database
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Any = None
    ) -> RequestContext:
        return RequestContext(
            settings=self.settings,
            store=Store(self.database, self.settings),
            request_id=uuid.uuid4().hex,
            live=LiveConnection(self.hub, request.client.host if request.client else None),
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        live = context.live
        assert live is not None
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is not None and not isinstance(authorization, str):
            log.info("connection %s refused: Authorization is not a string", context.request_id)
            raise ConnectionRejectionError
        try:
            live.principal = await self.access.principal(authorization, live.client_address)
            live.authorization = authorization
        except (AccessError, StoreError) as refused:
            log.warning("connection %s refused: %r", context.request_id, refused)
            raise ConnectionRejectionError from None
        unset: UnsetType = UNSET
        return unset
