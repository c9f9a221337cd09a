"""Global IDs: every object of the API is named by one opaque ID, the base64 of its type's name
and its uuid."""

import binascii
from base64 import b64decode, b64encode
from uuid import UUID

from api.store.entities import ENTITIES, Entity


def global_id_prefix(type_name: str) -> str:
    """What a global ID holds before the object's uuid. A global ID is the base64 of this prefix
    and the uuid: Python encodes it here for Strawberry's execution, and PostgreSQL for the
    compiled path (`api.store.documents.EncodedId`), both from this one prefix."""
    return f"{type_name}:"


def encode_global_id(type_name: str, key: UUID) -> str:
    """The opaque global ID of an object: base64 of "TypeName:uuid"."""
    return b64encode(f"{global_id_prefix(type_name)}{key}".encode()).decode()


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
