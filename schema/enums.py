"""The GraphQL enums of the closed vocabularies, one to one by name with `api.vocabulary`.

Each GraphQL value wraps the vocabulary member of the same name, so rows from the store (which
carry vocabulary members) serialise unchanged, and an argument's `.value` is what the store takes.
"""

from enum import Enum
from typing import Any, cast

import strawberry

from api import vocabulary
from api.store.entities import ENTITIES


@strawberry.enum(description="What kind of diplomatic or political event it is.")
class EventKind(Enum):
    MEETING = strawberry.enum_value(
        vocabulary.EventKind.MEETING, description="Two or a few leaders or officials meeting."
    )
    SUMMIT = strawberry.enum_value(
        vocabulary.EventKind.SUMMIT, description="A multilateral gathering of leaders."
    )
    STATE_VISIT = strawberry.enum_value(
        vocabulary.EventKind.STATE_VISIT, description="A head of state's visit to another country."
    )
    NEGOTIATION = strawberry.enum_value(
        vocabulary.EventKind.NEGOTIATION, description="Talks between parties towards an agreement."
    )
    CEREMONY = strawberry.enum_value(
        vocabulary.EventKind.CEREMONY, description="A commemoration, parade or signing ceremony."
    )
    ANNOUNCEMENT = strawberry.enum_value(
        vocabulary.EventKind.ANNOUNCEMENT, description="A public declaration or announcement."
    )
    OTHER = strawberry.enum_value(
        vocabulary.EventKind.OTHER, description="Any other kind of event."
    )


@strawberry.enum(description="How the participants of an event met.")
class EventFormat(Enum):
    IN_PERSON = strawberry.enum_value(
        vocabulary.EventFormat.IN_PERSON, description="Face to face, in one place."
    )
    VIDEO = strawberry.enum_value(vocabulary.EventFormat.VIDEO, description="By video link.")
    PHONE = strawberry.enum_value(vocabulary.EventFormat.PHONE, description="By telephone.")
    HYBRID = strawberry.enum_value(
        vocabulary.EventFormat.HYBRID, description="Some in person, some remotely."
    )
    UNKNOWN = strawberry.enum_value(
        vocabulary.EventFormat.UNKNOWN, description="The sources do not say."
    )


@strawberry.enum(description="Whether an event took place, is to take place, or will not.")
class EventStatus(Enum):
    PLANNED = strawberry.enum_value(
        vocabulary.EventStatus.PLANNED, description="Announced or agreed, not yet held."
    )
    HELD = strawberry.enum_value(vocabulary.EventStatus.HELD, description="It took place.")
    POSTPONED = strawberry.enum_value(
        vocabulary.EventStatus.POSTPONED, description="Put off to a later, maybe unknown, date."
    )
    CANCELLED = strawberry.enum_value(
        vocabulary.EventStatus.CANCELLED, description="Called off; it will not take place."
    )


@strawberry.enum(description="How precisely an event's date is known.")
class DatePrecision(Enum):
    DAY = strawberry.enum_value(vocabulary.DatePrecision.DAY, description="The exact day.")
    MONTH = strawberry.enum_value(
        vocabulary.DatePrecision.MONTH, description="Only the month ('en novembre')."
    )
    QUARTER = strawberry.enum_value(
        vocabulary.DatePrecision.QUARTER, description="Only the quarter of the year."
    )
    HALF_YEAR = strawberry.enum_value(
        vocabulary.DatePrecision.HALF_YEAR,
        description="Only the half of the year ('premier semestre 2026').",
    )
    YEAR = strawberry.enum_value(vocabulary.DatePrecision.YEAR, description="Only the year.")


