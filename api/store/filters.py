"""The one filter compiler: a filter dict for any entity → a shape, its values, and its SQL.

Driven by the registry in `api.store.entities`. A filter is bound in two steps: `bind_filter`
checks a request's filter dict and turns it into a hashable shape whose operands are `Param`s
(their values go into the read's `Params`); `compile_filter` turns a shape into a SQLAlchemy
boolean expression, once per shape. Relations compile to EXISTS subqueries over fresh aliases (so
an entity can filter on itself, e.g. a participant's country), which PostgreSQL plans as
semi-joins. `not` and `every` use two-valued logic: a row whose inner filter is unknown because
of a NULL counts as not matching, so `not` returns exactly the rows the inner filter does not.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, assert_never
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Text,
    and_,
    any_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from api.db import tables
from api.store.claims import INDEPENDENT_SOURCES, disputed
from api.store.entities import (
    ENTITIES,
    DisputedField,
    Entity,
    Field,
    FilterSpec,
    IndependentSourcesField,
    ListRelation,
    NameField,
    RenderingLanguageField,
    ScalarField,
    ScalarKind,
    SearchField,
    SingleRelation,
    TreatyStatusField,
)
from api.store.errors import StoreInputError
from api.store.params import Param, Params, ParamType
from api.store.search import matches
from api.store.treaties import status_as_of
from api.vocabulary import TreatyStatus

FilterShape = tuple[tuple[str, Any], ...]
"""A bound filter: (key, part) pairs in the order given. A part is a nested shape (relations,
`not`), a tuple of shapes (`and`, `or`), (operator, operand) pairs (scalars; the operand a
`Param`, or a bool for `is_null`), (quantifier, shape) pairs (list relations), or a `Param`
(`search`)."""

OPERATORS: Mapping[ScalarKind, frozenset[str]] = {
    ScalarKind.ID: frozenset({"eq", "in"}),
    ScalarKind.STRING: frozenset({"eq", "ne", "in", "contains", "starts_with", "is_null"}),
    ScalarKind.INT: frozenset({"eq", "gt", "gte", "lt", "lte", "is_null"}),
    ScalarKind.DATE: frozenset({"eq", "gt", "gte", "lt", "lte", "is_null"}),
    ScalarKind.DATETIME: frozenset({"eq", "gt", "gte", "lt", "lte"}),
    ScalarKind.ENUM: frozenset({"eq", "in"}),
}
COMPARISONS: Mapping[str, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    "eq": lambda column, value: column == value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}
PARAM_TYPES: Mapping[ScalarKind, ParamType] = {
    ScalarKind.ID: ParamType.UUID,
    ScalarKind.STRING: ParamType.TEXT,
    ScalarKind.INT: ParamType.INTEGER,
    ScalarKind.DATE: ParamType.DATE,
    ScalarKind.DATETIME: ParamType.TIMESTAMPTZ,
    ScalarKind.ENUM: ParamType.TEXT,
}
ARRAY_TYPES: Mapping[ParamType, ParamType] = {
    ParamType.UUID: ParamType.UUID_ARRAY,
    ParamType.TEXT: ParamType.TEXT_ARRAY,
}
QUANTIFIERS = ("some", "every", "none")


# ---------------------------------------------------------------- binding: dict → shape


def bind_filter(entity: Entity, spec: FilterSpec | None, params: Params) -> FilterShape:
    """The shape of `spec` (an empty shape matches everything); its values go into `params`."""
    if not spec:
        return ()
    return _bind(entity, spec, params, entity.name.lower())


def _bind(entity: Entity, spec: FilterSpec, params: Params, path: str) -> FilterShape:
    if not isinstance(spec, Mapping):
        raise StoreInputError(f"{path}: a filter must be an object")
    fields = ENTITIES[entity].fields
    shape: list[tuple[str, Any]] = []
    for key, value in spec.items():
        if value is None:
            continue
        where = f"{path}.{key}"
        if key in ("and", "or"):
            items = tuple(_bind(entity, item, params, where) for item in _list(value, where))
            shape.append((key, items))
        elif key == "not":
            shape.append((key, _bind(entity, value, params, where)))
        elif key in fields:
            shape.append((key, _bind_field(fields[key], value, params, where)))
        else:
            # The GraphQL inputs offer only registered fields: another key is a bug, not input.
            raise KeyError(f"{entity.name} has no filter field {key!r}")
    return tuple(shape)


def _bind_field(field: Field, value: Any, params: Params, path: str) -> Any:
    match field:
        case ScalarField(kind=kind, enum=enum):
            return _bind_scalar(kind, enum, value, params, path)
        case SingleRelation(target=target):
            return _bind(target, value, params, path)
        case ListRelation(target=target):
            if not isinstance(value, Mapping):
                raise StoreInputError(f"{path} takes some, every or none")
            quantified = []
            for quantifier, inner in value.items():
                if inner is None:
                    continue
                if quantifier not in QUANTIFIERS:
                    raise KeyError(f"{path} has no quantifier {quantifier!r}")
                quantified.append(
                    (quantifier, _bind(target, inner, params, f"{path}.{quantifier}"))
                )
            return tuple(quantified)
        case NameField() | RenderingLanguageField():
            return _bind_scalar(ScalarKind.STRING, None, value, params, path)
        case IndependentSourcesField():
            return _bind_scalar(ScalarKind.INT, None, value, params, path)
        case DisputedField():
            if not isinstance(value, bool):
                raise StoreInputError(f"{path} takes true or false")
            return value
        case SearchField():
            if not isinstance(value, str) or not value.strip():
                raise StoreInputError(f"{path}: a search needs some text")
            return params.add(value, ParamType.TEXT)
        case TreatyStatusField():
            return _bind_scalar(ScalarKind.ENUM, TreatyStatus, value, params, path)
    assert_never(field)


def _bind_scalar(
    kind: ScalarKind, enum: type[Enum] | None, value: Any, params: Params, path: str
) -> tuple[tuple[str, Any], ...]:
    if not isinstance(value, Mapping):
        raise StoreInputError(f"{path} takes an object of operators")
    operations: list[tuple[str, Any]] = []
    for operator, operand in value.items():
        if operand is None:
            continue
        if operator not in OPERATORS[kind]:
            raise KeyError(f"{path} has no operator {operator!r}")
        where = f"{path}.{operator}"
        if operator == "is_null":
            if not isinstance(operand, bool):
                raise StoreInputError(f"{where} takes true or false")
            operations.append((operator, operand))
        elif operator == "in":
            values = [_value(kind, enum, item, where) for item in _list(operand, where)]
            operations.append((operator, params.add(values, ARRAY_TYPES[PARAM_TYPES[kind]])))
        elif operator in ("contains", "starts_with"):
            text = _value(kind, enum, operand, where)
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            operations.append((operator, params.add(escaped, ParamType.TEXT)))
        else:
            operand = _value(kind, enum, operand, where)
            operations.append((operator, params.add(operand, PARAM_TYPES[kind])))
    return tuple(operations)


def _list(value: Any, where: str) -> Sequence[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise StoreInputError(f"{where}: expected a list")
    return list(value)


def _value(kind: ScalarKind, enum: type[Enum] | None, value: Any, where: str) -> Any:
    """`value` checked against the field's kind, as PostgreSQL stores it."""
    match kind:
        case ScalarKind.ID:
            if isinstance(value, UUID):
                return value
            try:
                return UUID(str(value))
            except ValueError:
                raise StoreInputError(f"{where}: {value!r} is not an id") from None
        case ScalarKind.STRING if isinstance(value, str):
            return value
        case ScalarKind.INT if isinstance(value, int) and not isinstance(value, bool):
            return value
        case ScalarKind.DATE if isinstance(value, date) and not isinstance(value, datetime):
            return value
        case ScalarKind.DATETIME if isinstance(value, datetime):
            if value.tzinfo is None:
                raise StoreInputError(f"{where}: a date-time needs a UTC offset")
            return value
        case ScalarKind.ENUM:
            assert enum is not None
            if isinstance(value, enum):
                return value.name
            if isinstance(value, str) and value in enum.__members__:
                return value
    raise StoreInputError(f"{where}: {value!r} is not a valid {kind.name.lower()}")


