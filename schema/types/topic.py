"""Topic: a subject of events and statements, in a hierarchy, labelled in many languages."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.store.entities import TOPIC_LABELS, Entity
from api.store.relations import Connection as Relation
from api.store.relations import Related
from schema.fields import column, entity_type, localized_name, reference, related
from schema.pagination import Connection, connection
from schema.types.common import LocalizedName
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.event import Event
    from schema.types.statement import Statement

EventType = Annotated["Event", strawberry.lazy("schema.types.event")]
StatementType = Annotated["Statement", strawberry.lazy("schema.types.statement")]


@entity_type(
    Entity.TOPIC,
    description="A subject events and statements are about, such as nuclear arms.",
)
class Topic(Node):
    slug: str = column("A stable, human-readable key.")
    label: str = localized_name(
        TOPIC_LABELS, "The best label in the language asked for, else the primary one."
    )
    labels: list[LocalizedName] = related(
        Related.TOPIC_LABELS, "Every label, in every language, the primary first."
    )
    description: str | None = column("What the topic covers.")
    parent: "Topic | None" = reference(
        "parent_id", Entity.TOPIC, "The broader topic this one belongs to."
    )
    children: list["Topic"] = related(Related.TOPIC_CHILDREN, "The narrower topics under this one.")
    events: Connection[EventType] = connection(
        Relation.TOPIC_EVENTS, "The events about it; the latest first."
    )
    statements: Connection[StatementType] = connection(
        Relation.TOPIC_STATEMENTS, "The statements about it; the latest first."
    )
    version: int = column(
        "Raised by each change of it: pass it as `expectedVersion` to update or delete it."
    )
    created_at: datetime = column("When it was added to the corpus.")
    updated_at: datetime = column("When it was last changed.")
