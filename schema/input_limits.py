"""The size of every String and list the schema takes, bounded before anything reaches the database.

Each argument and input field whose type is a String, an ID or a list has a limit here: how many
characters a string (each string of a list) may hold, how many items a list. A coordinate
(`Query.search(query:)`, `StringFilter.contains`) finds its limit by itself, else by its name
(`after`, `slug`, …); `unbounded_inputs` lists those that find none (a test keeps it empty, so
that an argument added without a limit fails it). `input_refusal` applies the limits to the
arguments of a plan, with the variables coerced, after the cost's limits and before the budget
is debited: an oversized value is refused with BAD_USER_INPUT naming its coordinate and limit, and
costs no statement. It walks input objects without recursion, as `cost.filter_size` does.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
    is_object_type,
)
from graphql.execution.values import VariableValues

from api.codes import ErrorCode
from schema.errors import CodedError
from schema.execution.plan import OperationPlan, PlannedField
from schema.inputs import WRITE_INPUTS

STRING_TYPES = ("String", "ID")


@dataclass(frozen=True)
class InputLimit:
    """What one kind of input may hold: `characters` per string, `items` per list."""

    what: str
    """How the documentation and the refusal name it."""
    characters: int | None = None
    items: int | None = None


SEARCH_TEXT = InputLimit("search text", characters=500)
CURSOR = InputLimit("a cursor", characters=8_192)
ID = InputLimit("an ID", characters=100)
SLUG = InputLimit("a slug", characters=200)
LANGUAGE = InputLimit("a language tag", characters=35)
FIELD_NAME = InputLimit("a field's name", characters=100)
STRING_OPERAND = InputLimit("a string operand", characters=3_000)
PATTERN_OPERAND = InputLimit("a contains or startsWith operand", characters=1_000)
VALUES_LIST = InputLimit("an `in` list", characters=3_000, items=100)
ID_LIST = InputLimit("a list of IDs", characters=100, items=100)
ENUM_LIST = InputLimit("a list of enum values", items=20)
ORDER_LIST = InputLimit("an orderBy list", items=5)
FILTER_LIST = InputLimit("an and/or list", items=100)
IDEMPOTENCY_KEY = InputLimit("an idempotency key", characters=255)
WRITTEN = InputLimit("a field of a mutation's input", characters=1_000_000, items=10_000)
"""What a mutation's input fields may hold (`schema.inputs`): the request body's limit bounds
them anyway; what a column can store is the write's own check, answered as a userError."""

BY_COORDINATE: dict[str, InputLimit] = {
    "Query.search(query:)": SEARCH_TEXT,
    "Query.search(types:)": ENUM_LIST,
    "Query.changes(types:)": ENUM_LIST,
    "Query.nodes(ids:)": ID_LIST,
    "Subscription.changes(types:)": ENUM_LIST,
    "EventFilter.search": SEARCH_TEXT,
    "StatementFilter.search": SEARCH_TEXT,
    "StringFilter.eq": STRING_OPERAND,
    "StringFilter.ne": STRING_OPERAND,
    "StringFilter.in": VALUES_LIST,
    "StringFilter.contains": PATTERN_OPERAND,
    "StringFilter.startsWith": PATTERN_OPERAND,
    "IDFilter.eq": ID,
    "IDFilter.in": ID_LIST,
}
"""Limits of one argument (`Type.field(argument:)`) or input field (`Input.field`)."""

BY_NAME: dict[str, InputLimit] = {
    "after": CURSOR,
    "before": CURSOR,
    "id": ID,
    "slug": SLUG,
    "language": LANGUAGE,
    "field": FIELD_NAME,
    "orderBy": ORDER_LIST,
    "in": ENUM_LIST,
    "and": FILTER_LIST,
    "or": FILTER_LIST,
    "idempotencyKey": IDEMPOTENCY_KEY,
}
"""Limits of every argument or input field of a name, where no coordinate says otherwise."""


def limit_of(coordinate: str, name: str) -> InputLimit | None:
    limit = BY_COORDINATE.get(coordinate) or BY_NAME.get(name)
    if limit is None and coordinate.split(".", 1)[0] in WRITE_INPUTS:
        return WRITTEN
    return limit


