"""The filter inputs of the contract, and their conversion to the store's plain dicts.

One filter language for every type: and/or/not compose, a field left out (or null) does not
filter, list relations take some/every/none. `to_store_filter` turns any of these inputs into the
dict `api.store` compiles: snake_case keys, enums as `api.vocabulary` members, IDs as UUIDs.
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

from api.store.entities import Entity
from schema.enums import (
    EventFormat,
    EventKind,
    EventStatus,
    ParticipantKind,
    StatementKind,
    TreatyStatus,
)
from schema.errors import BadUserInputError
from schema.types.node import decode_global_id

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


@strawberry.input(description="Conditions on a treaty status, as of today.")
class TreatyStatusFilter:
    eq: TreatyStatus | None = _field("With this status today.")
    in_: list[TreatyStatus] | None = _field("With one of these statuses today.", name="in")


# ---------------------------------------------------------------- list relations

_SOME = "At least one related item matches."
_EVERY = "Every related item matches (true when there is none)."
_NONE = "No related item matches."


@strawberry.input(description="Conditions on a list of events.")
class EventListFilter:
    some: "EventFilter | None" = _field(_SOME)
    every: "EventFilter | None" = _field(_EVERY)
    none: "EventFilter | None" = _field(_NONE)


@strawberry.input(description="Conditions on a list of statements.")
class StatementListFilter:
    some: "StatementFilter | None" = _field(_SOME)
    every: "StatementFilter | None" = _field(_EVERY)
    none: "StatementFilter | None" = _field(_NONE)


@strawberry.input(description="Conditions on a list of participants.")
class ParticipantListFilter:
    some: "ParticipantFilter | None" = _field(_SOME)
    every: "ParticipantFilter | None" = _field(_EVERY)
    none: "ParticipantFilter | None" = _field(_NONE)


@strawberry.input(description="Conditions on a list of topics.")
class TopicListFilter:
    some: "TopicFilter | None" = _field(_SOME)
    every: "TopicFilter | None" = _field(_EVERY)
    none: "TopicFilter | None" = _field(_NONE)


@strawberry.input(description="Conditions on a list of treaties.")
class TreatyListFilter:
    some: "TreatyFilter | None" = _field(_SOME)
    every: "TreatyFilter | None" = _field(_EVERY)
    none: "TreatyFilter | None" = _field(_NONE)


# ---------------------------------------------------------------- entity filters

_AND = "Every one of these filters matches."
_OR = "At least one of these filters matches."
_NOT = "This filter does not match."
_ID = "Conditions on the global ID."
_UPDATED_AT = "When it was last changed."


@strawberry.input(description="Which events to keep. Fields combine with AND.")
class EventFilter:
    and_: list["EventFilter"] | None = _field(_AND, name="and")
    or_: list["EventFilter"] | None = _field(_OR, name="or")
    not_: "EventFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    slug: StringFilter | None = _field("Conditions on the slug.")
    title: StringFilter | None = _field("Conditions on the title.")
    kind: EventKindFilter | None = _field("Conditions on the kind.")
    format: EventFormatFilter | None = _field("Conditions on the format.")
    status: EventStatusFilter | None = _field("Conditions on the status.")
    start_date: DateFilter | None = _field("Conditions on the first day of the event's period.")
    end_date: DateFilter | None = _field("Conditions on the last day of the event's period.")
    duration_minutes: IntFilter | None = _field("Conditions on the duration, in minutes.")
    participants: ParticipantListFilter | None = _field("Conditions on its participants.")
    topics: TopicListFilter | None = _field("Conditions on its topics.")
    treaties: TreatyListFilter | None = _field("Conditions on the treaties at stake.")
    statements: StatementListFilter | None = _field("Conditions on its statements.")
    search: str | None = _field("Full text over title, summary and the event's statements.")
    updated_at: DateTimeFilter | None = _field(_UPDATED_AT)


@strawberry.input(description="Which statements to keep. Fields combine with AND.")
class StatementFilter:
    and_: list["StatementFilter"] | None = _field(_AND, name="and")
    or_: list["StatementFilter"] | None = _field(_OR, name="or")
    not_: "StatementFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    text: StringFilter | None = _field("Conditions on the text, as published.")
    language: StringFilter | None = _field("Conditions on the BCP 47 language tag.")
    kind: StatementKindFilter | None = _field("Conditions on the kind.")
    speaker: "ParticipantFilter | None" = _field("Conditions on the speaker.")
    reported_by: "ParticipantFilter | None" = _field("Conditions on who relayed it.")
    event: EventFilter | None = _field("Conditions on the event it was said at or about.")
    topics: TopicListFilter | None = _field("Conditions on its topics.")
    mentions: ParticipantListFilter | None = _field("Conditions on the participants it is about.")
    treaties: TreatyListFilter | None = _field("Conditions on the treaties it is about.")
    said_on: DateFilter | None = _field("Conditions on the day it was said.")
    search: str | None = _field("Full text, stemmed in the statement's own language.")
    updated_at: DateTimeFilter | None = _field(_UPDATED_AT)


@strawberry.input(description="Which participants to keep. Fields combine with AND.")
class ParticipantFilter:
    and_: list["ParticipantFilter"] | None = _field(_AND, name="and")
    or_: list["ParticipantFilter"] | None = _field(_OR, name="or")
    not_: "ParticipantFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    slug: StringFilter | None = _field("Conditions on the slug.")
    kind: ParticipantKindFilter | None = _field("Conditions on the kind.")
    name: StringFilter | None = _field("Conditions on any name or alias, in any language.")
    country: "ParticipantFilter | None" = _field("Conditions on the country it belongs to.")
    events: EventListFilter | None = _field("Conditions on the events it took part in.")
    updated_at: DateTimeFilter | None = _field(_UPDATED_AT)


@strawberry.input(description="Which treaties to keep. Fields combine with AND.")
class TreatyFilter:
    and_: list["TreatyFilter"] | None = _field(_AND, name="and")
    or_: list["TreatyFilter"] | None = _field(_OR, name="or")
    not_: "TreatyFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    slug: StringFilter | None = _field("Conditions on the slug.")
    name: StringFilter | None = _field("Conditions on any name, in any language.")
    status: TreatyStatusFilter | None = _field("Conditions on the status as of today.")
    signed_on: DateFilter | None = _field("Conditions on the day it was signed.")
    expires_on: DateFilter | None = _field("Conditions on its current expiry date.")
    parties: ParticipantListFilter | None = _field("Conditions on its parties.")
    updated_at: DateTimeFilter | None = _field(_UPDATED_AT)


@strawberry.input(description="Which topics to keep. Fields combine with AND.")
class TopicFilter:
    and_: list["TopicFilter"] | None = _field(_AND, name="and")
    or_: list["TopicFilter"] | None = _field(_OR, name="or")
    not_: "TopicFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    slug: StringFilter | None = _field("Conditions on the slug.")
    label: StringFilter | None = _field("Conditions on any label, in any language.")
    parent: "TopicFilter | None" = _field("Conditions on the parent topic.")


@strawberry.input(description="Which sources to keep. Fields combine with AND.")
class SourceFilter:
    and_: list["SourceFilter"] | None = _field(_AND, name="and")
    or_: list["SourceFilter"] | None = _field(_OR, name="or")
    not_: "SourceFilter | None" = _field(_NOT, name="not")
    id: IDFilter | None = _field(_ID)
    publisher: StringFilter | None = _field("Conditions on the publisher.")
    language: StringFilter | None = _field("Conditions on the BCP 47 language tag.")
    published_at: DateTimeFilter | None = _field("Conditions on when it was published.")


# ---------------------------------------------------------------- conversion


def _store_id(value: str) -> UUID:
    decoded = decode_global_id(value)
    if decoded is None:
        raise BadUserInputError(f"{value!r} is not an ID of this API")
    return decoded[1]


def _store_key(name: str) -> str:
    """The store's snake_case key for a field's Python name ("in_") or GraphQL name ("isNull")."""
    return CAMEL_HUMP.sub("_", name).lower().rstrip("_")


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
    enums as `api.vocabulary` members, global IDs as UUIDs (`ids`: the operands of an `id`
    field's IDFilter, which this is).

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


FILTER_INPUTS: dict[Entity, type] = {
    Entity.EVENT: EventFilter,
    Entity.STATEMENT: StatementFilter,
    Entity.PARTICIPANT: ParticipantFilter,
    Entity.TREATY: TreatyFilter,
    Entity.TOPIC: TopicFilter,
    Entity.SOURCE: SourceFilter,
}


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
