"""The per-request context: settings, the request's Store, and its DataLoaders.

`create_loaders` is the one loader factory. Each attribute of `Loaders` is the
`<Entity>By<Key>Loader` of that relation (`statements_by_event` is StatementsByEventLoader); every
batch function makes ONE store call for all the parents asked for in the same tick, so the number
of SQL statements of a request depends on the shape of the query, not on the size of the result.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader

from api.settings import Settings
from api.store.entities import Entity, Row
from api.store.ordering import Order
from api.store.pagination import Page, PageRequest
from api.store.reads import Store
from api.store.relations import Connection, Related
from api.vocabulary import EventRelationKind, ParticipationRole

KeyT = TypeVar("KeyT", bound=Hashable)


def _frozen(value: Any) -> Hashable:
    """A hashable, equal-when-equal form of a filter spec (dicts and lists inside)."""
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, UUID | str | int | float | bool | date | datetime | Enum) or value is None:
        return value
    raise TypeError(f"cannot use {value!r} in a loader key")


@dataclass(frozen=True)
class ConnectionArgs:
    """The arguments of a connection field (filter, order, page): the second half of its key.

    Hashable, and equal when the arguments are, so that parents asking the same page of the
    same relation share one store call.
    """

    filter: Mapping[str, Any] | None = field(compare=False, hash=False)
    order: tuple[Order, ...]
    page: PageRequest
    filter_key: Hashable = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "filter_key", _frozen(self.filter))


ConnectionKey = tuple[UUID, ConnectionArgs]


@dataclass(frozen=True)
class RelatedArgs:
    """The narrowing arguments of a related list (an event's participants by role, …)."""

    role: ParticipationRole | None = None
    relation_kind: EventRelationKind | None = None


RelatedKey = tuple[UUID, RelatedArgs]


def _grouped(keys: Sequence[tuple[UUID, KeyT]]) -> dict[KeyT, list[UUID]]:
    """Parent ids grouped by the rest of their key, in first-seen order."""
    groups: dict[KeyT, list[UUID]] = {}
    for parent_id, rest in keys:
        groups.setdefault(rest, []).append(parent_id)
    return groups


def by_ids_loader(store: Store, entity: Entity) -> DataLoader[UUID, Row | None]:
    async def load(ids: list[UUID]) -> list[Row | None]:
        rows = await store.by_ids(entity, ids)
        return [rows.get(key) for key in ids]

    return DataLoader(load_fn=load)


def by_slugs_loader(store: Store, entity: Entity) -> DataLoader[str, Row | None]:
    async def load(slugs: list[str]) -> list[Row | None]:
        rows = await store.by_slugs(entity, slugs)
        return [rows.get(key) for key in slugs]

    return DataLoader(load_fn=load)


def connection_loader(store: Store, connection: Connection) -> DataLoader[ConnectionKey, Page]:
    async def load(keys: list[ConnectionKey]) -> list[Page]:
        pages: dict[ConnectionKey, Page] = {}
        for args, parent_ids in _grouped(keys).items():
            by_parent = await store.list_by_parent(
                connection, parent_ids, filter=args.filter, order=args.order, page=args.page
            )
            for parent_id, page in by_parent.items():
                pages[(parent_id, args)] = page
        return [pages[key] for key in keys]

    return DataLoader(load_fn=load)


def related_loader(store: Store, relation: Related) -> DataLoader[RelatedKey, list[Row]]:
    async def load(keys: list[RelatedKey]) -> list[list[Row]]:
        rows: dict[RelatedKey, list[Row]] = {}
        for args, parent_ids in _grouped(keys).items():
            by_parent = await store.related(
                relation, parent_ids, role=args.role, relation_kind=args.relation_kind
            )
            for parent_id, items in by_parent.items():
                rows[(parent_id, args)] = items
        return [rows[key] for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """Every DataLoader of one request (see the module docstring for the naming)."""

    events_by_id: DataLoader[UUID, Row | None]
    statements_by_id: DataLoader[UUID, Row | None]
    participants_by_id: DataLoader[UUID, Row | None]
    treaties_by_id: DataLoader[UUID, Row | None]
    topics_by_id: DataLoader[UUID, Row | None]
    sources_by_id: DataLoader[UUID, Row | None]
    events_by_slug: DataLoader[str, Row | None]
    participants_by_slug: DataLoader[str, Row | None]
    treaties_by_slug: DataLoader[str, Row | None]
    topics_by_slug: DataLoader[str, Row | None]

    statements_by_event: DataLoader[ConnectionKey, Page]
    events_by_participant: DataLoader[ConnectionKey, Page]
    statements_by_participant: DataLoader[ConnectionKey, Page]
    events_by_treaty: DataLoader[ConnectionKey, Page]
    statements_by_treaty: DataLoader[ConnectionKey, Page]
    events_by_topic: DataLoader[ConnectionKey, Page]
    statements_by_topic: DataLoader[ConnectionKey, Page]
    statements_by_source: DataLoader[ConnectionKey, Page]

    participations_by_event: DataLoader[RelatedKey, list[Row]]
    topics_by_event: DataLoader[RelatedKey, list[Row]]
    treaties_by_event: DataLoader[RelatedKey, list[Row]]
    sources_by_event: DataLoader[RelatedKey, list[Row]]
    relations_by_event: DataLoader[RelatedKey, list[Row]]
    topics_by_statement: DataLoader[RelatedKey, list[Row]]
    mentions_by_statement: DataLoader[RelatedKey, list[Row]]
    treaties_by_statement: DataLoader[RelatedKey, list[Row]]
    names_by_participant: DataLoader[RelatedKey, list[Row]]
    roles_by_participant: DataLoader[RelatedKey, list[Row]]
    treaties_by_participant: DataLoader[RelatedKey, list[Row]]
    names_by_treaty: DataLoader[RelatedKey, list[Row]]
    milestones_by_treaty: DataLoader[RelatedKey, list[Row]]
    parties_by_treaty: DataLoader[RelatedKey, list[Row]]
    labels_by_topic: DataLoader[RelatedKey, list[Row]]
    children_by_topic: DataLoader[RelatedKey, list[Row]]
    events_by_source: DataLoader[RelatedKey, list[Row]]


def create_loaders(store: Store) -> Loaders:
    """The one loader factory: fresh loaders (and caches) for one request."""
    return Loaders(
        events_by_id=by_ids_loader(store, Entity.EVENT),
        statements_by_id=by_ids_loader(store, Entity.STATEMENT),
        participants_by_id=by_ids_loader(store, Entity.PARTICIPANT),
        treaties_by_id=by_ids_loader(store, Entity.TREATY),
        topics_by_id=by_ids_loader(store, Entity.TOPIC),
        sources_by_id=by_ids_loader(store, Entity.SOURCE),
        events_by_slug=by_slugs_loader(store, Entity.EVENT),
        participants_by_slug=by_slugs_loader(store, Entity.PARTICIPANT),
        treaties_by_slug=by_slugs_loader(store, Entity.TREATY),
        topics_by_slug=by_slugs_loader(store, Entity.TOPIC),
        statements_by_event=connection_loader(store, Connection.EVENT_STATEMENTS),
        events_by_participant=connection_loader(store, Connection.PARTICIPANT_EVENTS),
        statements_by_participant=connection_loader(store, Connection.PARTICIPANT_STATEMENTS),
        events_by_treaty=connection_loader(store, Connection.TREATY_EVENTS),
        statements_by_treaty=connection_loader(store, Connection.TREATY_STATEMENTS),
        events_by_topic=connection_loader(store, Connection.TOPIC_EVENTS),
        statements_by_topic=connection_loader(store, Connection.TOPIC_STATEMENTS),
        statements_by_source=connection_loader(store, Connection.SOURCE_STATEMENTS),
        participations_by_event=related_loader(store, Related.EVENT_PARTICIPANTS),
        topics_by_event=related_loader(store, Related.EVENT_TOPICS),
        treaties_by_event=related_loader(store, Related.EVENT_TREATIES),
        sources_by_event=related_loader(store, Related.EVENT_SOURCES),
        relations_by_event=related_loader(store, Related.EVENT_RELATIONS),
        topics_by_statement=related_loader(store, Related.STATEMENT_TOPICS),
        mentions_by_statement=related_loader(store, Related.STATEMENT_MENTIONS),
        treaties_by_statement=related_loader(store, Related.STATEMENT_TREATIES),
        names_by_participant=related_loader(store, Related.PARTICIPANT_NAMES),
        roles_by_participant=related_loader(store, Related.PARTICIPANT_ROLES),
        treaties_by_participant=related_loader(store, Related.PARTICIPANT_TREATIES),
        names_by_treaty=related_loader(store, Related.TREATY_NAMES),
        milestones_by_treaty=related_loader(store, Related.TREATY_MILESTONES),
        parties_by_treaty=related_loader(store, Related.TREATY_PARTIES),
        labels_by_topic=related_loader(store, Related.TOPIC_LABELS),
        children_by_topic=related_loader(store, Related.TOPIC_CHILDREN),
        events_by_source=related_loader(store, Related.SOURCE_EVENTS),
    )


@dataclass
class RequestContext:
    """What every resolver gets as `info.context` for one request."""

    request: Request
    response: Response
    settings: Settings
    store: Store
    loaders: Loaders
    request_id: str
    query_cost: int = field(default=0)
