"""The bulk export: every node of some types, read from one consistent snapshot, one JSON line
each, built by PostgreSQL.

One REPEATABLE READ READ ONLY transaction is held while the lines stream, read through a
server-side cursor in batches, so memory stays flat whatever the corpus. The snapshot's
`pg_current_snapshot()` is the feed position to follow from (`FeedPosition.of_snapshot`):
export-then-feed neither loses nor repeats a change.

A line is the node as the change log sees it, so that a change's `after` applies onto it:

    {"__typename": "Event", "type": "EVENT", "id": <global ID>, "version": 3,
     "fields": {<column>: <value>, ..., <owned list>: [<item>, ...]},
     "after": <token>}

`fields` holds the columns the change log logs (all but id, version, created_at, updated_at
and generated columns: `eventgraph_unlogged_columns`), by column name, references as the UUIDs
they hold; and each list the node owns (`api.store.owned`), its items as the log writes them
(the row less its owner column, sorted). `after` resumes the export after this line.
"""

import base64
import binascii
import re
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, func, literal, select
from sqlalchemy import literal_column as sql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.types import Uuid

from api.store.changes import FeedPosition, Snapshot
from api.store.entities import ENTITIES, Entity
from api.store.errors import StoreInputError
from api.store.owned import OWNED_LISTS, OwnedList
from api.store.statements import Database

EXPORT_ORDER = (
    Entity.SOURCE,
    Entity.PARTICIPANT,
    Entity.TOPIC,
    Entity.TREATY,
    Entity.EVENT,
    Entity.STATEMENT,
)
"""The order types are exported in: what is referenced before what refers to it (within a
type, by id)."""

DIGITS = re.compile(r"[0-9]{1,19}")


def _count(text: str) -> int:
    """A non-negative integer written in plain digits; ValueError otherwise."""
    if not DIGITS.fullmatch(text):
        raise ValueError(text)
    return int(text)


