"""The closed vocabularies of the data model, shared by the tables, the fixtures and the schema.

Values are stored by name. Members are strings equal to their names (StrEnum), so a name read
from the database is the member: the GraphQL enums, which wrap these members, serialise it as is.
"""

from enum import StrEnum


class EventKind(StrEnum):
    MEETING = "MEETING"
    SUMMIT = "SUMMIT"
    STATE_VISIT = "STATE_VISIT"
    NEGOTIATION = "NEGOTIATION"
    CEREMONY = "CEREMONY"
    ANNOUNCEMENT = "ANNOUNCEMENT"
    OTHER = "OTHER"


class EventFormat(StrEnum):
    IN_PERSON = "IN_PERSON"
    VIDEO = "VIDEO"
    PHONE = "PHONE"
    HYBRID = "HYBRID"
    UNKNOWN = "UNKNOWN"


class EventStatus(StrEnum):
    PLANNED = "PLANNED"
    HELD = "HELD"
    POSTPONED = "POSTPONED"
    CANCELLED = "CANCELLED"


class DatePrecision(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    HALF_YEAR = "HALF_YEAR"
    YEAR = "YEAR"


class ParticipationRole(StrEnum):
    HOST = "HOST"
    GUEST = "GUEST"
    PARTICIPANT = "PARTICIPANT"
    MEDIATOR = "MEDIATOR"
    OBSERVER = "OBSERVER"


class EventRelationKind(StrEnum):
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


class StatementKind(StrEnum):
    DIRECT_QUOTE = "DIRECT_QUOTE"
    PARAPHRASE = "PARAPHRASE"


class ParticipantKind(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    COUNTRY = "COUNTRY"


class TreatyStatus(StrEnum):
    PROPOSED = "PROPOSED"
    SIGNED = "SIGNED"
    IN_FORCE = "IN_FORCE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class TreatyMilestoneKind(StrEnum):
    SIGNED = "SIGNED"
    ENTERED_INTO_FORCE = "ENTERED_INTO_FORCE"
    EXTENDED = "EXTENDED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class SourceKind(StrEnum):
    """What a source is: a report (an article), a wire story others reprint, or an official
    channel (a readout or statement on an official site)."""

    REPORT = "REPORT"
    WIRE_STORY = "WIRE_STORY"
    OFFICIAL = "OFFICIAL"


class Commitment(StrEnum):
    """How firmly a planned event is committed to, weakest first."""

    EXPECTED = "EXPECTED"
    INTENDED = "INTENDED"
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    CONFIRMED = "CONFIRMED"


class ClaimQualifier(StrEnum):
    """How a source puts the value it claims."""

    EXACT = "EXACT"
    ABOUT = "ABOUT"
    NEARLY = "NEARLY"
    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"
    BY_END_OF = "BY_END_OF"
    INFERRED = "INFERRED"


class TranslationStatus(StrEnum):
    """Whether a rendering gives the words as said, translated, or in another script."""

    ORIGINAL = "ORIGINAL"
    TRANSLATION = "TRANSLATION"
    TRANSCRIPTION = "TRANSCRIPTION"
    UNKNOWN = "UNKNOWN"


class ChangeOp(StrEnum):
    """What a change did to a node."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


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
