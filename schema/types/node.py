"""Global IDs and the Node interface: every major type is fetchable by one opaque ID."""

import binascii
from base64 import b64decode, b64encode
from uuid import UUID

import strawberry

from api.store.entities import ENTITIES, Entity
from schema.fields import RowObject, global_id


def encode_global_id(type_name: str, key: UUID) -> str:
    """The opaque global ID of an object: base64 of "TypeName:uuid"."""
    return b64encode(f"{type_name}:{key}".encode()).decode()


def decode_global_id(global_id: str) -> tuple[str, UUID] | None:
    """The (type name, uuid) a global ID stands for, or None when it is not one of ours."""
    try:
        type_name, _, key = b64decode(global_id, validate=True).decode().partition(":")
        return type_name, UUID(key)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


NODE_ENTITIES: dict[str, Entity] = {spec.type_name: entity for entity, spec in ENTITIES.items()}
"""GraphQL type name → store entity, for global IDs."""


def node_key(global_id: str, expected: Entity | None = None) -> tuple[Entity, UUID] | None:
    """The entity and id a global ID names; None when it is malformed or of another type."""
    decoded = decode_global_id(global_id)
    if decoded is None or decoded[0] not in NODE_ENTITIES:
        return None
    entity = NODE_ENTITIES[decoded[0]]
    if expected is not None and entity is not expected:
        return None
    return entity, decoded[1]


@strawberry.interface(
    description="An object with a global ID: any of them can be fetched again with Query.node."
)
class Node(RowObject):
    id: strawberry.ID = global_id(
        "The global ID of this object: opaque, stable, unique across all types."
    )
