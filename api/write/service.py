"""A mutation's transaction: who writes, the idempotency key, the row lock, the write, the answer.

Every write runs on the primary in one transaction that first names its actor
(`api.db.change_log.ACTOR_SETTING`: the triggers log the change under it), then claims the
idempotency key if there is one, locks the row it updates or deletes and compares its version,
writes (`api.write.objects`) and reads the row back. A refusal (`UserError`s) rolls everything
back; so does what the database itself refuses (a unique value taken by a concurrent write),
answered as the userError it is.
"""

from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

import asyncpg

from api.db import tables
from api.db.change_log import ACTOR_SETTING
from api.fixtures.mapping import FIXTURES
from api.settings import Settings
from api.store.entities import ENTITIES, Entity, Row, entity_columns
from api.store.statements import Database
from api.vocabulary import ChangeOp
from api.write import idempotency
from api.write.errors import Argument, UserError, UserErrorCode, WriteRefusedError
from api.write.objects import KINDS, ObjectWrite, locked_version


@dataclass(frozen=True)
class Author:
    """Who writes: the change log's actor (the key's name) and whose idempotency keys apply."""

    actor: str
    owner: str


@dataclass(frozen=True)
class Write:
    """One mutation: `values` are the input's fields given, as in a fixture file."""

    mutation: str
    """Its name, part of what an idempotency key is held to."""
    entity: Entity
    op: ChangeOp
    node_id: UUID | None = None
    values: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class Written:
    """What a mutation answers: the object created, updated or deleted (its id) and its row
    now (None once deleted), or the reasons nothing was written."""

    node_id: UUID | None = None
    row: Row | None = None
    errors: list[UserError] = field(default_factory=list)


class Writer:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def run(self, write: Write, author: Author, idempotency_key: str | None) -> Written:
        async with self.database.connection(primary=True) as pooled:
            # A pool's connection proxy answers as the connection it holds.
            connection = cast(asyncpg.Connection, pooled)
            try:
                async with connection.transaction():
                    return await self._in_transaction(connection, write, author, idempotency_key)
            except WriteRefusedError as refusal:
                return Written(errors=refusal.errors)
            except asyncpg.IntegrityConstraintViolationError as error:
                return Written(errors=[database_refusal(error)])

    async def _in_transaction(
        self,
        connection: asyncpg.Connection,
        write: Write,
        author: Author,
        key: str | None,
    ) -> Written:
        await connection.execute("SELECT set_config($1, $2, true)", ACTOR_SETTING, author.actor)
        if key is not None:
            request = idempotency.fingerprint(
                {
                    "mutation": write.mutation,
                    "id": write.node_id,
                    "input": write.values,
                    "expected_version": write.expected_version,
                }
            )
            hours = self.settings.idempotency_key_hours
            claimed = await idempotency.claim(connection, author.owner, key, request, hours)
            if isinstance(claimed, idempotency.Reused):
                raise WriteRefusedError(
                    [
                        UserError(
                            Argument.IDEMPOTENCY_KEY,
                            (),
                            UserErrorCode.IDEMPOTENCY_KEY_REUSED,
                            "This idempotency key was used for another mutation or input: "
                            "use a new key for a new request.",
                        )
                    ]
                )
            if isinstance(claimed, idempotency.Answered):
                node_id = UUID(claimed.answer["node_id"])
                return Written(node_id, await _row(connection, write.entity, node_id))
        node_id = await self._write(connection, write)
        if key is not None:
            await idempotency.keep(connection, author.owner, key, {"node_id": str(node_id)})
        return Written(node_id, await _row(connection, write.entity, node_id))

    async def _write(self, connection: asyncpg.Connection, write: Write) -> UUID:
        objects = ObjectWrite(connection, write.entity)
        if write.op is ChangeOp.CREATE:
            return await objects.create(write.values)
        assert write.node_id is not None
        await locked_version(connection, write.entity, write.node_id, write.expected_version)
        if write.op is ChangeOp.UPDATE:
            await objects.update(write.node_id, write.values)
        else:
            await objects.delete(write.node_id)
        return write.node_id


async def _row(connection: asyncpg.Connection, entity: Entity, node_id: UUID) -> Row | None:
    """The entity's row as the reads return it; None when it is not there (deleted)."""
    columns = ", ".join(str(column.key) for column in entity_columns(ENTITIES[entity].table))
    row: Row | None = await connection.fetchrow(
        f"SELECT {columns} FROM {KINDS[entity]} WHERE id = $1", node_id
    )
    return row


def database_refusal(error: asyncpg.IntegrityConstraintViolationError) -> UserError:
    """What the database refused that the checks could not see coming (a concurrent write
    took the slug), as a userError on the field of its column."""
    code = (
        UserErrorCode.DUPLICATE
        if isinstance(error, asyncpg.UniqueViolationError)
        else UserErrorCode.INVALID
    )
    return UserError(Argument.INPUT, _field_of(error), code, error.detail or str(error))


def _field_of(error: asyncpg.IntegrityConstraintViolationError) -> tuple[str | int, ...]:
    """The fixture field of the first column of the constraint the database named."""
    table = tables.metadata.tables.get(error.table_name or "")
    name = error.constraint_name
    if table is None or name is None:
        return ()
    columns = [
        column.name
        for item in (*table.indexes, *table.constraints)
        if getattr(item, "name", None) == name
        for column in getattr(item, "columns", ())
    ]
    mapping = next(
        (mapped for kind in FIXTURES.values() for mapped in kind.tables if mapped.table is table),
        None,
    )
    fill = mapping.fill(columns[0]) if mapping is not None and columns else None
    if fill is None or not fill.field:
        return ()
    return (mapping.within, *fill.field) if mapping is not None and mapping.within else fill.field
