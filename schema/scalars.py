"""The Date and DateTime scalars: ISO 8601, and a DateTime always carries its UTC offset."""

from datetime import UTC, date, datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise ValueError(f"Date must be an ISO 8601 string such as 2026-02-04, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Date must be ISO 8601, such as 2026-02-04, not {value!r}") from None


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be an ISO 8601 string, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"DateTime must be ISO 8601, such as 2026-02-04T10:00:00+00:00, not {value!r}"
        ) from None
    # A time without an offset names no instant: refuse it rather than guess a zone.
    if parsed.tzinfo is None:
        raise ValueError(f"DateTime needs a UTC offset, such as +00:00 or Z: {value!r}")
    # The instant is sent to PostgreSQL in UTC, which must fall within years 1 to 9999.
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"DateTime is out of range (years 1 to 9999 in UTC): {value!r}") from None
    return parsed


def _serialize(value: date) -> str:
    return value.isoformat()


DateScalar: ScalarDefinition = strawberry.scalar(
    name="Date",
    description='An ISO 8601 calendar date, such as "2026-02-04".',
    serialize=_serialize,
    parse_value=_parse_date,
)
DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date and time with its UTC offset, "
    'such as "2026-02-04T10:00:00+00:00".',
    serialize=_serialize,
    parse_value=_parse_datetime,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {date: DateScalar, datetime: DateTimeScalar}
