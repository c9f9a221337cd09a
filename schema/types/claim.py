"""Claims, citations and renderings: who says what, in which words, about the corpus's facts."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.store.entities import Entity
from api.store.relations import Related, RelatedShape
from schema.context import Info
from schema.enums import ClaimQualifier, StatementKind, TranslationStatus
from schema.fields import (
    RowObject,
    column,
    given,
    load_related,
    object_class,
    reference,
    related,
    related_by,
)

if TYPE_CHECKING:
    from schema.types.participant import Participant
    from schema.types.source import Source

ParticipantType = Annotated["Participant", strawberry.lazy("schema.types.participant")]
SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]


@strawberry.type(description="One source's citation of a claim: where and how it makes it.")
class Citation(RowObject):
    source: SourceType = reference("source_id", Entity.SOURCE, "The source that makes the claim.")
    wording: str | None = column("How the source puts it, verbatim, when recorded.")
    as_of: dt.date | None = column(
        "When the claim was made: as recorded, else the day its source was published (in UTC)."
    )
    attributed_to: ParticipantType | None = reference(
        "attributed_to_id", Entity.PARTICIPANT, "Who the source says made the claim, if anyone."
    )
    note: str | None = column("A note on the citation.")


@strawberry.type(
    description="One value claimed for a field (or an item of a list field), with every source "
    "that claims it."
)
class Claim(RowObject):
    field: str = column('The field it is about, by its name in this API ("durationMinutes").')
    item: str | None = column(
        "For a list field, the item it is about (a participant's slug for `participants`, a "
        "milestone's kind for `milestones`, a role's title for `roles`); else null."
    )
    value: str | None = column(
        "The value claimed, as the fixture format writes it (85, VIDEO, 2026-02-05, a slug); "
        "null when the source gives none, or for an item, the item as stored."
    )
    qualifier: ClaimQualifier = column('How the sources put it ("about", "nearly", exactly).')
    chosen: bool = column(
        "Whether it is the value the field holds, chosen by the documented rule "
        "(docs/seed-corpus.md)."
    )
    sources: list[SourceType] = related(
        Related.CLAIM_SOURCES, "The sources that claim it, in order of first appearance."
    )
    citations: list[Citation] = related(
        Related.CLAIM_CITATIONS, "Each source's citation of it, with its wording and date."
    )
    independent_source_count: int = column(
        "How many independent sources claim it (copies of one wire story count once)."
    )


@strawberry.type(description="The words of a statement as one source gives them.")
class Rendering(RowObject):
    text: str = column("The words, as published.")
    language: str = column('The BCP 47 tag of the text, such as "ru" or "zh-Hant".')
    kind: StatementKind = column("A direct quote or a paraphrase, as this source gives it.")
    source: SourceType = reference("source_id", Entity.SOURCE, "The source that gives it.")
    translation: TranslationStatus = column(
        "Whether these are the words as said, a translation, or a transcription."
    )
    distortion: str | None = column("How it misrenders the original, when it does.")
    main: bool = column("Whether it is the statement's main rendering (its own text).")


FieldName = Annotated[
    str | None,
    strawberry.argument(
        description='Only the claims on this field, by its name in this API ("durationMinutes").'
    ),
]


def claims(relation: Related, description: str) -> Any:
    """The claims of a row (`relation`: one of `api.store.relations.CLAIM_LISTS`)."""

    async def resolve(
        root: RowObject, info: Info, field: FieldName = strawberry.UNSET
    ) -> list[RowObject]:
        rows = await load_related(info, RelatedShape(relation), root.row["id"], given(field))
        return [object_class(info)(row=row) for row in rows]

    return related_by(relation, description, resolve)


Language = Annotated[
    str | None,
    strawberry.argument(
        description='Only the renderings in this language: a BCP 47 tag ("zh-Hant"), or a '
        'primary language subtag, which matches its every variant ("zh" matches "zh-Hant").'
    ),
]


async def renderings_in(
    root: RowObject, info: Info, language: Language = strawberry.UNSET
) -> list[RowObject]:
    shape = RelatedShape(Related.STATEMENT_RENDERINGS)
    rows = await load_related(info, shape, root.row["id"], given(language))
    return [object_class(info)(row=row) for row in rows]
