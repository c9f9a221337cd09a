"""The root Mutation: create, update and delete for every entity, made from the registry.

`<entity>Create(input, idempotencyKey)`, `<entity>Update(id, input, expectedVersion,
idempotencyKey)` and `<entity>Delete(id, expectedVersion, idempotencyKey)` for each entity of
`api.store.entities.ENTITIES`, with the inputs of `schema.inputs` and payloads
`{ <entity>, userErrors }` (`{ deletedId, userErrors }`): Shopify's and Saleor's shape. The
resolvers hand the write to `api.write.service.Writer`; a refusal is `userErrors`, each with the
path of the argument field it is about (`["input", "participants", "0", "participant"]`).
"""

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry.utils.str_converters import to_camel_case

from api import vocabulary
from api.codes import ErrorCode
from api.fixtures.mapping import SINGULAR
from api.store.entities import ENTITIES, Entity
from api.write import errors
from api.write.service import Write, Written
from schema.context import Info
from schema.errors import CodedError
from schema.fields import ENTITY_CLASSES
from schema.global_ids import encode_global_id, node_key
from schema.inputs import CREATE_INPUTS, UPDATE_INPUTS, fixture_values


@strawberry.enum(description="Why a mutation wrote nothing.")
class UserErrorCode(Enum):
    INVALID = strawberry.enum_value(
        errors.UserErrorCode.INVALID,
        description="A value the rules refuse: its format, an unknown reference, an end before "
        "a start, a text too long to store.",
    )
    NOT_FOUND = strawberry.enum_value(
        errors.UserErrorCode.NOT_FOUND, description="No object of the kind has this id."
    )
    DUPLICATE = strawberry.enum_value(
        errors.UserErrorCode.DUPLICATE,
        description="A slug, URL or statement position another object holds.",
    )
    VERSION_CONFLICT = strawberry.enum_value(
        errors.UserErrorCode.VERSION_CONFLICT,
        description="The object is no longer at expectedVersion: read it again.",
    )
    IDEMPOTENCY_KEY_REUSED = strawberry.enum_value(
        errors.UserErrorCode.IDEMPOTENCY_KEY_REUSED,
        description="The idempotency key was used for another mutation or input.",
    )
    REFERENCED = strawberry.enum_value(
        errors.UserErrorCode.REFERENCED,
        description="Others still refer to the object: change or delete them first.",
    )


@strawberry.type(description="One reason a mutation wrote nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='The path of the argument or input field it is about ("input", "endDate"); '
        "null when it is about the whole request."
    )
    code: UserErrorCode = strawberry.field(description="What kind of problem it is.")
    message: str = strawberry.field(description="The problem, in words.")


def _user_error(error: errors.UserError) -> UserError:
    path = [error.argument.value, *map(str, error.field)]
    return UserError(
        field=[to_camel_case(step) for step in path],
        code=UserErrorCode[error.code.name],
        message=error.message,
    )


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="A unique string of the client's (a UUID) that makes a retry safe: a request "
        "with a key used before, with the same input, gets the first answer and changes nothing "
        "again (keys are kept at least 24 hours)."
    ),
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The version the change is based on: if the object has another, nothing is "
        "written and the answer is VERSION_CONFLICT."
    ),
]
NodeId = Annotated[strawberry.ID, strawberry.argument(description="The object's global ID.")]


def _payload(entity: Entity, operation: str, description: str) -> type:
    name = f"{ENTITIES[entity].type_name}{operation}Payload"
    user_errors = strawberry.field(description="Why nothing was written; empty on success.")
    if operation == "Delete":
        namespace: dict[str, Any] = {
            "__annotations__": {"deleted_id": strawberry.ID | None, "user_errors": list[UserError]},
            "deleted_id": strawberry.field(description="The global ID of the deleted object."),
            "user_errors": user_errors,
        }
    else:
        singular = SINGULAR[str(ENTITIES[entity].table.name)]
        namespace = {
            "__annotations__": {
                singular: ENTITY_CLASSES[entity] | None,
                "user_errors": list[UserError],
            },
            singular: strawberry.field(description="The object as written; null when nothing was."),
            "user_errors": user_errors,
        }
    return strawberry.type(type(name, (), namespace), name=name, description=description)


async def _written(info: Info, write: Write, key: str | None) -> Written:
    author, writer = info.context.author, info.context.writer
    if author is None or writer is None:
        raise CodedError("Mutations need an API key with the admin scope.", ErrorCode.FORBIDDEN)
    return await writer.run(write, author, key)