@strawberry.enum(description="The part a participant played in an event.")
class ParticipationRole(Enum):
    HOST = strawberry.enum_value(
        vocabulary.ParticipationRole.HOST, description="Received the others or convened it."
    )
    GUEST = strawberry.enum_value(
        vocabulary.ParticipationRole.GUEST, description="Was received or invited."
    )
    PARTICIPANT = strawberry.enum_value(
        vocabulary.ParticipationRole.PARTICIPANT, description="Took part, as an equal."
    )
    MEDIATOR = strawberry.enum_value(
        vocabulary.ParticipationRole.MEDIATOR, description="Brokered between the others."
    )
    OBSERVER = strawberry.enum_value(
        vocabulary.ParticipationRole.OBSERVER, description="Attended without taking part."
    )


@strawberry.enum(
    description="How one event relates to another, read from the event asked about: "
    "A PRECEDES B is shown on B as FOLLOWS A, A PART_OF B on B as HAS_PART A."
)
class EventRelationKind(Enum):
    CONCURRENT = strawberry.enum_value(
        vocabulary.EventRelationKind.CONCURRENT, description="They took place at the same time."
    )
    PRECEDES = strawberry.enum_value(
        vocabulary.EventRelationKind.PRECEDES, description="This event came before the other."
    )
    FOLLOWS = strawberry.enum_value(
        vocabulary.EventRelationKind.FOLLOWS, description="This event came after the other."
    )
    PART_OF = strawberry.enum_value(
        vocabulary.EventRelationKind.PART_OF, description="This event is part of the other."
    )
    HAS_PART = strawberry.enum_value(
        vocabulary.EventRelationKind.HAS_PART, description="The other event is part of this one."
    )
    RELATED = strawberry.enum_value(
        vocabulary.EventRelationKind.RELATED, description="Otherwise related."
    )


@strawberry.enum(description="Whether a statement is quoted word for word or reported.")
class StatementKind(Enum):
    DIRECT_QUOTE = strawberry.enum_value(
        vocabulary.StatementKind.DIRECT_QUOTE, description="The speaker's own words, quoted."
    )
    PARAPHRASE = strawberry.enum_value(
        vocabulary.StatementKind.PARAPHRASE,
        description="A position reported in someone else's words.",
    )


@strawberry.enum(description="What kind of actor a participant is.")
class ParticipantKind(Enum):
    PERSON = strawberry.enum_value(vocabulary.ParticipantKind.PERSON, description="A person.")
    ORGANIZATION = strawberry.enum_value(
        vocabulary.ParticipantKind.ORGANIZATION,
        description="An organisation: an institution, a government body, a broadcaster.",
    )
    COUNTRY = strawberry.enum_value(
        vocabulary.ParticipantKind.COUNTRY, description="A country or state."
    )


@strawberry.enum(description="Where a treaty stands, derived from its milestones.")
class TreatyStatus(Enum):
    PROPOSED = strawberry.enum_value(
        vocabulary.TreatyStatus.PROPOSED, description="Not signed yet."
    )
    SIGNED = strawberry.enum_value(
        vocabulary.TreatyStatus.SIGNED, description="Signed, not yet in force."
    )
    IN_FORCE = strawberry.enum_value(vocabulary.TreatyStatus.IN_FORCE, description="In force.")
    SUSPENDED = strawberry.enum_value(
        vocabulary.TreatyStatus.SUSPENDED, description="Suspended by a party."
    )
    EXPIRED = strawberry.enum_value(
        vocabulary.TreatyStatus.EXPIRED, description="Past its expiry date."
    )
    TERMINATED = strawberry.enum_value(
        vocabulary.TreatyStatus.TERMINATED, description="Ended before its expiry."
    )


@strawberry.enum(description="A dated step in a treaty's life.")
class TreatyMilestoneKind(Enum):
    SIGNED = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.SIGNED, description="The parties signed it."
    )
    ENTERED_INTO_FORCE = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.ENTERED_INTO_FORCE, description="It entered into force."
    )
    EXTENDED = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.EXTENDED, description="Its term was extended."
    )
    SUSPENDED = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.SUSPENDED, description="A party suspended it."
    )
    EXPIRED = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.EXPIRED, description="It reached its expiry."
    )
    TERMINATED = strawberry.enum_value(
        vocabulary.TreatyMilestoneKind.TERMINATED, description="It was ended early."
    )


