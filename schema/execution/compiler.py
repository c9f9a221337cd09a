"""From a plan and a request's variables to the document PostgreSQL builds (`api.store.documents`).

Each planned field becomes the JSON value its declaration (`schema.fields.Read`) says, under the
field's response key, in the plan's order. Arguments are coerced as GraphQL coerces them and
bound as statement parameters; the store checks them as it does for Strawberry's resolvers.

Whatever would be an error (an argument the store refuses: `StoreInputError` anywhere; one the
schema's conversion refuses, such as a malformed global ID in a filter; a lookup without id nor
slug; an object wider than PostgreSQL builds in one call) is `Declined`:
the request then runs through Strawberry's execution, which reports the error exactly as GraphQL
specifies (its path, the null it propagates). The compiled path answers only requests that
succeed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graphql import GraphQLError, get_named_type
from graphql.execution.values import VariableValues

from api.settings import Settings
from api.store.changes import BoundPosition, FeedPosition, FeedShape, seen_json
from api.store.document_shapes import (
    MAX_MEMBERS,
    BoundaryCursor,
    ColumnValue,
    ConstantValue,
    EncodedId,
    EventBuckets,
    FeedPage,
    IndependentSourceCount,
    JsonArray,
    JsonMembers,
    JsonObject,
    JsonValue,
    MoreRows,
    NameValue,
    PageObject,
    PageRows,
    ParamValue,
    ReferencedObject,
    RelatedList,
    RelatedValues,
    RowByKey,
    RowCount,
    RowCursor,
    SameRowObject,
    SearchResults,
    TreatyStatusValue,
    TypedId,
    TypedObject,
    ValueFormat,
)
from api.store.entities import ENTITIES, SEARCHED_BY_DEFAULT, Entity
from api.store.errors import StoreInputError
from api.store.filters import bind_filter
from api.store.pagination import bind_page
from api.store.params import Params, ParamType
from api.store.relations import VALUE_LISTS, Related, RelatedShape
from api.store.search import DEFAULT_SEARCH_SIZE
from api.vocabulary import ChangeOp
from schema.errors import BadUserInputError
from schema.execution.plan import OperationPlan, PlannedField
from schema.fields import (
    ChangesRead,
    ColumnRead,
    ConnectionRead,
    EmbeddedRead,
    GlobalIdRead,
    IndependentSourcesRead,
    LookupRead,
    NameRead,
    PagePartRead,
    ReferenceRead,
    RelatedRead,
    RootRead,
    TreatyStatusRead,
    given,
)
from schema.filters import optional_store_filter
from schema.global_ids import global_id_prefix, node_key
from schema.ordering import to_store_order
from schema.pagination import page_request

PAGE_INFO: dict[str, JsonValue] = {
    "hasNextPage": MoreRows.AFTER,
    "hasPreviousPage": MoreRows.BEFORE,
    "startCursor": BoundaryCursor.FIRST,
    "endCursor": BoundaryCursor.LAST,
}
"""What each field of `PageInfo` is, in the store's terms (the Relay specification's)."""


Element = Callable[[PlannedField], JsonObject]
"""How the compiled path builds each item of a page from the field that selects it."""


class Declined(Exception):  # noqa: N818 (a verdict, not a failure)
    """The compiled path does not answer this request; Strawberry's execution will."""


@dataclass(frozen=True)
class RequestValues:
    """What a compiled read needs from the request besides its variables."""

    settings: Settings
    today: date
    rate_limit: Mapping[str, Any]
    """The numbers `Query.rateLimit` answers: limit, cost, remaining, reset_at."""