# ---------------------------------------------------------------- compiling: shape → SQL


def compile_filter(
    entity: Entity, shape: FilterShape, table: FromClause | None = None
) -> ColumnElement[bool]:
    """The condition `shape` puts on rows of `entity`'s table (or of `table`, an alias of it)."""
    target = ENTITIES[entity].table if table is None else table
    return and_(true(), *_conditions(entity, shape, target))


def _conditions(entity: Entity, shape: FilterShape, table: FromClause) -> list[ColumnElement[bool]]:
    fields = ENTITIES[entity].fields
    conditions: list[ColumnElement[bool]] = []
    for key, part in shape:
        if key == "and":
            conditions.append(and_(true(), *(compile_filter(entity, item, table) for item in part)))
        elif key == "or":
            conditions.append(or_(false(), *(compile_filter(entity, item, table) for item in part)))
        elif key == "not":
            conditions.append(compile_filter(entity, part, table).is_not(True))
        else:
            conditions.append(_field(entity, fields[key], part, table))
    return conditions


def _field(entity: Entity, field: Field, part: Any, table: FromClause) -> ColumnElement[bool]:
    match field:
        case ScalarField(column=column):
            return _scalar(table.c[column], part)
        case SingleRelation(target=target, column=column):
            related = ENTITIES[target].table.alias()
            return exists(
                select(related.c.id).where(
                    related.c.id == table.c[column], compile_filter(target, part, related)
                )
            )
        case ListRelation():
            return _list_relation(field, part, table)
        case NameField(names=names, owner_column=owner_column):
            name = names.alias()
            return exists(
                select(name.c.id).where(
                    name.c[owner_column] == table.c.id, _scalar(name.c.value, part)
                )
            )
        case SearchField():
            return matches(entity, table, part)
        case TreatyStatusField():
            status = status_as_of(table.c.id, table.c.expires_on, func.current_date())
            return _scalar(status, part)
        case IndependentSourcesField():
            return _scalar(INDEPENDENT_SOURCES[entity](table.c.id), part)
        case DisputedField():
            found = disputed(entity, table.c.id)
            return found if part else ~found
        case RenderingLanguageField():
            renderings = tables.statement_renderings.alias()
            other = select(renderings.c.id).where(
                renderings.c.statement_id == table.c.id, _scalar(renderings.c.language, part)
            )
            return or_(_scalar(table.c.language, part), exists(other))
    assert_never(field)


