"""The floor of Q7, a page of the change feed: the same SQL sent by hand, in both variants.

What the API does (api/store/changes.py), written again: changes after the cursor's position in
(transaction id, change id) order, below the oldest transaction still running, with the
position the log was pruned up to; the cursor is base64url of the JSON list
["changes", xid, change id, null, [pruned xid, pruned change id]], unpadded. Only the cursors the
benchmark sends are known: plain positions (no export snapshot).
"""

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

if TYPE_CHECKING:
    Db = PoolConnectionProxy[asyncpg.Record]
else:  # the stubs' generic is not subscriptable at run time
    Db = PoolConnectionProxy

PAGE = 100

READ = """
SELECT b.horizon, b.pruned_xid, b.pruned_change_id, p.*
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon,
             coalesce((SELECT xid FROM change_log_horizon), 0) AS pruned_xid,
             coalesce((SELECT change_id FROM change_log_horizon), 0) AS pruned_change_id) b
LEFT JOIN LATERAL (
    SELECT c.id, c.xid, c.type, c.node_id, c.op, c.version, c.actor, c.changed_at, c.fields
    FROM changes c
    WHERE (c.xid, c.id) > ($1, $2) AND c.xid < b.horizon
    ORDER BY c.xid, c.id LIMIT $3) p ON true
ORDER BY p.xid, p.id
"""


def decode(cursor: str) -> tuple[int, int]:
    kind, xid, change_id, _, _ = orjson.loads(base64.urlsafe_b64decode(cursor + "=="))
    assert kind == "changes"
    return xid, change_id


def encode(xid: int, change_id: int, pruned: tuple[int, int]) -> str:
    payload = orjson.dumps(["changes", xid, change_id, None, list(pruned)])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def instant(value: datetime) -> str:
    return value.isoformat()


def node_id(type_: str, key: Any) -> str:
    return base64.b64encode(f"{type_.capitalize()}:{key}".encode()).decode()


async def feed_rows(connection: Db, variables: Mapping[str, Any]) -> bytes:
    """Variant "rows": the page's rows, the response built in Python."""
    xid, change_id = decode(variables["after"])
    rows = await connection.fetch(READ, xid, change_id, PAGE + 1)
    first = rows[0]
    pruned = (first["pruned_xid"], first["pruned_change_id"])
    found = [row for row in rows if row["id"] is not None]
    nodes = []
    for row in found[:PAGE]:
        fields = orjson.loads(row["fields"])
        nodes.append(
            {
                "cursor": encode(row["xid"], row["id"], pruned),
                "op": row["op"],
                "type": row["type"],
                "nodeId": node_id(row["type"], row["node_id"]),
                "version": row["version"],
                "changedAt": instant(row["changed_at"]),
                "actor": row["actor"],
                "fields": [
                    {"name": name, "before": value["before"], "after": value["after"]}
                    for name, value in sorted(fields.items())
                ],
            }
        )
    if found:
        end = nodes[-1]["cursor"]
    elif first["horizon"] > xid:
        end = encode(first["horizon"], 0, pruned)
    else:
        end = encode(xid, change_id, pruned)
    page = {"nodes": nodes, "pageInfo": {"hasNextPage": len(found) > PAGE, "endCursor": end}}
    return orjson.dumps({"data": {"changes": page}})


def cursor_sql(xid: str, change_id: str) -> str:
    text = (
        f"""'["changes",' || {xid} || ',' || {change_id} || ',null,[' """
        "|| b.pruned_xid || ',' || b.pruned_change_id || ']]'"
    )
    return f"rtrim(translate(encode(convert_to({text}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


INSTANT = (
    "to_char(p.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE "
    "WHEN extract(microseconds FROM p.changed_at)::bigint % 1000000 = 0 THEN '' "
    "ELSE to_char(p.changed_at AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)

FEED_SQL = f"""
WITH b AS (
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon,
           coalesce((SELECT xid FROM change_log_horizon), 0) AS pruned_xid,
           coalesce((SELECT change_id FROM change_log_horizon), 0) AS pruned_change_id
), page AS (
    SELECT c.* FROM changes c, b
    WHERE (c.xid, c.id) > ($1, $2) AND c.xid < b.horizon
    ORDER BY c.xid, c.id LIMIT {PAGE + 1}
), shown AS (
    SELECT * FROM page ORDER BY xid, id LIMIT {PAGE}
)
SELECT json_build_object('data', json_build_object('changes', json_build_object(
    'nodes', (
        SELECT coalesce(json_agg(json_build_object(
            'cursor', {cursor_sql("p.xid", "p.id")},
            'op', p.op,
            'type', p.type,
            'nodeId', replace(encode(convert_to(initcap(p.type) || ':' || p.node_id, 'UTF8'),
                                     'base64'), E'\\n', ''),
            'version', p.version,
            'changedAt', {INSTANT},
            'actor', p.actor,
            'fields', (
                SELECT coalesce(json_agg(json_build_object(
                    'name', f.key, 'before', f.value -> 'before', 'after', f.value -> 'after'
                ) ORDER BY f.key COLLATE "C"), '[]'::json)
                FROM jsonb_each(p.fields) f)
        ) ORDER BY p.xid, p.id), '[]'::json)
        FROM shown p, b),
    'pageInfo', json_build_object(
        'hasNextPage', (SELECT count(*) > {PAGE} FROM page),
        'endCursor', coalesce(
            (SELECT {cursor_sql("p.xid", "p.id")} FROM shown p, b ORDER BY p.xid DESC, p.id DESC
             LIMIT 1),
            (SELECT CASE WHEN b.horizon > $1 THEN {cursor_sql("b.horizon", "0")}
                    ELSE {cursor_sql("$1", "$2")} END FROM b))
    ))))::text
"""


async def feed_sql(connection: Db, variables: Mapping[str, Any]) -> bytes:
    """Variant "sql": one statement builds the whole response."""
    xid, change_id = decode(variables["after"])
    text: str = await connection.fetchval(FEED_SQL, xid, change_id)
    return text.encode()
