"""Participant: a person, an organisation or a country, with its names, roles and record."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import PARTICIPANT_NAMES, Entity
from api.store.relations import Connection as Relation
from api.store.relations import Related
from schema.enums import ParticipantKind
from schema.fields import (
    RowObject,
    column,
    entity_type,
    localized_name,
    reference,
    related,
    related_values,
)
from schema.pagination import Connection, connection
from schema.types.claim import Claim, claims
from schema.types.common import LocalizedName
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.source import Source
    from schema.types.statement import Statement
    from schema.types.treaty import Treaty

SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]
EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]
TreatyType = Annotated["Treaty", strawberry.lazy("schema.types.treaty")]


@strawberry.type(description="A position a participant held, over a period.")
class ParticipantRole(RowObject):
    title: str = column('The title of the position ("président").')
    organization: "Participant | None" = reference(
        "organization_id",
        Entity.PARTICIPANT,
        "The organisation or country the position is in.",
    )
    start_date: date | None = column("When it began, when known.")
    end_date: date | None = column("When it ended; null while it lasts.")
    sources: list[SourceType] = related(
        Related.ROLE_SOURCES,
        "The sources that report it (the participant's claims on this role), in order of "
        "first appearance.",
    )


@entity_type(
    Entity.PARTICIPANT,
    description="A person, an organisation or a country that takes part in events.",
)
class Participant(Node):
    slug: str = column("A stable, human-readable key.")
    kind: ParticipantKind = column("A person, organisation or country.")
    name: str = localized_name(
        PARTICIPANT_NAMES, "The best name in the language asked for, else the primary name."
    )
    names: list[LocalizedName] = related(
        Related.PARTICIPANT_NAMES, "Every name and alias, in every language, the primary first."
    )
    description: str | None = column("Who or what this is, briefly.")
    country: "Participant | None" = reference(
        "country_id", Entity.PARTICIPANT, "The country a person or organisation belongs to."
    )
    roles: list[ParticipantRole] = related(
        Related.PARTICIPANT_ROLES, "The positions held, over time."
    )
    events: Connection[EventType] = connection(
        Relation.PARTICIPANT_EVENTS,
        "The events it took part in; by default the latest first.",
        filterable=True,
    )
    statements: Connection[StatementType] = connection(
        Relation.PARTICIPANT_STATEMENTS,
        "What it said, as the speaker; by default the latest first.",
        filterable=True,
    )
    treaties: list[TreatyType] = related(
        Related.PARTICIPANT_TREATIES, "The treaties it is a party to."
    )
    claims: list[Claim] = claims(
        Related.PARTICIPANT_CLAIMS,
        "What its sources claim about its fields and roles, each value with its sources, in "
        "order of first appearance.",
    )
    disputed_fields: list[str] = related_values(
        Related.PARTICIPANT_DISPUTED_FIELDS,
        "The fields (by their names in this API) whose claims, for one item, hold more than "
        "one value, in order of first appearance.",
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: datetime = column("When it was added to the corpus.")
    updated_at: datetime = column("When it was last changed.")