def _list_relation(
    relation: ListRelation, quantified: Sequence[tuple[str, FilterShape]], table: FromClause
) -> ColumnElement[bool]:
    target_table = ENTITIES[relation.target].table.alias()
    link: FromClause
    if relation.link is ENTITIES[relation.target].table:
        # The target holds the reference: no link table to join.
        link = target_table
    else:
        link = relation.link.alias()
    conditions: list[ColumnElement[bool]] = []
    for quantifier, inner in quantified:
        linked = select(link.c[relation.own_column]).where(
            link.c[relation.own_column] == table.c.id
        )
        if link is not target_table:
            linked = linked.join_from(
                link, target_table, target_table.c.id == link.c[relation.target_column]
            )
        matching = compile_filter(relation.target, inner, target_table)
        if quantifier == "some":
            conditions.append(exists(linked.where(matching)))
        elif quantifier == "every":
            conditions.append(~exists(linked.where(matching.is_not(True))))
        else:
            conditions.append(~exists(linked.where(matching)))
    return and_(true(), *conditions)


def _scalar(
    column: ColumnElement[Any], operations: Sequence[tuple[str, Any]]
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for operator, operand in operations:
        if operator == "is_null":
            conditions.append(column.is_(None) if operand else column.is_not(None))
        elif operator == "in":
            conditions.append(column == any_(operand.sql()))
        elif operator == "ne":
            conditions.append(column.is_distinct_from(operand.sql()))
        elif operator == "contains":
            pattern = _folded(operand)
            conditions.append(
                func.eventgraph_fold(column).like(literal("%") + pattern + "%", escape="\\")
            )
        elif operator == "starts_with":
            conditions.append(
                func.eventgraph_fold(column).like(_folded(operand) + "%", escape="\\")
            )
        else:
            conditions.append(COMPARISONS[operator](column, operand.sql()))
    return and_(true(), *conditions)


def _folded(operand: Param) -> ColumnElement[str]:
    """An escaped pattern folded like the indexed text, so that it matches it literally."""
    return func.eventgraph_fold(operand.sql(), type_=Text)
