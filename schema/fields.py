"""Field declarations: what each GraphQL field reads, said once.

Every field of the schema is made by one of the factories below, which records a `Read` in the
field's metadata: a column of the object's row, a referenced row, a related list, a page of a
connection, a name in a language, a treaty's status, or one of the root reads. Everything else
comes from that one declaration:

- the resolver Strawberry runs (below: it reads the row, or loads through the request's
  DataLoaders, which `loader_for` makes from the same declaration);
- the compiled read path (`schema.execution`), which turns the declarations a query selects
  into one JSON document built by PostgreSQL (`api.store.documents`);
- the query cost (`schema.execution.cost`): connections count their page size, related lists
  their bound.

Objects handed to Strawberry are `RowObject`s: a row of the store, and nothing else. A type's
fields say how to read it.
"""
# mypy: disable-error-code="untyped-decorator"

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar, cast
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from api.store.entities import Entity, NameField, Row
from api.store.relations import (
    ITEM_OF,
    VALUE_LISTS,
    Connection,
    Related,
    RelatedShape,
    parent_column,
)
from schema.context import Info
from schema.global_ids import encode_global_id

READ = "eventgraph.read"
"""The key of a field's `Read` in its Strawberry metadata."""


# ---------------------------------------------------------------- what a field reads


@dataclass(frozen=True)
class ColumnRead:
    """A column of the object's row."""

    column: str


@dataclass(frozen=True)
class OwnColumn:
    """What `column()` records: a column of the row, `name` or (None) the field's own name,
    which `read_of` knows once Strawberry has named the field."""

    name: str | None


@dataclass(frozen=True)
class GlobalIdRead:
    """The object's global ID (`Node.id`)."""


@dataclass(frozen=True)
class EmbeddedRead:
    """Another object read from the same row (an event's location); null when `present_if`
    is null."""

    present_if: str | None = None


@dataclass(frozen=True)
class ReferenceRead:
    """The row of `target` whose id the column holds (or, when it is null, `otherwise`)."""

    column: str
    target: Entity
    otherwise: str | None = None


@dataclass(frozen=True)
class RelatedRead:
    """A small list under the row, read whole (`api.store.relations.Related`): of objects, or
    of the one value each of its rows holds (`Event.disputedFields`)."""

    relation: Related


@dataclass(frozen=True)
class IndependentSourcesRead:
    """How many independent sources report the row (`api.store.claims.INDEPENDENT_SOURCES`)."""

    entity: Entity


@dataclass(frozen=True)
class ConnectionRead:
    """A page of `entity`: under the row through `connection`, or of all (`connection` None)."""

    entity: Entity
    connection: Connection | None


@dataclass(frozen=True)
class NameRead:
    """The name (or label) to show in a language."""

    names: NameField


@dataclass(frozen=True)
class TreatyStatusRead:
    """A treaty's status as of a day, from its milestones."""


@dataclass(frozen=True)
class PagePartRead:
    """A field of a connection, an edge or page info (`totalCount`, `edges`, `cursor`, …), or
    of a change of the feed (`cursor`, `nodeId`, `fields`, `node`): the compiled path reads it
    with its page, by its name."""


@dataclass(frozen=True)
class LookupRead:
    """One `entity` by global ID (or slug)."""

    entity: Entity


@dataclass(frozen=True)
class RootRead:
    """A root field read its own way: "node", "nodes", "search", "eventCounts", "rateLimit"."""

    name: str


@dataclass(frozen=True)
class ChangesRead:
    """A page of the change feed (`Query.changes`), or of one node's changes (`history`), read
    by Strawberry's resolvers (`schema.types.change`): counted like a connection."""

    history: bool


Read = (
    ColumnRead
    | GlobalIdRead
    | EmbeddedRead
    | ReferenceRead
    | RelatedRead
    | ConnectionRead
    | NameRead
    | TreatyStatusRead
    | IndependentSourcesRead
    | PagePartRead
    | LookupRead
    | RootRead
    | ChangesRead
)


def read_of(field: StrawberryField) -> Read | None:
    """The field's declared read; a column named by no declaration is the field's own name."""
    read = field.metadata.get(READ)
    if isinstance(read, OwnColumn):
        return ColumnRead(read.name or field.python_name)
    return cast(Read, read) if read is not None else None


# ---------------------------------------------------------------- the objects Strawberry gets


@strawberry.type(description="An object read from a row.")
class RowObject:
    row: strawberry.Private[Row]


