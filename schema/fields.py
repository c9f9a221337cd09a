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

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar, cast
from uuid import UUID

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from api.store.entities import ENTITIES, Entity, NameField, Row
from api.store.ordering import DEFAULT_ORDERS, RELEVANCE_ORDERS, Order
from api.store.relations import CONNECTIONS, Connection, Related, RelatedShape
from schema.context import Info

READ = "eventgraph.read"
"""The key of a field's `Read` in its Strawberry metadata."""


# ---------------------------------------------------------------- what a field reads


@dataclass(frozen=True)
class ColumnRead:
    """A column of the object's row."""

    column: str


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
    """The row of `target` whose id the column holds."""

    column: str
    target: Entity


@dataclass(frozen=True)
class RelatedRead:
    """A small list under the row, read whole (`api.store.relations.Related`)."""

    relation: Related


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
    """A field of a connection, an edge or page info: `part` is "totalCount", "nodes",
    "edges", "pageInfo", "cursor", "node", "hasNextPage", "hasPreviousPage", "startCursor"
    or "endCursor"."""

    part: str


@dataclass(frozen=True)
class LookupRead:
    """One `entity` by global ID (or slug)."""

    entity: Entity


@dataclass(frozen=True)
class RootRead:
    """A root field read its own way: "node", "nodes", "search", "eventCounts", "rateLimit"."""

    name: str


Read = (
    ColumnRead
    | GlobalIdRead
    | EmbeddedRead
    | ReferenceRead
    | RelatedRead
    | ConnectionRead
    | NameRead
    | TreatyStatusRead
    | PagePartRead
    | LookupRead
    | RootRead
)


def read_of(field: StrawberryField) -> Read | None:
    read = field.metadata.get(READ)
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


async def load_related(info: Info, shape: RelatedShape, parent_id: UUID) -> list[Row]:
    async def load(ids: list[UUID]) -> list[list[Row]]:
        lists = await info.context.store.related(
            shape.relation, ids, role=shape.role, relation_kind=shape.relation_kind
        )
        return [lists[item] for item in ids]

    loader = loader_for(info, ("related", shape), lambda: DataLoader(load_fn=load))
    return cast(list[Row], await loader.load(parent_id))


# ---------------------------------------------------------------- field factories


def _field(
    read: Read,
    description: str,
    resolver: Callable[..., Any],
    extension: FieldExtension | None = None,
    graphql_type: Any = None,
) -> Any:
    return strawberry.field(
        resolver=resolver,
        description=description,
        metadata={READ: read},
        extensions=[extension] if extension is not None else [],
        graphql_type=graphql_type,
    )


def column(name: str, description: str) -> Any:
    """A field holding the row's column `name` as it is stored."""

    def resolve(root: RowObject) -> Any:
        return root.row[name]

    return _field(ColumnRead(name), description, resolve)


def global_id(description: str) -> Any:
    """`Node.id`: base64 of "TypeName:uuid"."""
    from schema.types.node import encode_global_id

    def resolve(root: RowObject) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(root).__name__, root.row["id"]))

    return _field(GlobalIdRead(), description, resolve)


def embedded(description: str, *, present_if: str | None = None) -> Any:
    """An object of the field's type read from the same row; null when `present_if` is."""

    def resolve(root: RowObject, info: Info) -> RowObject | None:
        if present_if is not None and root.row[present_if] is None:
            return None
        return object_class(info)(row=root.row)

    return _field(EmbeddedRead(present_if), description, resolve)


def reference(column_name: str, target: Entity, description: str) -> Any:
    """The `target` row whose id the column holds (null when the column is null)."""

    async def resolve(root: RowObject, info: Info) -> RowObject | None:
        key = root.row[column_name]
        if key is None:
            return None
        row = await load_rows_by_id(info, target, key)
        if row is None:
            raise LookupError(f"{target.name.lower()} {key} is missing")
        return ENTITY_CLASSES[target](row=row)

    return _field(ReferenceRead(column_name, target), description, resolve)


def related(relation: Related, description: str) -> Any:
    """The small list `relation` under the row, each item an object of the field's type."""

    async def resolve(root: RowObject, info: Info) -> list[RowObject]:
        rows = await load_related(info, RelatedShape(relation), root.row["id"])
        item_class = object_class(info)
        return [item_class(row=row) for row in rows]

    return _field(RelatedRead(relation), description, resolve)


def related_by(
    relation: Related,
    description: str,
    resolver: Callable[..., Awaitable[list[RowObject]]],
) -> Any:
    """A related list that takes arguments: `resolver` narrows it (see `Event.participants`)."""
    return _field(RelatedRead(relation), description, resolver)


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

    return _field(NameRead(names), description, resolve)