class _Compiler:
    def __init__(self, variables: VariableValues, values: RequestValues) -> None:
        self.variables = variables
        self.values = values
        self.params = Params()

    def arguments(self, field: PlannedField) -> dict[str, Any]:
        try:
            return field.arguments(self.variables)
        except GraphQLError as error:
            raise Declined(f"an argument of {field.key}: {error.message}") from None

    def object(self, fields: tuple[PlannedField, ...], type_name: str) -> JsonObject:
        if len(fields) > MAX_MEMBERS:
            raise Declined(f"{len(fields)} fields on one {type_name}")
        return JsonObject(tuple((field.key, self.value(field, type_name)) for field in fields))

    def selected(self, field: PlannedField, type_name: str | None = None) -> JsonObject:
        """The object of `field`'s selection (of `type_name`, for an abstract field)."""
        assert field.selection is not None
        by_type = field.selection.by_type
        name = type_name or next(iter(by_type))
        return self.object(by_type[name], name)

    def value(self, field: PlannedField, type_name: str) -> JsonValue:
        read = field.read
        if field.definition is None:
            return ConstantValue(type_name)  # __typename
        match read:
            case ColumnRead(column=column):
                instant = get_named_type(field.definition.type).name == "DateTime"
                return ColumnValue(column, ValueFormat.INSTANT if instant else ValueFormat.PLAIN)
            case GlobalIdRead():
                return EncodedId(global_id_prefix(type_name))
            case EmbeddedRead(present_if=present_if):
                return SameRowObject(self.selected(field), present_if)
            case ReferenceRead(column=column, target=target, otherwise=otherwise):
                return ReferencedObject(column, target, self.selected(field), otherwise)
            case RelatedRead(relation=relation):
                shape = self.related_shape(field, relation)
                if field.selection is None:
                    return RelatedValues(shape, VALUE_LISTS[relation])
                return RelatedList(shape, self.selected(field))
            case IndependentSourcesRead(entity=entity):
                return IndependentSourceCount(entity)
            case ConnectionRead(entity=entity, connection=connection):
                arguments = self.arguments(field)
                request = page_request(arguments)
                source, _ = bind_page(
                    entity,
                    connection,
                    optional_store_filter(arguments.get("filter")),
                    to_store_order(arguments.get("orderBy")),
                    request,
                    self.values.settings,
                    self.params,
                )
                node_type = ENTITIES[entity].type_name
                parts = self.page_parts(field, lambda part: self.selected(part, node_type))
                return PageObject(source, parts)
            case NameRead(names=names):
                language = given(self.arguments(field).get("language"))
                param = None if language is None else self.params.add(language, ParamType.TEXT)
                return NameValue(names, param)
            case TreatyStatusRead():
                as_of = given(self.arguments(field).get("asOf")) or self.values.today
                return TreatyStatusValue(self.params.add(as_of, ParamType.DATE))
            case LookupRead(entity=entity):
                return self.lookup(field, entity)
            case RootRead(name=name):
                return self.root(field, name)
            case PagePartRead():
                raise AssertionError("page parts are compiled with their page")
            case ChangesRead(history=False):
                return self.feed(field)
            case ChangesRead(history=True):
                raise Declined(f"{field.key}: a node's history is left to Strawberry's execution")
        raise Declined(f"{field.key} has no declared read")

    def related_shape(self, field: PlannedField, relation: Related) -> RelatedShape:
        if field.definition is not None and not field.definition.args:
            return RelatedShape(relation)
        arguments = self.arguments(field)
        role, kind = given(arguments.get("role")), given(arguments.get("kind"))
        text = given(arguments.get("field", arguments.get("language")))
        return RelatedShape(
            relation,
            role=role.value if role is not None else None,
            relation_kind=kind.value if kind is not None else None,
            text=None if text is None else self.params.add(text, ParamType.TEXT),
        )

    def page_parts(self, field: PlannedField, element: Element) -> JsonObject:
        """The parts of a page whose items are each `element` of their field."""
        assert field.selection is not None
        ((connection_type, parts),) = field.selection.by_type.items()
        members: list[tuple[str, JsonValue]] = []
        for part in parts:
            name = part.name
            if part.definition is None:
                members.append((part.key, ConstantValue(connection_type)))
            elif name == "totalCount":
                members.append((part.key, RowCount()))
            elif name == "nodes":
                members.append((part.key, PageRows(element(part))))
            elif name == "edges":
                members.append((part.key, PageRows(self.edge(part, element))))
            else:
                members.append((part.key, self.page_info(part)))
        return JsonObject(tuple(members))

    def edge(self, field: PlannedField, element: Element) -> JsonObject:
        assert field.selection is not None
        ((edge_type, parts),) = field.selection.by_type.items()
        members: list[tuple[str, JsonValue]] = []
        for part in parts:
            if part.definition is None:
                members.append((part.key, ConstantValue(edge_type)))
            elif part.name == "cursor":
                members.append((part.key, RowCursor()))
            else:
                members.append((part.key, SameRowObject(element(part))))
        return JsonObject(tuple(members))

    def page_info(self, field: PlannedField) -> JsonObject:
        assert field.selection is not None
        ((info_type, parts),) = field.selection.by_type.items()
        members: list[tuple[str, JsonValue]] = []
        for part in parts:
            if part.definition is None:
                members.append((part.key, ConstantValue(info_type)))
            else:
                members.append((part.key, PAGE_INFO[part.name]))
        return JsonObject(tuple(members))

    def node(self, field: PlannedField, global_id: str, expected: Entity | None) -> JsonValue:
        key = node_key(global_id, expected)
        if key is None:
            return ConstantValue(None)
        entity, uuid = key
        type_name = ENTITIES[entity].type_name
        obj = self.selected(field, type_name)
        return RowByKey(entity, self.params.add(uuid, ParamType.UUID), None, obj)

    def lookup(self, field: PlannedField, entity: Entity) -> JsonValue:
        arguments = self.arguments(field)
        global_id, slug = given(arguments.get("id")), given(arguments.get("slug"))
        if global_id is None and slug is None:
            raise Declined(f"{field.key} needs an id or a slug")
        if global_id is None:
            obj = self.selected(field)
            return RowByKey(entity, None, self.params.add(slug, ParamType.TEXT), obj)
        found = self.node(field, global_id, entity)
        if isinstance(found, RowByKey) and slug is not None:
            slug_param = self.params.add(slug, ParamType.TEXT)
            return RowByKey(found.entity, found.id, slug_param, found.object)
        return found

    def root(self, field: PlannedField, name: str) -> JsonValue:
        arguments = self.arguments(field)
        if name == "node":
            return self.node(field, arguments["id"], None)
        if name == "nodes":
            return JsonArray(tuple(self.node(field, item, None) for item in arguments["ids"]))
        if name == "search":
            return self.search(field, arguments)
        if name == "eventCounts":
            filter = bind_filter(
                Entity.EVENT, optional_store_filter(arguments.get("filter")), self.params
            )
            return EventBuckets(filter, arguments["groupBy"].value, self.selected(field))
        assert name == "rateLimit"
        return self.rate_limit(field)

    def search(self, field: PlannedField, arguments: dict[str, Any]) -> JsonValue:
        query: str = arguments["query"]
        first = arguments.get("first")
        size = DEFAULT_SEARCH_SIZE if first is None else first
        if not query.strip() or not 0 <= size <= self.values.settings.max_page_size:
            raise Declined("a search the store refuses")
        chosen = given(arguments.get("types"))
        entities = SEARCHED_BY_DEFAULT if chosen is None else tuple(item.value for item in chosen)
        types = tuple(
            (entity, self.selected(field, ENTITIES[entity].type_name)) for entity in entities
        )
        return SearchResults(
            self.params.add(query, ParamType.TEXT), self.params.add(size, ParamType.INTEGER), types
        )

    def feed(self, field: PlannedField) -> FeedPage:
        """A page of `Query.changes`, checked as `Store.changes` checks it."""
        arguments = self.arguments(field)
        after, chosen, first = (given(arguments.get(name)) for name in ("after", "types", "first"))
        settings = self.values.settings
        size = settings.default_page_size if first is None else first
        if not 0 <= size <= settings.max_page_size:
            raise Declined(f"{field.key}: first must be between 0 and {settings.max_page_size}")
        position = None if after is None else FeedPosition.of_cursor(after)
        params = self.params
        types = None
        if chosen is not None:
            types = params.add([item.value.value for item in chosen], ParamType.TEXT_ARRAY)
        shape = FeedShape(
            None if position is None else BoundPosition.of(position, params),
            types,
            params.add(size + 1, ParamType.INTEGER),
        )
        seen, reached = None, None
        if position is not None:
            if position.seen is not None:
                seen = params.add(seen_json(position.seen), ParamType.TEXT)
            vouched = max((position.xid, position.change_id), position.pruned)
            reached = (
                params.add(vouched[0], ParamType.BIGINT),
                params.add(vouched[1], ParamType.BIGINT),
            )
        size_param = params.add(size, ParamType.INTEGER)
        return FeedPage(shape, size_param, seen, reached, self.page_parts(field, self.change))

    def change(self, field: PlannedField) -> JsonObject:
        """A `Change` of a feed page, over a row of the change log."""
        assert field.selection is not None
        ((type_name, parts),) = field.selection.by_type.items()
        members: list[tuple[str, JsonValue]] = []
        for part in parts:
            if part.definition is None:
                members.append((part.key, ConstantValue(type_name)))
            elif part.name == "cursor":
                members.append((part.key, RowCursor()))
            elif part.name == "nodeId":
                prefixes = tuple(
                    (entity.value, global_id_prefix(spec.type_name))
                    for entity, spec in ENTITIES.items()
                )
                members.append((part.key, TypedId("node_id", "type", prefixes)))
            elif part.name == "fields":
                inner = ("before", "after")
                members.append(
                    (part.key, JsonMembers("fields", "name", inner, self.selected(part)))
                )
            elif part.name == "node":
                members.append((part.key, self.changed_node(part)))
            else:
                members.append((part.key, self.value(part, type_name)))
        return JsonObject(tuple(members))

    def changed_node(self, field: PlannedField) -> TypedObject:
        """`Change.node`: the node as `node(id)` reads it, null for a DELETE."""
        assert field.selection is not None
        by_type_name = {spec.type_name: entity for entity, spec in ENTITIES.items()}
        objects = tuple(
            (by_type_name[name], self.selected(field, name))
            for name in field.selection.by_type
            if name in by_type_name
        )
        return TypedObject("node_id", "type", objects, ("op", ChangeOp.DELETE.value))

    def rate_limit(self, field: PlannedField) -> JsonObject:
        assert field.selection is not None
        ((type_name, parts),) = field.selection.by_type.items()
        numbers = self.values.rate_limit
        members: list[tuple[str, JsonValue]] = []
        for part in parts:
            if part.definition is None:
                members.append((part.key, ConstantValue(type_name)))
                continue
            assert isinstance(part.read, ColumnRead)
            value = numbers[part.read.column]
            if isinstance(value, datetime):
                param = self.params.add(value.isoformat(), ParamType.TEXT)
            else:
                param = self.params.add(value, ParamType.INTEGER)
            members.append((part.key, ParamValue(param)))
        return JsonObject(tuple(members))


def compile_data(
    plan: OperationPlan, variables: VariableValues, values: RequestValues
) -> tuple[JsonObject, Params]:
    """The document of `plan`'s `data`, and its parameters; `Declined` when the compiled path
    does not answer the request."""
    if plan.declined is not None:
        raise Declined(plan.declined)
    if any(variables.coerced.get(name) is None for name in plan.inclusions_read):
        raise Declined("a @skip or @include condition is null")
    compiler = _Compiler(variables, values)
    query_type = plan.fields[0].parent.name if plan.fields else "Query"
    try:
        data = compiler.object(plan.fields, query_type)
    except (StoreInputError, BadUserInputError) as error:
        # Strawberry's execution answers it, with the error where the field is.
        raise Declined(str(error)) from None
    except GraphQLError as error:
        # An argument the schema's own conversion refuses (a filter's malformed global ID).
        raise Declined(error.message) from None
    return data, compiler.params
