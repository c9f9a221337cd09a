"""Statement parameters: every value a request supplies is bound, never written into the SQL.

A read is described twice over: its *shape* (which tables, filters, orderings, pages; hashable,
with `Param` placeholders where values go) and its *values* (a list, in the order the shape was
bound). The SQL is compiled once per shape (`api.store.statements`) and prepared by PostgreSQL
once per connection; a request only binds values. A `Param` knows its position in the values and
the PostgreSQL type it is sent as.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import BindParameter, bindparam
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.types import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Text,
    TypeEngine,
)

from api.store.errors import StoreInputError


class ParamType(Enum):
    """The PostgreSQL type a value is sent as (the SQL casts the placeholder to it)."""

    TEXT = "TEXT"
    INTEGER = "INTEGER"
    BIGINT = "BIGINT"
    FLOAT = "FLOAT"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    TIMESTAMPTZ = "TIMESTAMPTZ"
    UUID = "UUID"
    TEXT_ARRAY = "TEXT_ARRAY"
    UUID_ARRAY = "UUID_ARRAY"
    BIGINT_ARRAY = "BIGINT_ARRAY"


SQL_TYPES: dict[ParamType, TypeEngine[Any]] = {
    ParamType.TEXT: Text(),
    ParamType.INTEGER: Integer(),
    ParamType.BIGINT: BigInteger(),
    ParamType.FLOAT: Float(),
    ParamType.BOOLEAN: Boolean(),
    ParamType.DATE: Date(),
    ParamType.TIMESTAMPTZ: DateTime(timezone=True),
    ParamType.UUID: UUID(as_uuid=True),
    ParamType.TEXT_ARRAY: ARRAY(Text()),
    ParamType.UUID_ARRAY: ARRAY(UUID(as_uuid=True)),
    ParamType.BIGINT_ARRAY: ARRAY(BigInteger()),
}


@dataclass(frozen=True)
class Param:
    """The placeholder of the `index`-th value of a read."""

    index: int
    type: ParamType

    def sql(self) -> BindParameter[Any]:
        return bindparam(f"p{self.index}", type_=SQL_TYPES[self.type])


class Params:
    """The values of one read, collected while its shape is bound."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, type_: ParamType) -> Param:
        """A placeholder for `value`; values must already be what PostgreSQL stores (enum
        members as their names, ids as UUIDs). A value PostgreSQL (or the driver) cannot take
        is refused: text with a NUL or a lone surrogate, an integer beyond 32 bits, an instant
        outside the years 1 to 9999 in UTC."""
        if type_ is ParamType.TEXT:
            checked_text(value)
        elif type_ is ParamType.TEXT_ARRAY:
            for item in value:
                checked_text(item)
        elif type_ is ParamType.INTEGER and value not in INTEGERS:
            raise StoreInputError(f"{value} does not fit in a 32-bit integer")
        elif type_ is ParamType.TIMESTAMPTZ:
            checked_instant(value)
        self.values.append(value.name if isinstance(value, Enum) else value)
        return Param(len(self.values) - 1, type_)


INTEGERS = range(-(2**31), 2**31)
"""What PostgreSQL's integer holds (GraphQL's Int too; a cursor may say more)."""


def checked_instant(value: datetime) -> None:
    """asyncpg sends an instant in UTC, where Python's datetime ends at the years 1 and 9999:
    "0001-01-01T00:00:00+14:00" is in year 0 there."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise StoreInputError(
            f"{value.isoformat()} is out of range: an instant must fall between the years 1 "
            "and 9999 in UTC"
        ) from None


def checked_text(value: str) -> None:
    """PostgreSQL text holds UTF-8 without NUL: a NUL or a lone surrogate is the caller's error."""
    if "\x00" in value:
        raise StoreInputError("text may not contain the NUL character (U+0000)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise StoreInputError(
                "text may not contain lone surrogates (not valid Unicode)"
            ) from None