def needs_limit(type_: GraphQLInputType) -> bool:
    """Whether an input of this type can grow without bound: a list, a String or an ID."""
    return is_list_type(get_nullable_type(type_)) or get_named_type(type_).name in STRING_TYPES


def _covers(limit: InputLimit | None, type_: GraphQLInputType) -> bool:
    if limit is None:
        return False
    if is_list_type(get_nullable_type(type_)) and limit.items is None:
        return False
    return get_named_type(type_).name not in STRING_TYPES or limit.characters is not None


def schema_inputs(schema: GraphQLSchema) -> Iterator[tuple[str, str, GraphQLInputType]]:
    """Every argument and input field of the schema's own types: (coordinate, name, type)."""
    named: GraphQLNamedType
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if is_input_object_type(named):
            for field_name, input_field in named.fields.items():
                yield f"{type_name}.{field_name}", field_name, input_field.type
        elif is_object_type(named):
            for field_name, field in named.fields.items():
                for argument_name, argument in field.args.items():
                    coordinate = f"{type_name}.{field_name}({argument_name}:)"
                    yield coordinate, argument_name, argument.type


def unbounded_inputs(schema: GraphQLSchema) -> list[str]:
    """The coordinates of Strings, IDs and lists that no limit covers (there should be none)."""
    return [
        coordinate
        for coordinate, name, type_ in schema_inputs(schema)
        if needs_limit(type_) and not _covers(limit_of(coordinate, name), type_)
    ]


def _too_large(coordinate: str, limit: InputLimit, size: int, unit: str) -> CodedError:
    most = limit.characters if unit == "characters" else limit.items
    return CodedError(
        f"{coordinate} takes at most {most:,} {unit} ({limit.what}), not {size:,}.",
        ErrorCode.BAD_USER_INPUT,
    )


def _value_refusal(
    value: Any, type_: GraphQLInputType, coordinate: str, name: str
) -> CodedError | None:
    """The first value under `value` (of `type_`) that is over its limit, as a refusal."""
    pending: list[tuple[Any, GraphQLInputType, str, str]] = [(value, type_, coordinate, name)]
    while pending:
        item, item_type, where, item_name = pending.pop()
        if item is None:
            continue
        nullable = get_nullable_type(item_type)
        limit = limit_of(where, item_name)
        if isinstance(nullable, GraphQLList):
            if limit is not None and limit.items is not None and len(item) > limit.items:
                return _too_large(where, limit, len(item), "items")
            pending.extend((element, nullable.of_type, where, item_name) for element in item)
        elif is_input_object_type(nullable):
            fields: Mapping[str, GraphQLInputField] = nullable.fields
            by_key = {field.out_name or key: (key, field) for key, field in fields.items()}
            for key, member in item.items():
                field_name, field = by_key[key]
                pending.append((member, field.type, f"{nullable}.{field_name}", field_name))
        elif (
            isinstance(item, str)
            and limit is not None
            and limit.characters is not None
            and len(item) > limit.characters
        ):
            return _too_large(where, limit, len(item), "characters")
    return None


def _planned(fields: tuple[PlannedField, ...]) -> Iterator[PlannedField]:
    pending = list(fields)
    while pending:
        field = pending.pop()
        yield field
        if field.selection is not None:
            for selected in field.selection.by_type.values():
                pending.extend(selected)


def input_refusal(plan: OperationPlan, variables: VariableValues) -> CodedError | None:
    """Why the arguments of `plan` may not run: the first string or list over its limit."""
    for field in _planned(plan.fields):
        if field.definition is None or not field.node.arguments:
            continue
        try:
            arguments = field.arguments(variables)
        except GraphQLError:
            continue  # a null where the schema wants a value: execution reports it
        definitions: Mapping[str, GraphQLArgument] = field.definition.args
        for name, value in arguments.items():
            coordinate = f"{field.parent.name}.{field.name}({name}:)"
            refused = _value_refusal(value, definitions[name].type, coordinate, name)
            if refused is not None:
                return refused
    return None