@strawberry.enum(description="What a source is.")
class SourceKind(Enum):
    REPORT = strawberry.enum_value(
        vocabulary.SourceKind.REPORT, description="A report: an article, a broadcast's page."
    )
    WIRE_STORY = strawberry.enum_value(
        vocabulary.SourceKind.WIRE_STORY,
        description="A news agency's story, which other sources reprint.",
    )
    OFFICIAL = strawberry.enum_value(
        vocabulary.SourceKind.OFFICIAL,
        description="A primary channel: a readout or statement on an official site or agency.",
    )


@strawberry.enum(description="How firmly a planned event is committed to, weakest first.")
class Commitment(Enum):
    EXPECTED = strawberry.enum_value(
        vocabulary.Commitment.EXPECTED, description="Others expect it; no party has said so."
    )
    INTENDED = strawberry.enum_value(
        vocabulary.Commitment.INTENDED, description="A party says it intends it."
    )
    INVITED = strawberry.enum_value(
        vocabulary.Commitment.INVITED, description="A party has been invited."
    )
    ACCEPTED = strawberry.enum_value(
        vocabulary.Commitment.ACCEPTED, description="The invitation has been accepted."
    )
    CONFIRMED = strawberry.enum_value(
        vocabulary.Commitment.CONFIRMED, description="The parties have confirmed it."
    )


@strawberry.enum(description="How a source puts the value it claims.")
class ClaimQualifier(Enum):
    EXACT = strawberry.enum_value(vocabulary.ClaimQualifier.EXACT, description="Exactly.")
    ABOUT = strawberry.enum_value(
        vocabulary.ClaimQualifier.ABOUT, description="About: an approximation either way."
    )
    NEARLY = strawberry.enum_value(
        vocabulary.ClaimQualifier.NEARLY, description="Nearly: a little less than the value."
    )
    AT_LEAST = strawberry.enum_value(
        vocabulary.ClaimQualifier.AT_LEAST, description="At least the value."
    )
    AT_MOST = strawberry.enum_value(
        vocabulary.ClaimQualifier.AT_MOST, description="At most the value."
    )
    BY_END_OF = strawberry.enum_value(
        vocabulary.ClaimQualifier.BY_END_OF, description="By the end of the day given."
    )
    INFERRED = strawberry.enum_value(
        vocabulary.ClaimQualifier.INFERRED,
        description="Derived from relative wording ('last Friday'), kept in the wording.",
    )


@strawberry.enum(description="Whether a rendering gives the words as said, or translated.")
class TranslationStatus(Enum):
    ORIGINAL = strawberry.enum_value(
        vocabulary.TranslationStatus.ORIGINAL, description="The words as said."
    )
    TRANSLATION = strawberry.enum_value(
        vocabulary.TranslationStatus.TRANSLATION, description="Translated into another language."
    )
    TRANSCRIPTION = strawberry.enum_value(
        vocabulary.TranslationStatus.TRANSCRIPTION,
        description="The same words in another script.",
    )
    UNKNOWN = strawberry.enum_value(
        vocabulary.TranslationStatus.UNKNOWN, description="The source does not say."
    )


SearchType: Any = strawberry.enum(
    cast(
        "type[Enum]",
        Enum(
            "SearchType",
            {
                entity.name: strawberry.enum_value(entity, description=spec.search.description)
                for entity, spec in ENTITIES.items()
                if spec.search is not None
            },
        ),
    ),
    description="The kinds of objects a search can return, and of the nodes the change feed "
    "tells about.",
)
"""The searchable entities of the registry (`Query.search`'s types, `Change.type`)."""