# Each entity's GraphQL class, filled in by `entity_type`: references make objects of them.
ENTITY_CLASSES: dict[Entity, type[RowObject]] = {}

RowObjectT = TypeVar("RowObjectT", bound=type[RowObject])


def entity_type(entity: Entity, description: str) -> Callable[[RowObjectT], RowObjectT]:
    """`strawberry.type`, recording the class as the GraphQL type of `entity`'s rows."""

    def register(cls: RowObjectT) -> RowObjectT:
        decorated = strawberry.type(cls, description=description)
        ENTITY_CLASSES[entity] = decorated
        return decorated

    return register


def object_class(info: Info) -> type[RowObject]:
    """The class of the objects a field returns (through lists, optionals and lazy types)."""
    kind: Any = info.return_type
    while True:
        if isinstance(kind, StrawberryOptional | StrawberryList):
            kind = kind.of_type
        elif isinstance(kind, LazyType):
            kind = kind.resolve_type()
        else:
            return cast(type[RowObject], kind)


# ---------------------------------------------------------------- loaders, from the declarations


def loader_for(info: Info, key: Hashable, make: Callable[[], DataLoader[Any, Any]]) -> Any:
    """The request's DataLoader for `key`, made by `make` on first use: one per declaration
    (and argument set) per request, so a tick's parents share one store call."""
    loaders = info.context.loaders
    loader = loaders.get(key)
    if loader is None:
        loader = loaders[key] = make()
    return loader


async def load_rows_by_id(info: Info, entity: Entity, key: UUID) -> Row | None:
    async def load(ids: list[UUID]) -> list[Row | None]:
        rows = await info.context.store.by_ids(entity, ids)
        return [rows.get(item) for item in ids]

    loader = loader_for(info, ("by_id", entity), lambda: DataLoader(load_fn=load))
    return cast(Row | None, await loader.load(key))


async def load_related(
    info: Info, shape: RelatedShape, parent_id: UUID, text: str | None = None
) -> list[Row]:
    """The rows of a related list under `parent_id`; `text` is the list's text argument."""

    async def load(ids: list[UUID]) -> list[list[Row]]:
        lists = await info.context.store.related(
            shape.relation, ids, role=shape.role, relation_kind=shape.relation_kind, text=text
        )
        return [lists[item] for item in ids]

    loader = loader_for(info, ("related", shape, text), lambda: DataLoader(load_fn=load))
    return cast(list[Row], await loader.load(parent_id))


async def load_related_under(
    info: Info, root: "RowObject", relation: Related, text: str | None = None
) -> list[Row]:
    """The rows of `relation` under the object `root`: under its id, or for a list read for
    an item of its parent's list (`ITEM_OF`), its parent's rows that name the item."""
    rows = await load_related(info, RelatedShape(relation), root.row[parent_column(relation)], text)
    if relation not in ITEM_OF:
        return rows
    item = root.row[ITEM_OF[relation][1]]
    return [row for row in rows if row["claim_item"] == item]


# ---------------------------------------------------------------- field factories


def declared(
    read: Read | OwnColumn,
    description: str,
    resolver: Callable[..., Any],
    extension: FieldExtension | None = None,
    graphql_type: Any = None,
) -> Any:
    """A field that reads `read`: every factory here and in `schema.pagination` makes its
    fields with this, so that each carries its `Read`."""
    return strawberry.field(
        resolver=resolver,
        description=description,
        metadata={READ: read},
        extensions=[extension] if extension is not None else [],
        graphql_type=graphql_type,
    )


def column(description: str, *, name: str | None = None) -> Any:
    """A field holding a column of the row as it is stored: the column of the field's own name
    (as strawberry-django's `auto`), or `name`."""

    def resolve(root: RowObject, info: Info) -> Any:
        return root.row[name or info.python_name]

    return declared(OwnColumn(name), description, resolve)


def global_id(description: str) -> Any:
    """`Node.id`: base64 of "TypeName:uuid"."""

    def resolve(root: RowObject) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(root).__name__, root.row["id"]))

    return declared(GlobalIdRead(), description, resolve)


def embedded(description: str, *, present_if: str | None = None) -> Any:
    """An object of the field's type read from the same row; null when `present_if` is."""

    def resolve(root: RowObject, info: Info) -> RowObject | None:
        if present_if is not None and root.row[present_if] is None:
            return None
        return object_class(info)(row=root.row)

    return declared(EmbeddedRead(present_if), description, resolve)


