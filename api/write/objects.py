"""One object created, updated or deleted in a transaction: checked, then written as a load's rows.

The object's fields are those of its fixture model; its references are slugs, resolved here to
the ids of the stored objects they name. The rules of `fixtures validate` apply
(`api.fixtures.single`), and what spans the stored corpus is checked against it in the
transaction: a slug or URL another object holds, a statement position taken, a topic cycle.
The rows come from the loader's own builder (`api.fixtures.load.rows.records`) and go into the
tables through `json_populate_record`, typed by the tables themselves. A list field given
replaces the stored list, when it differs (an unchanged list is not rewritten, so it raises
no version); the other lists stay as they are.
"""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from pydantic import BaseModel

from api.fixtures.export import stored_object
from api.fixtures.load.ids import IdFactory, Ids
from api.fixtures.load.rows import Record, records
from api.fixtures.mapping import FIXTURES, SINGULAR, KindMapping, TableMapping
from api.fixtures.reader import quoted
from api.fixtures.single import (
    FieldProblem,
    check_object,
    read_object,
    referenced_slugs,
)
from api.fixtures.validate import KIND_OF, StoredKind, StoredSlugs
from api.store.entities import ENTITIES, Entity
from api.write.errors import Argument, UserError, UserErrorCode, WriteRefusedError

KINDS: dict[Entity, str] = {entity: str(spec.table.name) for entity, spec in ENTITIES.items()}
"""The fixture list of each entity: its table's name."""


def _json(value: object) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def refused(field: Sequence[str | int], code: UserErrorCode, message: str) -> WriteRefusedError:
    return WriteRefusedError([UserError(Argument.INPUT, tuple(field), code, message)])


def _invalid(problems: Iterable[FieldProblem]) -> WriteRefusedError:
    return WriteRefusedError(
        [
            UserError(Argument.INPUT, problem.field, UserErrorCode.INVALID, problem.reason)
            for problem in problems
        ]
    )


async def locked_version(
    connection: asyncpg.Connection, entity: Entity, node_id: UUID, expected: int | None
) -> int:
    """The version of the row `node_id`, locked until the transaction ends; NOT_FOUND, or
    VERSION_CONFLICT when it is not `expected` (None: any)."""
    version: int | None = await connection.fetchval(
        f"SELECT version FROM {KINDS[entity]} WHERE id = $1 FOR UPDATE", node_id
    )
    if version is None:
        name = ENTITIES[entity].type_name
        raise WriteRefusedError(
            [UserError(Argument.ID, (), UserErrorCode.NOT_FOUND, f"No {name} has this id.")]
        )
    if expected is not None and version != expected:
        raise WriteRefusedError(
            [
                UserError(
                    Argument.EXPECTED_VERSION,
                    (),
                    UserErrorCode.VERSION_CONFLICT,
                    f"The {ENTITIES[entity].type_name} is at version {version}, not {expected}: "
                    "read it again, and apply your change to what it holds now.",
                )
            ]
        )
    return version