@dataclass(frozen=True)
class ExportPosition:
    """Where an export stands: the feed position of its first snapshot, the types it exports,
    and, once lines were sent, the last one's type and node id.

    A line's token is short, for it is on every line: base64url of
    `xid.change_id.xmax.running.types.type` (running ids joined by "-", types as their places in
    EXPORT_ORDER), a dot, and the node's id in hex."""

    start: FeedPosition
    types: tuple[Entity, ...]
    entity: Entity | None = None
    node_id: UUID | None = None

    def token_prefix(self, entity: Entity) -> str:
        """What a token of a line of `entity` holds before the node's id (hex)."""
        seen = self.start.seen
        parts = [
            str(self.start.xid),
            str(self.start.change_id),
            "" if seen is None else str(seen.xmax),
            "" if seen is None else "-".join(map(str, seen.running)),
            "".join(str(EXPORT_ORDER.index(item)) for item in self.types),
            str(EXPORT_ORDER.index(entity)),
        ]
        encoded = base64.urlsafe_b64encode(".".join(parts).encode()).decode().rstrip("=")
        return encoded + "."

    @classmethod
    def of_token(cls, token: str) -> "ExportPosition":
        """The position after the line whose `after` is `token`; StoreInputError otherwise."""
        try:
            header, node_id = token.split(".")
            payload = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)).decode()
            xid, change_id, xmax, running, types, entity = payload.split(".")
            seen = None
            if xmax:
                ids = tuple(_count(item) for item in running.split("-")) if running else ()
                seen = Snapshot(_count(xmax), ids)
            elif running:
                raise ValueError(running)
            chosen = tuple(EXPORT_ORDER[_count(place)] for place in types)
            last = EXPORT_ORDER[_count(entity)]
            if not chosen or last not in chosen or len(set(chosen)) != len(chosen):
                raise ValueError(types)
            start = FeedPosition(_count(xid), _count(change_id), seen)
            return cls(start, chosen, last, UUID(hex=node_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, IndexError):
            raise StoreInputError("not a token of an export's line") from None


def _owned_items(owned: OwnedList, node: Any) -> ColumnElement[Any]:
    """The node's items of one owned list, as the change log writes them."""
    rows = owned.table.alias()
    item = func.to_jsonb(rows.table_valued()).op("-")(literal(owned.owner_column))
    return (
        select(func.coalesce(func.jsonb_agg(aggregate_order_by(item, item)), sql("'[]'::jsonb")))
        .where(rows.c[owned.owner_column] == node.c.id)
        .scalar_subquery()
    )


def export_lines(entity: Entity, resumed: bool) -> Select[str]:
    """Every node of `entity` (after the id `p1` when `resumed`), by id, one JSON text each;
    `p0` is its token's prefix (`ExportPosition.token_prefix`)."""
    spec = ENTITIES[entity]
    node = spec.table.alias("node")
    unlogged = select(
        func.eventgraph_unlogged_columns(sql(f"'{spec.table.name}'::regclass"))
    ).scalar_subquery()
    fields: ColumnElement[Any] = func.to_jsonb(node.table_valued()).op("-")(unlogged)
    owned = OWNED_LISTS[entity]
    if owned:
        lists = [
            part for name, items in owned.items() for part in (name, _owned_items(items, node))
        ]
        fields = fields.op("||")(func.jsonb_build_object(*lists))
    global_id = func.encode(
        func.convert_to(func.concat(f"{spec.type_name}:", cast(node.c.id, Text)), "UTF8"), "base64"
    )
    token = func.concat(bindparam("p0", type_=Text), func.replace(cast(node.c.id, Text), "-", ""))
    line = func.json_build_object(
        "__typename",
        spec.type_name,
        "type",
        entity.value,
        "id",
        global_id,
        "version",
        node.c.version,
        "fields",
        fields,
        "after",
        token,
    )
    statement = select(cast(line, Text)).select_from(node).order_by(node.c.id)
    if resumed:
        statement = statement.where(node.c.id > bindparam("p1", type_=Uuid()))
    return statement


class ExportSnapshot:
    """An export's open snapshot: its lines, in batches, and the cursor to follow the feed from."""

    def __init__(
        self,
        database: Database,
        connection: "asyncpg.pool.PoolConnectionProxy[Any]",
        position: ExportPosition,
    ) -> None:
        self._database = database
        self._connection = connection
        self.position = position

    @property
    def feed_cursor(self) -> str:
        """The feed cursor after what the export's first snapshot saw."""
        return self.position.start.cursor()

    async def batches(self, size: int) -> AsyncGenerator[Sequence[str]]:
        """The lines (JSON texts), at most `size` at a time, fetched as they are asked for."""
        position = self.position
        chosen = [entity for entity in EXPORT_ORDER if entity in position.types]
        if position.entity is not None:
            chosen = chosen[chosen.index(position.entity) :]
        for entity in chosen:
            resumed = entity is position.entity
            statement = self._database.statements.get(
                ("export", entity, resumed), partial(export_lines, entity, resumed)
            )
            values: list[Any] = [position.token_prefix(entity), position.node_id]
            cursor = await self._connection.cursor(statement.sql, *statement.arguments(values))
            while rows := await cursor.fetch(size):
                yield [row[0] for row in rows]
                if len(rows) < size:
                    break


@asynccontextmanager
async def export_snapshot(
    database: Database, types: Sequence[Entity], resume: ExportPosition | None
) -> AsyncIterator[ExportSnapshot]:
    """One snapshot held open (a connection, a REPEATABLE READ READ ONLY transaction) while the
    block runs: of `types` from the start, or what follows `resume` (a new snapshot, ending
    with the first one's feed position). Leaving the block, however it is left, ends the
    transaction and gives the connection back."""
    async with (
        database.connection() as connection,
        connection.transaction(isolation="repeatable_read", readonly=True),
    ):
        # The first statement takes the transaction's snapshot: this is it.
        snapshot: str = await connection.fetchval("SELECT pg_current_snapshot()::text")
        position = resume or ExportPosition(FeedPosition.of_snapshot(snapshot), tuple(types))
        yield ExportSnapshot(database, connection, position)