def reference(
    column_name: str, target: Entity, description: str, *, otherwise: str | None = None
) -> Any:
    """The `target` row whose id the column holds (or, when it is null, the column
    `otherwise`); null when that is null."""

    async def resolve(root: RowObject, info: Info) -> RowObject | None:
        key = root.row[column_name]
        if key is None and otherwise is not None:
            key = root.row[otherwise]
        if key is None:
            return None
        row = await load_rows_by_id(info, target, key)
        if row is None:
            raise LookupError(f"{target.name.lower()} {key} is missing")
        return ENTITY_CLASSES[target](row=row)

    return declared(ReferenceRead(column_name, target, otherwise), description, resolve)


def related(relation: Related, description: str) -> Any:
    """The small list `relation` under the row, each item an object of the field's type."""

    async def resolve(root: RowObject, info: Info) -> list[RowObject]:
        rows = await load_related_under(info, root, relation)
        item_class = object_class(info)
        return [item_class(row=row) for row in rows]

    return declared(RelatedRead(relation), description, resolve)


def related_values(relation: Related, description: str) -> Any:
    """The small list of values `relation` under the row (`VALUE_LISTS`)."""
    column_name = VALUE_LISTS[relation]

    async def resolve(root: RowObject, info: Info) -> list[Any]:
        return [row[column_name] for row in await load_related_under(info, root, relation)]

    return declared(RelatedRead(relation), description, resolve)


def independent_source_count(entity: Entity, description: str) -> Any:
    """How many independent sources report the row (`api.store.sources`)."""

    async def resolve(root: RowObject, info: Info) -> int:
        async def load(ids: list[UUID]) -> list[int]:
            found = await info.context.store.independent_source_counts(entity, ids)
            return [found[item] for item in ids]

        loader = loader_for(info, ("independent_sources", entity), lambda: DataLoader(load_fn=load))
        return cast(int, await loader.load(root.row["id"]))

    return declared(IndependentSourcesRead(entity), description, resolve)


def related_by(
    relation: Related,
    description: str,
    resolver: Callable[..., Awaitable[list[RowObject]]],
) -> Any:
    """A related list that takes arguments: `resolver` narrows it (see `Event.participants`)."""
    return declared(RelatedRead(relation), description, resolver)


def localized_name(names: NameField, description: str) -> Any:
    """The name to show for the `language` argument (`api.store.names.best_name`)."""

    async def resolve(root: RowObject, info: Info, language: Language = strawberry.UNSET) -> str:
        wanted = given(language)

        async def load(ids: list[UUID]) -> list[str]:
            found = await info.context.store.names(names, ids, wanted)
            return [found[item] for item in ids]

        loader = loader_for(
            info, ("names", names.names.name, wanted), lambda: DataLoader(load_fn=load)
        )
        return cast(str, await loader.load(root.row["id"]))

    return declared(NameRead(names), description, resolve)


def treaty_status_field(description: str) -> Any:
    """A treaty's status as of the `asOf` argument (`api.store.treaties.status_as_of`)."""

    async def resolve(root: RowObject, info: Info, as_of: AsOf = strawberry.UNSET) -> Any:
        day = given(as_of) or datetime.now(UTC).date()

        async def load(ids: list[UUID]) -> list[Any]:
            found = await info.context.store.treaty_statuses(ids, day)
            return [found[item] for item in ids]

        loader = loader_for(info, ("treaty_status", day), lambda: DataLoader(load_fn=load))
        return await loader.load(root.row["id"])

    return declared(TreatyStatusRead(), description, resolve)


def page_part(description: str, resolve: Callable[..., Any]) -> Any:
    """A field of a connection, an edge or page info, read from the page it belongs to."""
    return declared(PagePartRead(), description, resolve)


def lookup(entity: Entity, description: str) -> Any:
    """Decorates a root resolver that finds one `entity`."""
    return strawberry.field(description=description, metadata={READ: LookupRead(entity)})


def root(name: str, description: str) -> Any:
    """Decorates a root resolver read its own way (`RootRead`)."""
    return strawberry.field(description=description, metadata={READ: RootRead(name)})


# ---------------------------------------------------------------- arguments


Language = Annotated[
    str | None,
    strawberry.argument(
        description='A BCP 47 tag such as "fr" or "fr-CA": the name in that language (or in its '
        "primary language), else the primary name."
    ),
]
AsOf = Annotated[
    date | None,
    strawberry.argument(description="The day to judge it on (default: today, in UTC)."),
]


def given(value: Any) -> Any:
    """An optional argument's value, None when it was left out (UNSET) or null."""
    return None if value is strawberry.UNSET else value
