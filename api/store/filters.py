"""The one filter compiler: a filter dict for any entity → a SQLAlchemy boolean expression.

Driven by the registry in `api.store.entities`. Relations compile to EXISTS subqueries over fresh
aliases (so an entity can filter on itself, e.g. a participant's country), which PostgreSQL plans
as semi-joins. `not` and `every` use two-valued logic: a row whose inner filter is unknown because
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
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from api.store.entities import (
    ENTITIES,
    Entity,
    Field,
    FilterSpec,
    ListRelation,
    NameField,
    ScalarField,
    ScalarKind,
    SearchField,
    SingleRelation,
    TreatyStatusField,
)
from api.store.errors import StoreInputError
from api.store.search import matches
from api.store.treaties import status_as_of
from api.vocabulary import TreatyStatus

OPERATORS: Mapping[ScalarKind, frozenset[str]] = {
    ScalarKind.ID: frozenset({"eq", "in"}),
    ScalarKind.STRING: frozenset({"eq", "ne", "in", "contains", "starts_with", "is_null"}),
    ScalarKind.INT: frozenset({"eq", "gt", "gte", "lt", "lte", "is_null"}),
    ScalarKind.DATE: frozenset({"eq", "gt", "gte", "lt", "lte", "is_null"}),
    ScalarKind.DATETIME: frozenset({"eq", "gt", "gte", "lt", "lte", "is_null"}),
    ScalarKind.ENUM: frozenset({"eq", "in"}),
}
COMPARISONS: Mapping[str, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    "eq": lambda column, value: column == value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}


def compile_filter(
    entity: Entity, spec: FilterSpec | None, table: FromClause | None = None
) -> ColumnElement[bool]:
    """The condition `spec` puts on rows of `entity`'s table (or of `table`, an alias of it)."""
    target = ENTITIES[entity].table if table is None else table
    if not spec:
        return true()
    return and_(true(), *_conditions(entity, spec, target))


def _conditions(entity: Entity, spec: FilterSpec, table: FromClause) -> list[ColumnElement[bool]]:
    if not isinstance(spec, Mapping):
        raise StoreInputError(f"a {entity.name.lower()} filter must be an object")
    fields = ENTITIES[entity].fields
    conditions = []
    for key, value in spec.items():
        if value is None:
            continue
        if key == "and":
            conditions.append(
                and_(true(), *(_nested(entity, item, table) for item in _list(value)))
            )
        elif key == "or":
            conditions.append(
                or_(false(), *(_nested(entity, item, table) for item in _list(value)))
            )
        elif key == "not":
            conditions.append(_nested(entity, value, table).is_not(True))
        elif key in fields:
            path = f"{entity.name.lower()}.{key}"
            conditions.append(_field(entity, fields[key], value, table, path))
        else:
            raise KeyError(f"{entity.name} has no filter field {key!r}")
    return conditions


def _nested(entity: Entity, spec: FilterSpec, table: FromClause) -> ColumnElement[bool]:
    return and_(true(), *_conditions(entity, spec, table))


def _field(
    entity: Entity, field: Field, value: Any, table: FromClause, path: str
) -> ColumnElement[bool]:
    match field:
        case ScalarField(column=column, kind=kind, enum=enum):
            return _scalar(table.c[column], kind, enum, value, path)
        case SingleRelation(target=target, column=column):
            related = ENTITIES[target].table.alias()
            return exists(
                select(related.c.id).where(
                    related.c.id == table.c[column], compile_filter(target, value, related)
                )
            )
        case ListRelation():
            return _list_relation(field, value, table, path)
        case NameField(names=names, owner_column=owner_column):
            name = names.alias()
            return exists(
                select(name.c.id).where(
                    name.c[owner_column] == table.c.id,
                    _scalar(name.c.value, ScalarKind.STRING, None, value, path),
                )
            )
        case SearchField():
            return matches(entity, table, value)
        case TreatyStatusField():
            status = status_as_of(table, func.current_date())
            return _scalar(status, ScalarKind.ENUM, TreatyStatus, value, path)
    assert_never(field)


def _list_relation(
    relation: ListRelation, value: Any, table: FromClause, path: str
) -> ColumnElement[bool]:
    if not isinstance(value, Mapping):
        raise StoreInputError(f"{path} takes some, every or none")
    target_table = ENTITIES[relation.target].table.alias()
    if relation.link is ENTITIES[relation.target].table:
        # The target holds the reference: no link table to join.
        link = target_table
    else:
        link = relation.link.alias()
    conditions: list[ColumnElement[bool]] = []
    for quantifier, inner in value.items():
        if inner is None:
            continue
        if quantifier not in ("some", "every", "none"):
            raise KeyError(f"{path} has no quantifier {quantifier!r}")
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
    column: ColumnElement[Any], kind: ScalarKind, enum: type[Enum] | None, value: Any, path: str
) -> ColumnElement[bool]:
    if not isinstance(value, Mapping):
        raise StoreInputError(f"{path} takes an object of operators")
    conditions: list[ColumnElement[bool]] = []
    for operator, operand in value.items():
        if operand is None:
            continue
        if operator not in OPERATORS[kind]:
            raise KeyError(f"{path} has no operator {operator!r}")
        where = f"{path}.{operator}"
        if operator == "is_null":
            if not isinstance(operand, bool):
                raise StoreInputError(f"{where} takes true or false")
            conditions.append(column.is_(None) if operand else column.is_not(None))
        elif operator == "in":
            values = [_value(kind, enum, item, where) for item in _list(operand)]
            conditions.append(column.in_(values) if values else false())
        elif operator == "ne":
            conditions.append(column.is_distinct_from(_value(kind, enum, operand, where)))
        elif operator == "contains":
            pattern = _folded(_value(kind, enum, operand, where))
            conditions.append(
                func.eventgraph_fold(column).like(literal("%") + pattern + "%", escape="\\")
            )
        elif operator == "starts_with":
            pattern = _folded(_value(kind, enum, operand, where))
            conditions.append(func.eventgraph_fold(column).like(pattern + "%", escape="\\"))
        else:
            conditions.append(COMPARISONS[operator](column, _value(kind, enum, operand, where)))
    return and_(true(), *conditions)


def _folded(value: str) -> ColumnElement[str]:
    """`value` folded like the indexed text, with LIKE's wildcards escaped to match literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.eventgraph_fold(literal(escaped, Text), type_=Text)


def _list(value: Any) -> Sequence[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise StoreInputError("expected a list")
    return list(value)


def _value(kind: ScalarKind, enum: type[Enum] | None, value: Any, where: str) -> Any:
    """`value` checked against the field's kind; a wrong value is the caller's error."""
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
                return value
            if isinstance(value, str) and value in enum.__members__:
                return enum[value]
    raise StoreInputError(f"{where}: {value!r} is not a valid {kind.name.lower()}")
