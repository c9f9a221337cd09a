"""The Node interface: every major type is fetchable by one opaque ID (`schema.global_ids`)."""

import strawberry

from schema.fields import RowObject, global_id
from schema.types.change import ChangeConnection, history_field


@strawberry.interface(
    description="An object with a global ID: any of them can be fetched again with Query.node."
)
class Node(RowObject):
    id: strawberry.ID = global_id(
        "The global ID of this object: opaque, stable, unique across all types."
    )
    history: ChangeConnection = history_field
