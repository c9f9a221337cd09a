"""The closed vocabularies of the data model, shared by the tables, the fixtures and the schema.

Values are stored by name; the GraphQL enums of the same names expose them unchanged.
"""

from enum import Enum


class EventKind(Enum):
    MEETING = "MEETING"
    SUMMIT = "SUMMIT"
    STATE_VISIT = "STATE_VISIT"
    NEGOTIATION = "NEGOTIATION"
    CEREMONY = "CEREMONY"
    ANNOUNCEMENT = "ANNOUNCEMENT"
    OTHER = "OTHER"


class EventFormat(Enum):
    IN_PERSON = "IN_PERSON"
    VIDEO = "VIDEO"
    PHONE = "PHONE"
    HYBRID = "HYBRID"
    UNKNOWN = "UNKNOWN"


class EventStatus(Enum):
    PLANNED = "PLANNED"
    HELD = "HELD"
    POSTPONED = "POSTPONED"
    CANCELLED = "CANCELLED"


class DatePrecision(Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    HALF_YEAR = "HALF_YEAR"
    YEAR = "YEAR"


class ParticipationRole(Enum):
    HOST = "HOST"
    GUEST = "GUEST"
    PARTICIPANT = "PARTICIPANT"
    MEDIATOR = "MEDIATOR"
    OBSERVER = "OBSERVER"


class EventRelationKind(Enum):
    CONCURRENT = "CONCURRENT"
    PRECEDES = "PRECEDES"
    FOLLOWS = "FOLLOWS"
    PART_OF = "PART_OF"
    HAS_PART = "HAS_PART"
    RELATED = "RELATED"


# A relation is stored once per pair, in its canonical direction; the inverse is derived.
INVERSE_RELATION: dict[EventRelationKind, EventRelationKind] = {
    EventRelationKind.CONCURRENT: EventRelationKind.CONCURRENT,
    EventRelationKind.PRECEDES: EventRelationKind.FOLLOWS,
    EventRelationKind.FOLLOWS: EventRelationKind.PRECEDES,
    EventRelationKind.PART_OF: EventRelationKind.HAS_PART,
    EventRelationKind.HAS_PART: EventRelationKind.PART_OF,
    EventRelationKind.RELATED: EventRelationKind.RELATED,
}
STORED_RELATION_KINDS = (
    EventRelationKind.CONCURRENT,
    EventRelationKind.PRECEDES,
    EventRelationKind.PART_OF,
    EventRelationKind.RELATED,
)


class StatementKind(Enum):
    DIRECT_QUOTE = "DIRECT_QUOTE"
    PARAPHRASE = "PARAPHRASE"


class ParticipantKind(Enum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    COUNTRY = "COUNTRY"


class TreatyStatus(Enum):
    PROPOSED = "PROPOSED"
    SIGNED = "SIGNED"
    IN_FORCE = "IN_FORCE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class TreatyMilestoneKind(Enum):
    SIGNED = "SIGNED"
    ENTERED_INTO_FORCE = "ENTERED_INTO_FORCE"
    EXTENDED = "EXTENDED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


# Languages with a stemming text-search configuration of their own; any other uses `simple`.
STEMMED_LANGUAGES: dict[str, str] = {
    "fr": "french",
    "en": "english",
    "ru": "russian",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}