def treaty_status_field(description: str) -> Any:
    """A treaty's status as of the `asOf` argument (`api.store.treaties.status_as_of`)."""

    async def resolve(root: RowObject, info: Info, as_of: AsOf = strawberry.UNSET) -> Any:
        day = given(as_of) or datetime.now(UTC).date()

        async def load(ids: list[UUID]) -> list[Any]:
            found = await info.context.store.treaty_statuses(ids, day)
            return [found[item] for item in ids]

        loader = loader_for(info, ("treaty_status", day), lambda: DataLoader(load_fn=load))
        return await loader.load(root.row["id"])

    return _field(TreatyStatusRead(), description, resolve)


def page_part(part: str, description: str, resolve: Callable[..., Any]) -> Any:
    return _field(PagePartRead(part), description, resolve)


def lookup(entity: Entity, description: str) -> Any:
    """Decorates a root resolver that finds one `entity`."""
    return strawberry.field(description=description, metadata={READ: LookupRead(entity)})


def root(name: str, description: str) -> Any:
    """Decorates a root resolver read its own way (`RootRead`)."""
    return strawberry.field(description=description, metadata={READ: RootRead(name)})


# ---------------------------------------------------------------- connections


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


def describe_order(orders: Sequence[Order]) -> str:
    return ", ".join(
        order.field.name + (" DESC" if order.direction.name == "DESC" else "") for order in orders
    )


def connection_arguments(
    entity: Entity, default_order: Sequence[Order], *, filterable: bool, orderable: bool
) -> list[StrawberryArgument]:
    """The arguments of a connection of `entity`: its filter and ordering when it offers them,
    then first/after/last/before. Their descriptions come from the declarations; the filter and
    order inputs are named lazily, since their modules are built from the types declared here."""
    spec = ENTITIES[entity]
    arguments: list[StrawberryArgument] = []

    def add(name: str, annotation: Any, description: str) -> None:
        arguments.append(
            StrawberryArgument(
                python_name=name,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(annotation),
                description=description,
                default=strawberry.UNSET,
            )
        )

    if filterable:
        item: Any = Annotated[f"{spec.type_name}Filter", strawberry.lazy("schema.filters")]
        add("filter", item | None, f"Which {spec.plural} to keep.")
    if orderable:
        default = f"default: {describe_order(default_order)}"
        if entity in RELEVANCE_ORDERS:
            default += (
                f"; {describe_order([RELEVANCE_ORDERS[entity]])} when the filter has a search"
            )
        order: Any = Annotated[f"{spec.type_name}Order", strawberry.lazy("schema.ordering")]
        add("order_by", list[order] | None, f"How to order them ({default}).")
    for name, (annotation, description) in PAGE_ARGUMENTS.items():
        add(name, annotation, description)
    return arguments


PAGE_ARGUMENTS: dict[str, tuple[Any, str]] = {
    "first": (
        int | None,
        "Return the first n items (at most 100; 20 when neither first nor last is given).",
    ),
    "after": (str | None, "Return the items after this cursor."),
    "last": (int | None, "Return the last n items (at most 100)."),
    "before": (str | None, "Return the items before this cursor."),
}
"""The arguments every connection field takes, described once."""


class ConnectionArguments(FieldExtension):
    """Gives a connection field the arguments its declaration implies (Strawberry's documented
    way to change a field's arguments), and hands their values to the resolver as one mapping:
    the resolver reads what it needs, and the compiled path reads the same arguments."""

    def __init__(self, arguments: list[StrawberryArgument]) -> None:
        self.arguments = arguments

    def apply(self, field: StrawberryField) -> None:
        field.arguments = self.arguments

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        # kwargs also hold what the resolver asked for by name (its `root`), which stays.
        names = {argument.python_name for argument in self.arguments}
        arguments = {name: value for name, value in kwargs.items() if name in names}
        passed = {name: value for name, value in kwargs.items() if name not in names}
        return await next_(source, info, arguments=arguments, **passed)


def connection(connection_name: Connection, description: str, *, filterable: bool = False) -> Any:
    """A page of the `connection` under the row (filter and orderBy when `filterable`)."""
    spec = CONNECTIONS[connection_name]
    entity = spec.relation.target
    default_order = spec.default_order or DEFAULT_ORDERS[entity]

    async def resolve(root: RowObject, info: Info, arguments: Mapping[str, Any]) -> Any:
        from schema.pagination import load_page

        return await load_page(info, entity, connection_name, root.row["id"], arguments)

    extension = ConnectionArguments(
        connection_arguments(entity, default_order, filterable=filterable, orderable=filterable)
    )
    return _field(ConnectionRead(entity, connection_name), description, resolve, extension)


def root_connection(
    entity: Entity, description: str, *, graphql_type: Any, orderable: bool = True
) -> Any:
    """A page of all of `entity` (`Query.events`, …), filterable; `graphql_type` is its
    connection type."""

    async def resolve(root: Any, info: Info, arguments: Mapping[str, Any]) -> Any:
        from schema.pagination import load_page

        return await load_page(info, entity, None, None, arguments)

    extension = ConnectionArguments(
        connection_arguments(entity, DEFAULT_ORDERS[entity], filterable=True, orderable=orderable)
    )
    return _field(ConnectionRead(entity, None), description, resolve, extension, graphql_type)
