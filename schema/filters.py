"""The filter inputs of the contract, and their conversion to the store's plain dicts.

One filter language for every type: and/or/not compose, a field left out (or null) does not
filter, list relations take some/every/none. The conditions on a value (`StringFilter`, …) are
written here; each entity's `XFilter` and `XListFilter` are made from its declared filter fields
(`api.store.entities`). `to_store_filter` turns any of these inputs into the dict `api.store`
compiles: snake_case keys, enums as `api.vocabulary` members, IDs as UUIDs.
"""

import dataclasses
import re
from collections.abc import Hashable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types.base import has_object_definition

from api import vocabulary
from api.store.entities import (
    ENTITIES,
    DisputedField,
    Entity,
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
from api.store.entities import Field as StoreField
from schema.enums import (
    EventFormat,
    EventKind,
    EventStatus,
    ParticipantKind,
    SourceKind,
    StatementKind,
    TreatyStatus,
)
from schema.errors import BadUserInputError
from schema.global_ids import decode_global_id

UNSET: Any = strawberry.UNSET


def _field(description: str, name: str | None = None) -> Any:
    return strawberry.field(default=UNSET, description=description, name=name)


# ---------------------------------------------------------------- scalar filters


@strawberry.input(
    description="Conditions on a text; contains and startsWith ignore case and accents."
)
class StringFilter:
    eq: str | None = _field("Exactly this text.")
    ne: str | None = _field("Anything but exactly this text.")
    in_: list[str] | None = _field("One of these texts, exactly.", name="in")
    contains: str | None = _field(
        'Contains this text, ignoring case and accents ("poutine" finds "Poutine").'
    )
    starts_with: str | None = _field("Starts with this text, ignoring case and accents.")
    is_null: bool | None = _field("True: the value is absent; false: it is present.")


@strawberry.input(description="Conditions on a global ID.")
class IDFilter:
    eq: strawberry.ID | None = _field("Exactly this ID.")
    in_: list[strawberry.ID] | None = _field("One of these IDs.", name="in")


@strawberry.input(description="Conditions on a whole number.")
class IntFilter:
    eq: int | None = _field("Equal to this number.")
    gt: int | None = _field("Greater than this number.")
    gte: int | None = _field("Greater than or equal to this number.")
    lt: int | None = _field("Less than this number.")
    lte: int | None = _field("Less than or equal to this number.")
    is_null: bool | None = _field("True: the value is absent; false: it is present.")


@strawberry.input(description="Conditions on a calendar date.")
class DateFilter:
    eq: date | None = _field("On this day.")
    gt: date | None = _field("After this day.")
    gte: date | None = _field("On or after this day.")
    lt: date | None = _field("Before this day.")
    lte: date | None = _field("On or before this day.")
    is_null: bool | None = _field("True: the date is absent; false: it is present.")


@strawberry.input(description="Conditions on an instant.")
class DateTimeFilter:
    eq: datetime | None = _field("At this instant.")
    gt: datetime | None = _field("After this instant.")
    gte: datetime | None = _field("At or after this instant.")
    lt: datetime | None = _field("Before this instant.")
    lte: datetime | None = _field("At or before this instant.")


@strawberry.input(description="Conditions on an event kind.")
class EventKindFilter:
    eq: EventKind | None = _field("Of this kind.")
    in_: list[EventKind] | None = _field("Of one of these kinds.", name="in")


@strawberry.input(description="Conditions on an event format.")
class EventFormatFilter:
    eq: EventFormat | None = _field("In this format.")
    in_: list[EventFormat] | None = _field("In one of these formats.", name="in")


@strawberry.input(description="Conditions on an event status.")
class EventStatusFilter:
    eq: EventStatus | None = _field("With this status.")
    in_: list[EventStatus] | None = _field("With one of these statuses.", name="in")


@strawberry.input(description="Conditions on a statement kind.")
class StatementKindFilter:
    eq: StatementKind | None = _field("Of this kind.")
    in_: list[StatementKind] | None = _field("Of one of these kinds.", name="in")


@strawberry.input(description="Conditions on a participant kind.")
class ParticipantKindFilter:
    eq: ParticipantKind | None = _field("Of this kind.")
    in_: list[ParticipantKind] | None = _field("Of one of these kinds.", name="in")


@strawberry.input(description="Conditions on a source kind.")
class SourceKindFilter:
    eq: SourceKind | None = _field("Of this kind.")
    in_: list[SourceKind] | None = _field("Of one of these kinds.", name="in")


@strawberry.input(description="Conditions on a treaty status, as of today.")
class TreatyStatusFilter:
    eq: TreatyStatus | None = _field("With this status today.")
    in_: list[TreatyStatus] | None = _field("With one of these statuses today.", name="in")


# ---------------------------------------------------------------- entity filters, derived

ENUM_FILTERS: Mapping[type[Enum], type] = {
    vocabulary.EventKind: EventKindFilter,
    vocabulary.EventFormat: EventFormatFilter,
    vocabulary.EventStatus: EventStatusFilter,
    vocabulary.StatementKind: StatementKindFilter,
    vocabulary.ParticipantKind: ParticipantKindFilter,
    vocabulary.SourceKind: SourceKindFilter,
}
"""The filter input of each closed vocabulary a filter field may hold."""

SCALAR_FILTERS: Mapping[ScalarKind, type] = {
    ScalarKind.ID: IDFilter,
    ScalarKind.STRING: StringFilter,
    ScalarKind.INT: IntFilter,
    ScalarKind.DATE: DateFilter,
    ScalarKind.DATETIME: DateTimeFilter,
}


def _filter_name(entity: Entity) -> str:
    return f"{ENTITIES[entity].type_name}Filter"


def _list_filter_name(entity: Entity) -> str:
    return f"{ENTITIES[entity].type_name}ListFilter"


def _condition(field: StoreField) -> str:
    """The annotation of a filter field: its input's name, resolved in this module."""
    match field:
        case ScalarField(kind=ScalarKind.ENUM, enum=enum) if enum is not None:
            return f"{ENUM_FILTERS[enum].__name__} | None"
        case ScalarField(kind=kind):
            return f"{SCALAR_FILTERS[kind].__name__} | None"
        case SingleRelation(target=target):
            return f"{_filter_name(target)} | None"
        case ListRelation(target=target):
            return f"{_list_filter_name(target)} | None"
        case NameField() | RenderingLanguageField():
            return "StringFilter | None"
        case IndependentSourcesField():
            return "IntFilter | None"
        case DisputedField():
            return "bool | None"
        case SearchField():
            return "str | None"
        case TreatyStatusField():
            return "TreatyStatusFilter | None"
    raise TypeError(f"no filter input for {field!r}")


def _input(name: str, description: str, fields: Mapping[str, tuple[str, Any]]) -> type:
    """A Strawberry input class named `name`, made a global of this module so that the string
    annotations of the other inputs (which may refer to each other) resolve to it."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__annotations__": {key: annotation for key, (annotation, _) in fields.items()},
        **{key: default for key, (_, default) in fields.items()},
    }
    made = strawberry.input(type(name, (), namespace), description=description)
    globals()[name] = made
    return made


def _entity_filter(entity: Entity) -> type:
    spec, name = ENTITIES[entity], _filter_name(entity)
    fields: dict[str, tuple[str, Any]] = {
        "and_": (f"list[{name}] | None", _field(_AND, name="and")),
        "or_": (f"list[{name}] | None", _field(_OR, name="or")),
        "not_": (f"{name} | None", _field(_NOT, name="not")),
    }
    for key, field in spec.fields.items():
        fields[key] = (_condition(field), _field(field.description))
    return _input(name, f"Which {spec.plural} to keep. Fields combine with AND.", fields)


def _list_filter(entity: Entity) -> type:
    item = f"{_filter_name(entity)} | None"
    return _input(
        _list_filter_name(entity),
        f"Conditions on a list of {ENTITIES[entity].plural}.",
        {key: (item, _field(description)) for key, description in _QUANTIFIERS.items()},
    )


_QUANTIFIERS = {
    "some": "At least one related item matches.",
    "every": "Every related item matches (true when there is none).",
    "none": "No related item matches.",
}
_AND = "Every one of these filters matches."
_OR = "At least one of these filters matches."
_NOT = "This filter does not match."

LIST_FILTER_INPUTS: Mapping[Entity, type] = {
    target: _list_filter(target)
    for target in dict.fromkeys(
        field.target
        for spec in ENTITIES.values()
        for field in spec.fields.values()
        if isinstance(field, ListRelation)
    )
}
"""The `some`/`every`/`none` input of each entity that a list relation reaches."""

FILTER_INPUTS: Mapping[Entity, type] = {entity: _entity_filter(entity) for entity in ENTITIES}
"""Each entity's filter input (`EventFilter`, …), from its declared filter fields."""


# ---------------------------------------------------------------- conversion


def _store_id(value: str) -> UUID:
    decoded = decode_global_id(value)
    if decoded is None:
        raise BadUserInputError(f"{value!r} is not an ID of this API")
    return decoded[1]


def snake_case(name: str) -> str:
    """ "isNull" → "is_null", "TreatyMilestone" → "treaty_milestone"."""
    return CAMEL_HUMP.sub("_", name).lower()


def _store_key(name: str) -> str:
    """The store's snake_case key for a field's Python name ("in_") or GraphQL name ("isNull")."""
    return snake_case(name).rstrip("_")


CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _store_value(value: Any, *, ids: bool) -> Any:
    if isinstance(value, list):
        return [_store_value(item, ids=ids) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping) or has_object_definition(value):
        return to_store_filter(value, ids=ids)
    if ids and isinstance(value, str):
        return _store_id(value)
    return value


def to_store_filter(value: object, *, ids: bool = False) -> dict[str, Any]:
    """The store's dict for a filter input: snake_case keys, left-out and null fields dropped,
    enums as `api.vocabulary` members, global IDs as UUIDs (the operands of an `IDFilter`, the
    input under an `id` key: `ids` says that `value` is one).

    `value` is the input as Strawberry hands it to a resolver (an input object), or as GraphQL
    coerces an argument for the compiled path (a dict keyed by GraphQL names).
    """
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        items = [(field.name, getattr(value, field.name)) for field in dataclasses.fields(value)]  # type: ignore[arg-type]
    spec: dict[str, Any] = {}
    for name, item in items:
        if item is UNSET or item is None:
            continue
        key = _store_key(name)
        spec[key] = _store_value(item, ids=ids or key == "id")
    return spec


def optional_store_filter(value: object) -> dict[str, Any] | None:
    """`to_store_filter` of an optional argument; None when it was not given."""
    if value is UNSET or value is None:
        return None
    return to_store_filter(value)


def frozen(value: Any) -> Hashable:
    """A hashable, equal-when-equal form of a store filter (dicts and lists inside): part of a
    loader's key, so that parents asking the same page share one store call."""
    if isinstance(value, Mapping):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    if isinstance(value, UUID | str | int | float | bool | date | datetime | Enum) or value is None:
        return value
    raise TypeError(f"cannot use {value!r} in a loader key")
