"""The root Subscription: the change feed pushed over WebSocket (`api.subscriptions`).

Each field follows the feed through the process's change hub, from a cursor or from now, and
answers each change with the selection asked for, read as a query's is (the store, its
loaders). A subscription that ends (its client too slow, its budget spent) fails with the code
and `extensions.cursor`, the cursor of the last change its client received.
"""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.subscription(description=...) as returning Any.)

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any
from uuid import UUID

import strawberry

from api.codes import ErrorCode
from api.metrics import record_delivery
from api.store.changes import FeedPosition
from api.store.entities import ENTITIES, Entity
from api.store.errors import StoreInputError
from api.store.pagination import PageRequest
from api.subscriptions.hub import Delivered, SubscriptionEndedError, SubscriptionRefusedError
from api.subscriptions.hub import Subscription as FeedSubscription
from api.vocabulary import ChangeOp
from schema.context import Info
from schema.enums import SearchType
from schema.errors import BadUserInputError, CodedError
from schema.fields import ENTITY_CLASSES, RowObject, given
from schema.filters import FILTER_INPUTS, optional_store_filter, snake_case
from schema.global_ids import node_key
from schema.types.change import Change
from schema.types.query import resolve_node

UNSET = strawberry.UNSET


def position_of(after: str | None) -> FeedPosition | None:
    """The feed position a client's cursor names (BAD_USER_INPUT when it names none)."""
    if after is None:
        return None
    try:
        return FeedPosition.of_cursor(after)
    except StoreInputError as error:
        raise BadUserInputError(f"after: {error}") from None


@asynccontextmanager
async def following(
    info: Info, after: FeedPosition | None, types: Sequence[Entity] | None
) -> AsyncIterator[FeedSubscription]:
    """A subscription of this connection to the feed, forgotten when the field's stream ends
    (its client completed it, or went away)."""
    live = info.context.live
    if live is None or live.principal is None:
        message = "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)."
        raise CodedError(message, ErrorCode.BAD_USER_INPUT)
    names = [entity.value for entity in types] if types is not None else None
    try:
        subscription = await live.hub.subscribe(live, after, names)
    except SubscriptionRefusedError as refused:
        error = CodedError(refused.message, ErrorCode.RATE_LIMITED)
        error.extensions = {**(error.extensions or {}), "settings": refused.settings}
        raise error from None
    try:
        yield subscription
    finally:
        live.hub.unsubscribe(subscription)


async def deliveries(info: Info, subscription: FeedSubscription) -> AsyncIterator[Delivered]:
    """The subscription's changes, each to be answered afresh; its ending as an error."""
    while True:
        try:
            delivered = await subscription.next()
        except SubscriptionEndedError as ended:
            error = CodedError(ended.message, ended.code)
            error.extensions = {**(error.extensions or {}), "cursor": ended.cursor}
            raise error from None
        # The connection's context serves every delivery: what its loaders hold is older.
        info.context.loaders.clear()
        record_delivery()
        yield delivered


async def _changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="Follow on from this cursor (a change's, a page's `endCursor`, an "
            "export's last one, or the one a subscription ended with); from now without it."
        ),
    ] = UNSET,
    types: Annotated[
        list[SearchType] | None,
        strawberry.argument(description="Only changes of nodes of these types (default: all)."),
    ] = UNSET,
) -> AsyncIterator[Change]:
    chosen = given(types)
    entities = None if chosen is None else [Entity(item.value) for item in chosen]
    async with following(info, position_of(given(after)), entities) as subscription:
        async for delivered in deliveries(info, subscription):
            yield Change(row=delivered.row, change_cursor=delivered.cursor)


def _changed(entity: Entity) -> Any:
    """`eventChanged(id)` and the like: the node after each change of it."""
    spec = ENTITIES[entity]
    name = spec.type_name.lower()

    async def changed(
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=f"The {name}'s global ID.")],
    ) -> AsyncIterator[RowObject | None]:
        key = node_key(id, entity)
        if key is None:
            raise BadUserInputError(f"id: not the global ID of a {name}")
        async with following(info, None, [entity]) as subscription:
            async for delivered in deliveries(info, subscription):
                if delivered.row["node_id"] != key[1]:
                    continue
                yield await resolve_node(info, id, entity)
                if delivered.row["op"] == ChangeOp.DELETE:
                    return

    # Strawberry reads a subscription's type from its resolver's AsyncIterator[...].
    changed.__annotations__["return"] = AsyncIterator[ENTITY_CLASSES[entity] | None]  # type: ignore[valid-type]
    return strawberry.subscription(
        resolver=changed,
        description=f"The {name} after each change made to it from now on; null when it is "
        "deleted, which ends the subscription.",
    )


async def _statement_added(
    info: Info,
    filter: Annotated[
        FILTER_INPUTS[Entity.STATEMENT] | None,  # type: ignore[valid-type]
        strawberry.argument(description="Only statements that match it when they are created."),
    ] = UNSET,
) -> AsyncIterator[RowObject]:
    wanted = optional_store_filter(filter)
    statement_class = ENTITY_CLASSES[Entity.STATEMENT]
    async with following(info, None, [Entity.STATEMENT]) as subscription:
        async for delivered in deliveries(info, subscription):
            if delivered.row["op"] != ChangeOp.CREATE:
                continue
            found = await added(info, delivered.row["node_id"], wanted)
            if found is not None:
                yield statement_class(row=found)


async def added(info: Info, node_id: UUID, wanted: dict[str, Any] | None) -> Any:
    """The statement `node_id` if it still exists and matches `wanted`, read as a query would."""
    this_one: dict[str, Any] = {"id": {"eq": node_id}}
    page = await info.context.store.list(
        Entity.STATEMENT,
        {"and": [wanted, this_one]} if wanted is not None else this_one,
        page=PageRequest(first=1),
    )
    return page.rows[0] if page.rows else None


_statement_added.__annotations__["return"] = AsyncIterator[ENTITY_CLASSES[Entity.STATEMENT]]  # type: ignore[valid-type]

Subscription = strawberry.type(
    type(
        "Subscription",
        (),
        {
            "__module__": __name__,
            "changes": strawberry.subscription(
                resolver=_changes,
                description="The change feed as it grows: each change once, in the feed's "
                "order, with the cursor to resume from (`Query.changes` reads the same feed).",
            ),
            **{f"{snake_case(ENTITIES[e].type_name)}_changed": _changed(e) for e in ENTITIES},
            "statement_added": strawberry.subscription(
                resolver=_statement_added,
                description="Each statement created from now on (that matches the filter).",
            ),
        },
    ),
    description="What a client is told of as it happens, over WebSocket at /graphql "
    "(graphql-transport-ws).",
)