def _node_id(entity: Entity, global_id: str) -> UUID | None:
    key = node_key(global_id, entity)
    return key[1] if key is not None else None


def _not_found(entity: Entity) -> Written:
    message = f"No {ENTITIES[entity].type_name} has this id."
    return Written(
        errors=[errors.UserError(errors.Argument.ID, (), errors.UserErrorCode.NOT_FOUND, message)]
    )


def _answer(entity: Entity, payload: type, written: Written) -> Any:
    singular = SINGULAR[str(ENTITIES[entity].table.name)]
    node = ENTITY_CLASSES[entity](row=written.row) if written.row is not None else None
    return payload(**{singular: node, "user_errors": list(map(_user_error, written.errors))})


def _create(entity: Entity, name: str) -> Callable[..., Awaitable[Any]]:
    payload = _payload(entity, "Create", f"What {name} answers.")

    async def resolve(info: Info, input: Any, idempotency_key: Any = None) -> Any:
        write = Write(name, entity, vocabulary.ChangeOp.CREATE, values=fixture_values(input))
        return _answer(entity, payload, await _written(info, write, idempotency_key))

    resolve.__annotations__ = {
        "info": Info,
        "input": Annotated[
            CREATE_INPUTS[entity], strawberry.argument(description="The new object.")
        ],
        "idempotency_key": IdempotencyKey,
        "return": payload,
    }
    return resolve


def _update(entity: Entity, name: str) -> Callable[..., Awaitable[Any]]:
    payload = _payload(entity, "Update", f"What {name} answers.")

    async def resolve(
        info: Info, id: str, input: Any, expected_version: Any = None, idempotency_key: Any = None
    ) -> Any:
        node_id = _node_id(entity, id)
        if node_id is None:
            return _answer(entity, payload, _not_found(entity))
        write = Write(
            name,
            entity,
            vocabulary.ChangeOp.UPDATE,
            node_id,
            fixture_values(input),
            expected_version,
        )
        return _answer(entity, payload, await _written(info, write, idempotency_key))

    resolve.__annotations__ = {
        "info": Info,
        "id": NodeId,
        "input": Annotated[
            UPDATE_INPUTS[entity], strawberry.argument(description="The fields that change.")
        ],
        "expected_version": ExpectedVersion,
        "idempotency_key": IdempotencyKey,
        "return": payload,
    }
    return resolve


def _delete(entity: Entity, name: str) -> Callable[..., Awaitable[Any]]:
    payload = _payload(entity, "Delete", f"What {name} answers.")
    type_name = ENTITIES[entity].type_name

    async def resolve(
        info: Info, id: str, expected_version: Any = None, idempotency_key: Any = None
    ) -> Any:
        node_id = _node_id(entity, id)
        written = (
            _not_found(entity)
            if node_id is None
            else await _written(
                info,
                Write(name, entity, vocabulary.ChangeOp.DELETE, node_id, {}, expected_version),
                idempotency_key,
            )
        )
        deleted = None
        if not written.errors and written.node_id is not None:
            deleted = strawberry.ID(encode_global_id(type_name, written.node_id))
        return payload(deleted_id=deleted, user_errors=list(map(_user_error, written.errors)))

    resolve.__annotations__ = {
        "info": Info,
        "id": NodeId,
        "expected_version": ExpectedVersion,
        "idempotency_key": IdempotencyKey,
        "return": payload,
    }
    return resolve


def _mutation_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for entity, spec in ENTITIES.items():
        singular = SINGULAR[str(spec.table.name)]
        name = spec.type_name
        article = "an" if name[0] in "AEIOU" else "a"
        for operation, make, about in (
            ("create", _create, f"Add {article} {name} to the corpus."),
            ("update", _update, f"Change fields of {article} {name}."),
            ("delete", _delete, f"Remove {article} {name}, with what it owns (names, links)."),
        ):
            python_name = f"{singular}_{operation}"
            fields[python_name] = strawberry.mutation(
                resolver=make(entity, to_camel_case(python_name)),
                description=f"{about} Admin keys only.",
            )
    return fields


Mutation = strawberry.type(
    type("Mutation", (), _mutation_fields()),
    name="Mutation",
    description="Corrections of the corpus, for keys with the admin scope; each mutation is one "
    "transaction, logged in the change log under the key's name.",
)
