"""The change feed: the change log read in commit-safe order, from a position.

Changes are ordered by (transaction id, change id) and read only below the oldest transaction
still running (`pg_snapshot_xmin(pg_current_snapshot())`): a transaction that started earlier
and commits later is never skipped, because the feed does not move past it until it ends. Why not
`updated_at` or a sequence: both are handed out before commit, so a later commit can land behind
a reader's position (hasura/graphql-engine#8632).

A position (`FeedPosition`) is where a reader stands; its cursor is opaque (base64url JSON). A
position may carry a snapshot (an export's): the transactions that snapshot saw are then
skipped, so export-then-feed neither loses nor repeats a change.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import BigInteger, ColumnElement, Select, Text, and_, cast, func, not_, select
from sqlalchemy import tuple_ as row_of
from sqlalchemy.dialects.postgresql import ARRAY

from api.db.tables import changes
from api.store.errors import StoreInputError

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

    @classmethod
    def of_snapshot(cls, snapshot_text: str) -> "FeedPosition":
        """The position just after what a snapshot (`pg_current_snapshot()::text`) saw."""
        xmin, snapshot = Snapshot.parse(snapshot_text)
        return cls(xmin, 0, snapshot)

    def after(self, xid: int, change_id: int) -> "FeedPosition":
        """The position after the change (`xid`, `change_id`), read from here; the snapshot
        is kept while it can still hide a later change."""
        seen = self.seen if self.seen is not None and xid < self.seen.xmax else None
        return FeedPosition(xid, change_id, seen)

    def cursor(self) -> str:
        seen = [self.seen.xmax, list(self.seen.running)] if self.seen else None
        payload = orjson.dumps([CURSOR_KIND, self.xid, self.change_id, seen])
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    @classmethod
    def of_cursor(cls, cursor: str) -> "FeedPosition":
        """The position a cursor names; StoreInputError when it is not a feed cursor."""
        try:
            decoded = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            kind, xid, change_id, seen = decoded
            if kind != CURSOR_KIND:
                raise ValueError(kind)
            snapshot = None
            if seen is not None:
                xmax, running = seen
                snapshot = Snapshot(_count(xmax), tuple(_count(item) for item in running))
            return cls(_count(xid), _count(change_id), snapshot)
        except (binascii.Error, ValueError, TypeError):
            raise StoreInputError("not a cursor of the change feed") from None


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise ValueError(value)
    return value


def horizon() -> ColumnElement[int]:
    """The oldest transaction still running: the feed reads only below it."""
    xmin = func.pg_snapshot_xmin(func.pg_current_snapshot())
    return cast(cast(xmin, Text), BigInteger)


def after_position(position: FeedPosition | None) -> ColumnElement[bool]:
    """The changes a reader at `position` has not seen."""
    if position is None:
        return and_(True)
    later = row_of(changes.c.xid, changes.c.id) > row_of(position.xid, position.change_id)
    if position.seen is None:
        return later
    seen = position.seen
    running = cast(list(seen.running), ARRAY(BigInteger))
    saw = and_(changes.c.xid < seen.xmax, changes.c.xid != func.all(running))
    return and_(later, not_(saw))


def feed_page(position: FeedPosition | None, types: Sequence[str] | None, limit: int) -> Select:  # type: ignore[type-arg]
    """At most `limit` changes after `position`, of `types` (all without), in feed order, below
    the horizon. The statement takes no parameters: it is built for one call."""
    conditions = [after_position(position), changes.c.xid < horizon()]
    if types is not None:
        conditions.append(changes.c.type.in_(types))
    return select(changes).where(*conditions).order_by(changes.c.xid, changes.c.id).limit(limit)
