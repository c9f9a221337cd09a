"""The change log's retention: pruning what no reader needs any more, and the horizon it leaves.

Pruning compacts rather than truncates: it deletes the changes older than the retention that a
later change of the same node (a higher version) replaced, and the deletions older than it, but
keeps each live node's last change however old. So the feed read from the beginning still folds
into the whole corpus; only a reader standing *before* what was deleted could miss something (a
deletion, a replaced value), and its cursor has expired: `change_log_horizon` holds the newest
feed position pruned, and the store refuses an older cursor with CURSOR_EXPIRED.

Only changes below the feed's horizon (`api.store.changes.horizon`) are pruned: the rows of
transactions still running are not final yet.
"""

from dataclasses import dataclass
from datetime import timedelta

from api.security.database import Queryable

PRUNE = """
WITH pruned AS (
    DELETE FROM changes c
    WHERE c.changed_at < now() - make_interval(secs => $1)
      AND c.xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      AND (c.op = 'DELETE' OR EXISTS (
          SELECT FROM changes later
          WHERE later.node_id = c.node_id AND later.version > c.version))
    RETURNING c.xid, c.id
), newest AS (
    SELECT xid, id FROM pruned ORDER BY xid DESC, id DESC LIMIT 1
), moved AS (
    INSERT INTO change_log_horizon AS h (xid, change_id)
    SELECT xid, id FROM newest
    ON CONFLICT (single) DO UPDATE
        SET xid = excluded.xid, change_id = excluded.change_id, pruned_at = now()
        WHERE (h.xid, h.change_id) < (excluded.xid, excluded.change_id)
)
SELECT count(*) AS pruned, (SELECT xid FROM newest) AS xid, (SELECT id FROM newest) AS change_id
FROM pruned
"""


@dataclass(frozen=True)
class Pruned:
    changes: int
    """How many changes were deleted."""
    position: tuple[int, int] | None
    """The newest feed position deleted (xid, change id): cursors before it have expired."""


async def prune_changes(source: Queryable, older_than: timedelta) -> Pruned:
    """Deletes the changes older than `older_than` that no reader from the beginning needs."""
    [row] = await source.fetch(PRUNE, older_than.total_seconds())
    position = None if row["xid"] is None else (row["xid"], row["change_id"])
    return Pruned(row["pruned"], position)