class ObjectWrite:
    """The write of one object of `entity` on `connection`, inside its transaction."""

    def __init__(self, connection: asyncpg.Connection, entity: Entity) -> None:
        self.connection = connection
        self.entity = entity
        self.kind = KINDS[entity]
        self.mapping: KindMapping = FIXTURES[self.kind]

    async def create(self, values: dict[str, Any]) -> UUID:
        """Create the object `values` describe; its id."""
        item = read_object(self.kind, values)
        if isinstance(item, list):
            raise _invalid(item)
        return await self._write(item, None, set(self.mapping.model.model_fields))

    async def update(self, node_id: UUID, values: dict[str, Any]) -> None:
        """Change the fields `values` gives of the object `node_id` (locked by the caller)."""
        stored = await stored_object(self.connection, self.mapping, node_id)
        assert stored is not None, "the caller locked the row"
        merged = {**dict(stored), **values}
        if self.entity is Entity.STATEMENT and "source" in values and "position" not in values:
            merged["position"] = None  # in another source, it goes last
        item = read_object(self.kind, merged)
        if isinstance(item, list):
            raise _invalid(item)
        await self._write(item, node_id, set(values))

    async def delete(self, node_id: UUID) -> None:
        """Delete the object `node_id` (locked by the caller) and the rows it owns."""
        try:
            async with self.connection.transaction():
                # Deferred keys are checked now, where the refusal can be told apart.
                await self.connection.execute("SET CONSTRAINTS ALL IMMEDIATE")
                await self.connection.execute(f"DELETE FROM {self.kind} WHERE id = $1", node_id)
        except (asyncpg.ForeignKeyViolationError, asyncpg.RestrictViolationError) as error:
            referrer = error.table_name or "other rows"
            raise WriteRefusedError(
                [
                    UserError(
                        Argument.ID,
                        (),
                        UserErrorCode.REFERENCED,
                        f"{referrer} still refer to this {SINGULAR[self.kind]}: change or "
                        "delete them first.",
                    )
                ]
            ) from error

    # ------------------------------------------------------------ checks

    async def _stored_slugs(
        self, item: BaseModel
    ) -> tuple[StoredSlugs, dict[str, dict[str, UUID]]]:
        """The stored objects `item` names: their kinds (for the checks) and ids (for rows),
        looked up in one statement."""
        wanted = {
            target: sorted(slugs)
            for target, slugs in referenced_slugs(self.kind, item).items()
            if slugs
        }
        kinds: dict[str, dict[str, StoredKind | None]] = {target: {} for target in wanted}
        ids: dict[str, dict[str, UUID]] = {target: {} for target in wanted}
        if not wanted:
            return kinds, ids
        selects = [
            f"SELECT {number} AS target, slug, id, "
            f"{'kind' if target in KIND_OF else 'NULL'} AS kind "
            f"FROM {target} WHERE slug = ANY(${number + 1}::text[])"
            for number, target in enumerate(wanted)
        ]
        targets = list(wanted)
        for row in await self.connection.fetch(" UNION ALL ".join(selects), *wanted.values()):
            target = targets[row["target"]]
            kinds[target][row["slug"]] = KIND_OF[target](row["kind"]) if row["kind"] else None
            ids[target][row["slug"]] = row["id"]
        return kinds, ids

    async def _check_against_stored(self, item: Any, node_id: UUID | None) -> None:
        """What spans the stored corpus: unique slug and URL, a free position, no cycle."""
        others = f"{self.kind} WHERE id IS DISTINCT FROM $2"
        if await self.connection.fetchval(
            f"SELECT EXISTS (SELECT FROM {others} AND slug = $1)", item.slug, node_id
        ):
            raise refused(
                ("slug",),
                UserErrorCode.DUPLICATE,
                f"duplicate {SINGULAR[self.kind]} slug {quoted(item.slug)}",
            )
        if (
            self.entity is Entity.SOURCE
            and item.url is not None
            and await self.connection.fetchval(
                f"SELECT EXISTS (SELECT FROM {others} AND url = $1)", item.url, node_id
            )
        ):
            raise refused(
                ("url",),
                UserErrorCode.DUPLICATE,
                f"the url {quoted(item.url)} is used by another source",
            )
        if self.entity is Entity.TOPIC and item.parent is not None and node_id is not None:
            chain: list[str] = await self.connection.fetchval(
                "WITH RECURSIVE up(id, parent_id, slug, depth) AS ("
                " SELECT id, parent_id, slug, 1 FROM topics WHERE slug = $1"
                " UNION ALL SELECT t.id, t.parent_id, t.slug, up.depth + 1"
                " FROM topics t JOIN up ON t.id = up.parent_id WHERE up.id <> $2)"
                " SELECT array_agg(slug ORDER BY depth) FROM up WHERE"
                " EXISTS (SELECT FROM up WHERE id = $2)",
                item.parent,
                node_id,
            )
            if chain:
                raise refused(
                    ("parent",),
                    UserErrorCode.INVALID,
                    "topic parent cycle: " + " → ".join([item.slug, *chain]),
                )

    async def _position(self, item: Any, source_id: UUID, node_id: UUID | None) -> int:
        """The statement's position in its source: given and free, or after the last one."""
        # Statements of one source are placed one transaction at a time.
        await self.connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext('eventgraph statement positions'), "
            "hashtext($1::uuid::text))",
            source_id,
        )
        if item.position is None:
            position: int = await self.connection.fetchval(
                "SELECT coalesce(max(position) + 1, 0) FROM statements "
                "WHERE source_id = $1 AND id IS DISTINCT FROM $2",
                source_id,
                node_id,
            )
            return position
        taken = await self.connection.fetchval(
            "SELECT slug FROM statements WHERE source_id = $1 AND position = $2 "
            "AND id IS DISTINCT FROM $3",
            source_id,
            item.position,
            node_id,
        )
        if taken is not None:
            raise refused(
                ("position",),
                UserErrorCode.DUPLICATE,
                f"position {item.position} in source {item.source!r} is taken by statement "
                f"{taken!r}",
            )
        given: int = item.position
        return given

    # ------------------------------------------------------------ rows

    async def _write(self, item: Any, node_id: UUID | None, given: set[str]) -> UUID:
        kinds, stored_ids = await self._stored_slugs(item)
        checked = check_object(self.kind, item, kinds)
        if isinstance(checked, list):
            raise _invalid(checked)
        await self._check_against_stored(item, node_id)
        slug: str = item.slug
        new_id = IdFactory()
        ids = {
            kind: Ids(
                {
                    **stored_ids.get(kind, {}),
                    **({slug: node_id} if kind == self.kind and node_id else {}),
                },
                [*stored_ids.get(kind, {}), *([slug] if kind == self.kind else [])],
                new_id,
            )
            for kind in FIXTURES
        }
        own_id = ids[self.kind].ids[slug]
        corpus = checked.corpus
        if self.entity is Entity.STATEMENT:
            source_id = ids["sources"].ids[item.source]
            corpus.statement_positions = [await self._position(item, source_id, node_id)]
        rows = records(corpus, ids, FIXTURES)
        entity = self.mapping.entity
        (row,) = rows[entity.name]
        await self._write_row(entity, row, node_id is not None)
        for child in self.mapping.children:
            if child.within in given:
                await self._replace_children(child, own_id, rows[child.name], node_id is None)
        return own_id

    async def _write_row(self, table: TableMapping, row: Record, exists: bool) -> None:
        columns = ", ".join(table.columns)
        values = f"json_populate_record(NULL::{table.name}, $1::json)"
        document = _json(dict(zip(table.columns, row, strict=True)))
        if exists:
            await self.connection.execute(
                f"UPDATE {table.name} SET ({columns}) = (SELECT {columns} FROM {values}) "
                "WHERE id = $2",
                document,
                row[table.columns.index("id")],
            )
        else:
            await self.connection.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {values}", document
            )

    async def _replace_children(
        self, table: TableMapping, owner_id: UUID, rows: list[Record], created: bool
    ) -> None:
        """The rows of one list of the object: inserted, or put in place of the stored ones
        when they differ. An event's relations are its own whichever end it is at."""
        owned = f"{table.owner} = $1"
        if table.rows is not None:
            owned = "from_event_id = $1 OR to_event_id = $1"
        columns = ", ".join(table.columns)
        if not created:
            stored = await self.connection.fetch(
                f"SELECT {columns} FROM {table.name} WHERE {owned}", owner_id
            )
            if _same_rows(stored, rows):
                return
            await self.connection.execute(f"DELETE FROM {table.name} WHERE {owned}", owner_id)
        if rows:
            document = _json([dict(zip(table.columns, row, strict=True)) for row in rows])
            await self.connection.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
                f"FROM json_populate_recordset(NULL::{table.name}, $1::json)",
                document,
            )


def _same_rows(stored: Sequence[Any], rows: Sequence[Record]) -> bool:
    def normal(items: Iterable[Sequence[Any]]) -> list[tuple[str, ...]]:
        return sorted(tuple(map(str, item)) for item in items)

    return normal(map(tuple, stored)) == normal(rows)
