"""Statement: a direct quote or a reported position, as published in a source."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import Entity
from api.store.relations import Related
from schema.enums import StatementKind, TranslationStatus
from schema.fields import (
    column,
    entity_type,
    independent_source_count,
    reference,
    related,
    related_by,
    related_values,
)
from schema.types.claim import Claim, Rendering, claims, renderings_in
from schema.types.node import Node
from schema.types.participant import Participant

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.source import Source
    from schema.types.topic import Topic
    from schema.types.treaty import Treaty

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]
TopicType = Annotated["Topic", strawberry.lazy("schema.types.topic")]
TreatyType = Annotated["Treaty", strawberry.lazy("schema.types.treaty")]


@entity_type(
    Entity.STATEMENT,
    description="A direct quote or a reported position, as published in a source.",
)
class Statement(Node):
    text: str = column("The words as published, in their own language.")
    language: str = column('The BCP 47 tag of the text, such as "fr".')
    kind: StatementKind = column("A direct quote or a paraphrase.")
    speaker: Participant = reference(
        "speaker_id", Entity.PARTICIPANT, "Whose words or position it is."
    )
    reported_by: Participant | None = reference(
        "reported_by_id",
        Entity.PARTICIPANT,
        "Who relayed it, when not the speaker (an aide, a broadcaster).",
    )
    event: EventType | None = reference(
        "event_id", Entity.EVENT, "The event it was said at or about, if any."
    )
    said_on: date | None = column("The day it was said, when known.")
    topics: list[TopicType] = related(Related.STATEMENT_TOPICS, "The topics it is about.")
    mentions: list[Participant] = related(
        Related.STATEMENT_MENTIONS, "The participants it is about."
    )
    treaties: list[TreatyType] = related(Related.STATEMENT_TREATIES, "The treaties it is about.")
    source: SourceType = reference("source_id", Entity.SOURCE, "The document it was published in.")
    translation: TranslationStatus = column(
        "Whether its text (its main rendering) gives the words as said, a translation or a "
        "transcription."
    )
    distortion: str | None = column(
        "How its text (its main rendering) misrenders the original, when it does."
    )
    renderings: list[Rendering] = related_by(
        Related.STATEMENT_RENDERINGS,
        "The words as each source gives them: the main rendering (its own text) first, then "
        "the others in their order.",
        renderings_in,
    )
    sources: list[SourceType] = related(
        Related.STATEMENT_SOURCES,
        "The sources of its renderings: its own source first, then in the renderings' order, "
        "none twice.",
    )
    may_be_same_as: list["Statement"] = related(
        Related.STATEMENT_MAY_BE_SAME_AS,
        "Statements that may report the same words (linked, not merged), by slug.",
    )
    independent_source_count: int = independent_source_count(
        Entity.STATEMENT,
        "How many independent sources report it: its sources' distinct origins (copies of one "
        "wire story count once).",
    )
    claims: list[Claim] = claims(
        Related.STATEMENT_CLAIMS,
        "What its sources claim about its fields (who said it, who relayed it, when), each "
        "value with its sources, in order of first appearance.",
    )
    disputed_fields: list[str] = related_values(
        Related.STATEMENT_DISPUTED_FIELDS,
        "The fields (by their names in this API) whose claims hold more than one value, in "
        "order of first appearance.",
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: datetime = column("When it was added to the corpus.")
    updated_at: datetime = column("When it was last changed.")
