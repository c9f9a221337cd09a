"""Global IDs and the Node interface: every major type is fetchable by one opaque ID."""
# mypy: disable-error-code="untyped-decorator"
# (Strawberry types @strawberry.field(description=...) as returning Any.)

import binascii
from base64 import b64decode, b64encode
from uuid import UUID

import strawberry


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


@strawberry.interface(
    description="An object with a global ID: any of them can be fetched again with Query.node."
)
class Node:
    uuid: strawberry.Private[UUID]

    @strawberry.field(
        description="The global ID of this object: opaque, stable, unique across all types."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(self).__name__, self.uuid))
