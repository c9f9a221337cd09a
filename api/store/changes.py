"""The change feed: the change log read in commit-safe order, from a position.

Changes are ordered by (transaction id, change id) and read only below the oldest transaction
still running (`pg_snapshot_xmin(pg_current_snapshot())`): a transaction that started earlier
and commits later is never skipped, because the feed does not move past it until it ends. Why not
`updated_at` or a sequence: both are handed out before commit, so a later commit can land behind
a reader's position (hasura/graphql-engine#8632).

A position (`FeedPosition`) is where a reader stands; its cursor is opaque (base64url JSON). A
position may carry a snapshot (an export's): the transactions that snapshot saw are then
skipped, so export-then-feed neither loses nor repeats a change. It also carries the position
the log had been pruned up to when it was handed out (`api.db.change_retention`): a cursor the
log has since been pruned past has expired (StoreCursorExpiredError, CURSOR_EXPIRED).

A node's history (`HistoryPosition`, `history_pages`) is its changes newest first, by version:
the feed's order may put two overlapping transactions' changes of one node the other way round.
The store runs both reads (`Store.changes`, `Store.history`) through its statement cache.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Text,
    and_,
    any_,
    cast,
    func,
    literal,
    not_,
    select,
    true,
)
from sqlalchemy import tuple_ as row_of

from api.db.tables import change_log_horizon, changes
from api.store.entities import PARENT_KEY, Row
from api.store.errors import StoreCursorExpiredError, StoreInputError
from api.store.params import Param, Params, ParamType

CURSOR_KIND = "changes"
"""The first item of a feed cursor, so that a connection's cursor is told apart."""


@dataclass(frozen=True)
class Snapshot:
    """The transactions a snapshot saw: every id below `xmax` but those in `running`."""

    xmax: int
    running: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "tuple[int, Snapshot]":
        """`(xmin, snapshot)` from PostgreSQL's text of a pg_snapshot, `xmin:xmax:xip,...`."""
        xmin, xmax, running = text.split(":")
        return int(xmin), cls(int(xmax), tuple(int(xid) for xid in running.split(",") if xid))


@dataclass(frozen=True)
class FeedPosition:
    """After every change up to (`xid`, `change_id`), and, with a `seen` snapshot, after every
    change of the transactions it saw."""

    xid: int
    change_id: int
    seen: Snapshot | None = None
    pruned: tuple[int, int] = (0, 0)
    """The position the log had been pruned up to when this one was handed out: a reader who
    began after a pruning reads the log it left (which still folds into the corpus), so only
    a later pruning, past this position, can take a change from it."""

    @classmethod
    def of_snapshot(cls, snapshot_text: str) -> "FeedPosition":
        """The position just after what a snapshot (`pg_current_snapshot()::text`) saw."""
        xmin, snapshot = Snapshot.parse(snapshot_text)
        return cls(xmin, 0, snapshot)

    def after(self, xid: int, change_id: int) -> "FeedPosition":
        """The position after the change (`xid`, `change_id`), read from here; the snapshot
        is kept while it can still hide a later change."""
        seen = self.seen if self.seen is not None and xid < self.seen.xmax else None
        return FeedPosition(xid, change_id, seen, self.pruned)

    def expired(self, pruned: tuple[int, int]) -> bool:
        """Whether the log, now pruned up to `pruned`, may have lost a change this reader has
        not read: pruned past both this position and what it knew of."""
        return max((self.xid, self.change_id), self.pruned) < pruned

    def cursor(self) -> str:
        seen = orjson.Fragment(seen_json(self.seen)) if self.seen else None
        return _encode([CURSOR_KIND, self.xid, self.change_id, seen, list(self.pruned)])

    @classmethod
    def of_cursor(cls, cursor: str) -> "FeedPosition":
        """The position a cursor names; StoreInputError when it is not a feed cursor."""
        try:
            kind, xid, change_id, seen, (pruned_xid, pruned_change_id) = _decode(cursor)
            if kind != CURSOR_KIND:
                raise ValueError(kind)
            snapshot = None
            if seen is not None:
                xmax, running = seen
                snapshot = Snapshot(_count(xmax), tuple(_count(item) for item in running))
            pruned = (_count(pruned_xid), _count(pruned_change_id))
            return cls(_count(xid), _count(change_id), snapshot, pruned)
        except (binascii.Error, ValueError, TypeError):
            raise StoreInputError("not a cursor of the change feed") from None


