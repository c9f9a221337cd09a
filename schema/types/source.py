"""Source: a published document (a news article) that events and statements are taken from."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import Entity
from api.store.relations import Connection as Relation
from api.store.relations import Related
from schema.enums import SourceKind
from schema.fields import column, entity_type, reference, related
from schema.pagination import Connection, connection
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@entity_type(
    Entity.SOURCE,
    description="A published document that events and statements are taken from.",
)
class Source(Node):
    slug: str = column("A stable, human-readable key.")
    url: str | None = column("Where it was published, when online.")
    title: str = column("Its title, as published.")
    publisher: str = column('Who published it ("Euronews").')
    language: str = column('The BCP 47 tag of its language, such as "fr".')
    published_at: datetime | None = column("When it was published.")
    kind: SourceKind = column("A report, a wire story, or an official channel.")
    reprint_of: "Source | None" = reference(
        "reprint_of_id",
        Entity.SOURCE,
        "The wire story it reprints (as is, or translated), if it is a copy.",
    )
    reprints: list["Source"] = related(
        Related.SOURCE_REPRINTS, "The sources that reprint it, the earliest first."
    )
    based_on: list["Source"] = related(
        Related.SOURCE_BASED_ON,
        "The sources it cites or takes facts from without reprinting them, the earliest first.",
    )
    origin: "Source" = reference(
        "reprint_of_id",
        Entity.SOURCE,
        "Where its text comes from: the wire story it reprints, else itself. Sources of one "
        "origin are one independent source.",
        otherwise="id",
    )
    note: str | None = column("A note about its capture or its date.")
    events: list[EventType] = related(
        Related.SOURCE_EVENTS, "The events it reports, in date order."
    )
    statements: Connection[StatementType] = connection(
        Relation.SOURCE_STATEMENTS, "The statements it reports, in the order it tells them."
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: datetime = column("When it was added to the corpus.")
    updated_at: datetime = column("When it was last changed.")
