"""What a document is made of: the shapes `api.store.documents` builds JSON from.

A `JsonObject` says what to build: its members in order, each a value read from the current row
(a column, an encoded id, a name in a language), a nested object (from the same row, a referenced
row, a related list, a keyset page of rows, a page of the change feed) or a constant. The shapes
are SQL's: rows, counts, cursors and whether more rows follow; what a GraphQL selection makes of
them is `schema.execution.compiler`'s business. They are hashable and hold `Param`s for the
request's values, so one describes a statement's shape.
"""

from dataclasses import dataclass
from enum import Enum

from api.store.changes import (
    FeedShape,
)
from api.store.counts import EventGroupBy
from api.store.entities import Entity, NameField
from api.store.filters import FilterShape
from api.store.pagination import (
    PageSource,
)
from api.store.params import Param
from api.store.relations import RelatedShape

MAX_MEMBERS = 50
"""json_build_object takes at most 100 arguments: 50 members."""


class ValueFormat(Enum):
    PLAIN = "PLAIN"
    """As PostgreSQL writes the value in JSON (text, numbers, booleans, ISO dates)."""
    INSTANT = "INSTANT"
    """A timestamptz, as Python writes a UTC instant ("2026-02-04T10:00:00+00:00")."""


# ---------------------------------------------------------------- what to build


@dataclass(frozen=True)
class JsonObject:
    members: tuple[tuple[str, "JsonValue"], ...]


@dataclass(frozen=True)
class ColumnValue:
    column: str
    format: ValueFormat = ValueFormat.PLAIN


@dataclass(frozen=True)
class ConstantValue:
    """A string known when the document is planned, or null."""

    value: str | None


@dataclass(frozen=True)
class ParamValue:
    """A value the request supplies (the rate-limit numbers)."""

    param: Param


@dataclass(frozen=True)
class EncodedId:
    """The base64 of `prefix` followed by the row's id (as text)."""

    prefix: str


@dataclass(frozen=True)
class NameValue:
    names: NameField
    language: Param | None


@dataclass(frozen=True)
class TreatyStatusValue:
    as_of: Param


@dataclass(frozen=True)
class SameRowObject:
    """An object read from the current row; null when `present_if` is null."""

    object: JsonObject
    present_if: str | None = None


@dataclass(frozen=True)
class ReferencedObject:
    """The row of `target` whose id the current row's `column` holds (or, when it is null,
    its column `otherwise`); null when none."""

    column: str
    target: Entity
    object: JsonObject
    otherwise: str | None = None


@dataclass(frozen=True)
class RelatedList:
    shape: RelatedShape
    element: JsonObject


@dataclass(frozen=True)
class RelatedValues:
    """A related list of values: its rows' `column`."""

    shape: RelatedShape
    column: str


@dataclass(frozen=True)
class IndependentSourceCount:
    """How many independent sources report the current row, of `entity`."""

    entity: Entity


@dataclass(frozen=True)
class PageObject:
    """A keyset page of rows (`source`) under the current row: an object whose members are
    read over the page (`RowCount`, `PageRows`, `MoreRows`, `BoundaryCursor`, constants, and
    objects of those)."""

    source: PageSource
    parts: JsonObject


@dataclass(frozen=True)
class RowCount:
    """How many rows the whole list has, past this page."""


@dataclass(frozen=True)
class PageRows:
    """The page's rows in order, each as `element` (which may hold its `RowCursor`)."""

    element: JsonObject


@dataclass(frozen=True)
class RowCursor:
    """The keyset cursor of the current row of a page."""


class MoreRows(Enum):
    """Whether rows of the list lie past the page, after or before it."""

    AFTER = "AFTER"
    BEFORE = "BEFORE"


class BoundaryCursor(Enum):
    """The cursor of the page's first or last row; null for an empty page."""

    FIRST = "FIRST"
    LAST = "LAST"


@dataclass(frozen=True)
class RowByKey:
    """The row of `entity` with this id (and slug, when both are given); null when none."""

    entity: Entity
    id: Param | None
    slug: Param | None
    object: JsonObject


@dataclass(frozen=True)
class SearchResults:
    """The best `first` rows for `text` across `types` (each with its object), best first."""

    text: Param
    first: Param
    types: tuple[tuple[Entity, JsonObject], ...]


@dataclass(frozen=True)
class EventBuckets:
    filter: FilterShape
    group_by: EventGroupBy
    element: JsonObject
    """Over the columns key, label, count."""


@dataclass(frozen=True)
class JsonArray:
    items: tuple["JsonValue", ...]


@dataclass(frozen=True)
class FeedPage:
    """A page of the change feed (`api.store.changes.feed_page`): an object whose members are
    read over the page as a `PageObject`'s are (`PageRows`, `RowCursor`, `MoreRows`,
    `BoundaryCursor`; `BoundaryCursor.LAST` is where the reader stands on an empty page).
    `seen` is the JSON text of the reader's snapshot, `reached` how far its cursor vouches
    for the log (`FeedPosition.expired`): past it the whole document is null, and the
    request is left to Strawberry's execution, which answers CURSOR_EXPIRED."""

    shape: FeedShape
    size: Param
    seen: Param | None
    reached: tuple[Param, Param] | None
    parts: JsonObject


@dataclass(frozen=True)
class TypedId:
    """The encoded id of the row's `column`, with the prefix of the type its `type_column`
    names (`prefixes`: (type, prefix) pairs)."""

    column: str
    type_column: str
    prefixes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TypedObject:
    """The row of the entity the current row's `type_column` names whose id its `column`
    holds, as that entity's object; null for a type not listed, a row that is gone, or when
    `absent_if` (a column, a value) holds."""

    column: str
    type_column: str
    objects: tuple[tuple[Entity, JsonObject], ...]
    absent_if: tuple[str, str]


@dataclass(frozen=True)
class JsonMembers:
    """The members of the current row's JSON `column` (an object of objects), sorted by key,
    each as `element` over the columns `key` (the member's key) and `inner` (its members)."""

    column: str
    key: str
    inner: tuple[str, ...]
    element: JsonObject


JsonValue = (
    ColumnValue
    | ConstantValue
    | ParamValue
    | EncodedId
    | NameValue
    | TreatyStatusValue
    | SameRowObject
    | ReferencedObject
    | RelatedList
    | RelatedValues
    | IndependentSourceCount
    | PageObject
    | RowCount
    | PageRows
    | RowCursor
    | MoreRows
    | BoundaryCursor
    | RowByKey
    | SearchResults
    | EventBuckets
    | JsonArray
    | FeedPage
    | TypedId
    | TypedObject
    | JsonMembers
    | JsonObject
)