def _encode(payload: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def feed_cursor_sql(
    xid: ColumnElement[Any],
    change_id: ColumnElement[Any],
    seen: ColumnElement[Any],
    pruned: tuple[ColumnElement[Any], ColumnElement[Any]],
) -> ColumnElement[str]:
    """`FeedPosition.cursor()` written by PostgreSQL, the same text (orjson's compact JSON,
    base64url without padding), for the compiled path: `seen` is the snapshot's JSON text or
    'null'."""
    items = [literal(f'["{CURSOR_KIND}",', Text), cast(xid, Text), literal(",", Text)]
    items += [cast(change_id, Text), literal(",", Text), seen, literal(",[", Text)]
    items += [cast(pruned[0], Text), literal(",", Text), cast(pruned[1], Text)]
    payload = func.concat(*items, literal("]]", Text))
    encoded = func.encode(func.convert_to(payload, "UTF8"), "base64")
    return func.rtrim(func.translate(encoded, "+/\n", "-_"), "=", type_=Text)


def seen_json(seen: "Snapshot") -> str:
    """The JSON a cursor holds for a snapshot, as `FeedPosition.cursor()` writes it."""
    return orjson.dumps([seen.xmax, list(seen.running)]).decode()


def _decode(cursor: str) -> Any:
    """The JSON a cursor holds; ValueError (or binascii.Error) when it holds none."""
    return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise ValueError(value)
    return value


def horizon() -> ColumnElement[int]:
    """The oldest transaction still running: the feed reads only below it."""
    xmin = func.pg_snapshot_xmin(func.pg_current_snapshot())
    return cast(cast(xmin, Text), BigInteger)


@dataclass(frozen=True)
class BoundPosition:
    """A `FeedPosition` bound as statement parameters (`seen` only when it has a snapshot)."""

    xid: Param
    change_id: Param
    seen_xmax: Param | None
    seen_running: Param | None

    @classmethod
    def of(cls, position: FeedPosition, params: Params) -> "BoundPosition":
        xid = params.add(position.xid, ParamType.BIGINT)
        change_id = params.add(position.change_id, ParamType.BIGINT)
        if position.seen is None:
            return cls(xid, change_id, None, None)
        xmax = params.add(position.seen.xmax, ParamType.BIGINT)
        running = params.add(list(position.seen.running), ParamType.BIGINT_ARRAY)
        return cls(xid, change_id, xmax, running)


def after_position(position: BoundPosition | None) -> ColumnElement[bool]:
    """The changes a reader at `position` has not seen."""
    if position is None:
        return and_(True)
    later = row_of(changes.c.xid, changes.c.id) > row_of(
        position.xid.sql(), position.change_id.sql()
    )
    if position.seen_xmax is None or position.seen_running is None:
        return later
    saw = and_(
        changes.c.xid < position.seen_xmax.sql(),
        changes.c.xid != func.all(position.seen_running.sql()),
    )
    return and_(later, not_(saw))


def pruned_position() -> tuple[ColumnElement[int], ColumnElement[int]]:
    """The position the log was pruned up to (0, 0 when never): older cursors have expired."""
    xid, change_id = (
        func.coalesce(select(change_log_horizon.c[name]).scalar_subquery(), 0)
        for name in ("xid", "change_id")
    )
    return xid, change_id


def _pruned() -> list[ColumnElement[Any]]:
    xid, change_id = pruned_position()
    return [xid.label(PRUNED_XID), change_id.label(PRUNED_CHANGE_ID)]


PRUNED_XID = "pruned_xid"
PRUNED_CHANGE_ID = "pruned_change_id"
FEED_HORIZON = "feed_horizon"


@dataclass(frozen=True)
class FeedShape:
    """A feed read, bound: from where, of which types (None: all), how many rows at most."""

    position: BoundPosition | None
    types: Param | None
    limit: Param


def feed_page(shape: FeedShape) -> Select[Any]:
    """At most `limit` changes after the position, of the types, in feed order, below the
    horizon. The first columns (`FEED_HORIZON`, `PRUNED_XID`, `PRUNED_CHANGE_ID`) come with
    every row, and alone (the change's columns null) when there is no change to read: a reader
    learns the horizon from an empty page too. One statement, so the horizon, the pruned
    position and the changes are of one snapshot."""
    bounds = select(horizon().label(FEED_HORIZON), *_pruned()).subquery("bounds")
    conditions = [after_position(shape.position), changes.c.xid < bounds.c[FEED_HORIZON]]
    if shape.types is not None:
        conditions.append(changes.c.type == any_(shape.types.sql()))
    page = (
        select(changes)
        .where(*conditions)
        .order_by(changes.c.xid, changes.c.id)
        .limit(shape.limit.sql())
        .lateral("page")
    )
    return (
        select(bounds, *page.c)
        .select_from(bounds.outerjoin(page, true()))
        .order_by(page.c.xid, page.c.id)
    )


@dataclass(frozen=True)
class HistoryPosition:
    """Where a reader of a node's history stands, newest first: before the change `change_id`
    (of transaction `xid`, which tells whether the cursor has expired) at `version`."""

    version: int
    xid: int
    change_id: int
    pruned: tuple[int, int]
    """As `FeedPosition.pruned`."""

    def expired(self, pruned: tuple[int, int]) -> bool:
        """As `FeedPosition.expired`."""
        return max((self.xid, self.change_id), self.pruned) < pruned

    def cursor(self) -> str:
        payload = [self.version, self.xid, self.change_id, list(self.pruned)]
        return _encode([HISTORY_CURSOR_KIND, *payload])

    @classmethod
    def of_cursor(cls, cursor: str) -> "HistoryPosition":
        try:
            kind, version, xid, change_id, (pruned_xid, pruned_change_id) = _decode(cursor)
            if kind != HISTORY_CURSOR_KIND:
                raise ValueError(kind)
            pruned = (_count(pruned_xid), _count(pruned_change_id))
            return cls(_count(version), _count(xid), _count(change_id), pruned)
        except (binascii.Error, ValueError, TypeError):
            raise StoreInputError("not a cursor of a history") from None


HISTORY_CURSOR_KIND = "history"


@dataclass(frozen=True)
class HistoryShape:
    """A history read for a batch of nodes, bound: their ids, before where, how many rows."""

    node_ids: Param
    before: tuple[Param, Param] | None
    """(version, change id) of the cursor, or None from the newest."""
    limit: Param


def history_pages(shape: HistoryShape) -> Select[Any]:
    """For each node id, at most `limit` of its changes, newest (highest version) first, each
    row with the node's id as `PARENT_KEY` and the pruned position; a node without any has one
    row whose change's columns are null."""
    nodes = func.unnest(shape.node_ids.sql()).table_valued("id").render_derived("nodes")
    conditions: list[ColumnElement[bool]] = [changes.c.node_id == nodes.c.id]
    if shape.before is not None:
        version, change_id = shape.before
        conditions.append(
            row_of(changes.c.version, changes.c.id) < row_of(version.sql(), change_id.sql())
        )
    page = (
        select(changes)
        .where(*conditions)
        .order_by(changes.c.version.desc(), changes.c.id.desc())
        .limit(shape.limit.sql())
        .lateral("page")
    )
    return (
        select(nodes.c.id.label(PARENT_KEY), *_pruned(), *page.c)
        .select_from(nodes.outerjoin(page, true()))
        .order_by(nodes.c.id, page.c.version.desc(), page.c.id.desc())
    )


EXPIRED = (
    "This cursor is older than the change log's retention: changes after it have been pruned. "
    "Start over: export the corpus (GET /export) and follow the feed from the cursor the export "
    "ends with, or read the feed from the beginning (`changes` without `after`), which still "
    "holds the last change of every node."
)


@dataclass(frozen=True)
class ChangePage:
    """A page of changes: rows of `changes` (`fields` decoded), each with its cursor."""

    rows: Sequence[dict[str, Any]]
    cursors: Sequence[str]
    has_next_page: bool
    end_cursor: str | None
    """The last change's cursor; for an empty page, where the reader stands now."""


def _change(row: Row) -> dict[str, Any]:
    change = {column.key: row[column.key] for column in changes.c}
    change["fields"] = orjson.loads(change["fields"])
    return change


def _pruned_position(row: Row) -> tuple[int, int]:
    return row[PRUNED_XID], row[PRUNED_CHANGE_ID]


def read_feed_page(rows: Sequence[Row], position: FeedPosition | None, limit: int) -> ChangePage:
    """The page `feed_page` read for a reader at `position` (`limit` + 1 rows asked for).
    CURSOR_EXPIRED when the log was pruned past `position`."""
    first = rows[0]
    pruned = _pruned_position(first)
    if position is not None and position.expired(pruned):
        raise StoreCursorExpiredError(EXPIRED)
    found = [row for row in rows if row["id"] is not None]
    current = replace(position or FeedPosition(0, 0), pruned=pruned)
    cursors = []
    for row in found[:limit]:
        current = current.after(row["xid"], row["id"])
        cursors.append(current.cursor())
    if not found and first[FEED_HORIZON] > current.xid:
        # Nothing to read below the horizon: everything before it has been seen, so the reader
        # may stand at the horizon (and not scan again what it skipped, with `types`).
        current = current.after(first[FEED_HORIZON], 0)
    return ChangePage(
        [_change(row) for row in found[:limit]], cursors, len(found) > limit, current.cursor()
    )


def read_history_pages(
    rows: Sequence[Row], node_ids: Sequence[UUID], before: HistoryPosition | None, limit: int
) -> dict[UUID, ChangePage]:
    """The page `history_pages` read for each node (`limit` + 1 rows asked for)."""
    pruned = _pruned_position(rows[0]) if rows else (0, 0)
    if before is not None and before.expired(pruned):
        raise StoreCursorExpiredError(EXPIRED)
    found: dict[UUID, list[Row]] = {node_id: [] for node_id in node_ids}
    for row in rows:
        if row["id"] is not None:
            found[row[PARENT_KEY]].append(row)
    pages = {}
    for node_id, node_rows in found.items():
        page = node_rows[:limit]
        cursors = [
            HistoryPosition(row["version"], row["xid"], row["id"], pruned).cursor() for row in page
        ]
        end = cursors[-1] if cursors else before.cursor() if before is not None else None
        pages[node_id] = ChangePage(
            [_change(row) for row in page], cursors, len(node_rows) > limit, end
        )
    return pages
