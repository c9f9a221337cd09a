"""Treaty: an agreement between parties, with its names, milestones and status over time."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import TREATY_NAMES, Entity
from api.store.relations import Connection as Relation
from api.store.relations import Related
from schema.enums import TreatyMilestoneKind, TreatyStatus
from schema.fields import (
    RowObject,
    column,
    entity_type,
    localized_name,
    reference,
    related,
    related_values,
    treaty_status_field,
)
from schema.pagination import Connection, connection
from schema.types.claim import Claim, claims
from schema.types.common import LocalizedName
from schema.types.node import Node
from schema.types.participant import Participant

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.source import Source
    from schema.types.statement import Statement

SourceType = Annotated["Source", strawberry.lazy("schema.types.source")]
EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@strawberry.type(description="A dated step in a treaty's life.")
class TreatyMilestone(RowObject):
    kind: TreatyMilestoneKind = column("What happened.")
    date: dt.date = column("The day it happened (or happens).")
    note: str | None = column("Details, such as the terms of an extension.")
    event: EventType | None = reference(
        "event_id", Entity.EVENT, "The event it happened at, if any."
    )
    sources: list[SourceType] = related(
        Related.MILESTONE_SOURCES,
        "The sources that report it (the treaty's claims on this milestone whose date is "
        "none or its own), in order of first appearance.",
    )


@entity_type(Entity.TREATY, description="An agreement between parties, such as New START.")
class Treaty(Node):
    slug: str = column("A stable, human-readable key.")
    name: str = localized_name(
        TREATY_NAMES, "The best name in the language asked for, else the primary name."
    )
    names: list[LocalizedName] = related(
        Related.TREATY_NAMES, "Every name, in every language, the primary first."
    )
    summary: str | None = column("What the treaty is about, briefly.")
    signed_on: dt.date | None = column("The day it was signed.")
    effective_on: dt.date | None = column("The day it entered into force.")
    expires_on: dt.date | None = column("Its current expiry date, after any extension.")
    status: TreatyStatus = treaty_status_field(
        "Where it stands, derived from its milestones as of a day."
    )
    milestones: list[TreatyMilestone] = related(
        Related.TREATY_MILESTONES, "Its dated steps, in date order."
    )
    parties: list[Participant] = related(Related.TREATY_PARTIES, "The parties to it.")
    claims: list[Claim] = claims(
        Related.TREATY_CLAIMS,
        "What its sources claim about its fields and milestones, each value with its "
        "sources, in order of first appearance.",
    )
    disputed_fields: list[str] = related_values(
        Related.TREATY_DISPUTED_FIELDS,
        "The fields (by their names in this API) whose claims, for one item, hold more than "
        "one value, in order of first appearance.",
    )
    events: Connection[EventType] = connection(
        Relation.TREATY_EVENTS, "The events where it was at stake; the latest first."
    )
    statements: Connection[StatementType] = connection(
        Relation.TREATY_STATEMENTS, "The statements about it; the latest first."
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: dt.datetime = column("When it was added to the corpus.")
    updated_at: dt.datetime = column("When it was last changed.")
