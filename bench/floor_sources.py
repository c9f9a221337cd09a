"""The floor of Q8, a meeting with its sources, claims and statements' renderings: the same
SQL written by hand, in both variants.

What the API does (api/store/sources.py, claims.py, citations.py, renderings.py), written again:
an event's sources newest first, each with its origin (the wire story it reprints, else itself);
its claims grouped by (field, item, value, qualifier) in order of first appearance, each with
whether it holds the stored value (`chosen`) and its sources in order of first appearance; the
fields whose claims on one item hold more than one value (null counting as one for a scalar);
a statement's renderings, its own text first, then the others in their order. A field is shown
under its read-API name: camelCase, `related` as `relatedEvents`.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

if TYPE_CHECKING:
    Db = PoolConnectionProxy[asyncpg.Record]
else:  # the stubs' generic is not subscriptable at run time
    Db = PoolConnectionProxy

STATEMENTS = 20
"""The page of statements the document asks for."""

SOURCE_ORDER = "s.published_at NULLS LAST, s.id"


def shown_field_sql(field: str) -> str:
    """The read-API name of a fixture field: "duration_minutes" → "durationMinutes"."""
    camel = f"replace(initcap(replace({field}, '_', ' ')), ' ', '')"
    return (
        f"CASE {field} WHEN 'related' THEN 'relatedEvents' "
        f"ELSE lower(left({camel}, 1)) || substr({camel}, 2) END"
    )


def linked_sql(link: str, target: str, target_column: str, extra: str = "") -> str:
    return f"""EXISTS (SELECT FROM {link} l JOIN {target} t ON t.id = l.{target_column}
        WHERE l.event_id = e.id AND t.slug = c.item{extra})"""


# Whether the claim `c` holds the value the event `e` holds (api/store/claims.py, `chosen`).
CHOSEN_SQL = f"""CASE
    WHEN c.field = 'participants' THEN {
    linked_sql(
        "event_participants",
        "participants",
        "participant_id",
        " AND (c.value IS NULL OR l.role::text = c.value)",
    )
}
    WHEN c.field = 'topics' THEN {linked_sql("event_topics", "topics", "topic_id")}
    WHEN c.field = 'treaties' THEN {linked_sql("event_treaties", "treaties", "treaty_id")}
    WHEN c.field = 'sources' THEN {linked_sql("event_sources", "sources", "source_id")}
    WHEN c.field = 'related' THEN EXISTS (
        SELECT FROM event_relations r JOIN events o
            ON o.id = CASE WHEN r.from_event_id = e.id THEN r.to_event_id ELSE r.from_event_id END
        WHERE (r.from_event_id = e.id OR r.to_event_id = e.id) AND o.slug = c.item
          AND (c.value IS NULL OR c.value = CASE
              WHEN r.from_event_id = e.id THEN r.kind::text
              WHEN r.kind = 'PRECEDES' THEN 'FOLLOWS'
              WHEN r.kind = 'PART_OF' THEN 'HAS_PART'
              ELSE r.kind::text END))
    WHEN c.field = 'location_country' THEN c.value IS NOT DISTINCT FROM
        (SELECT p.slug FROM participants p WHERE p.id = e.location_country_id)
    WHEN c.field = 'starts_at' THEN (c.value IS NULL AND e.starts_at IS NULL)
        OR coalesce(CASE WHEN c.value ~ '^\\d{{4}}-\\d\\d-\\d\\dT'
                         THEN c.value::timestamptz = e.starts_at END, false)
    WHEN c.field IN ('id', 'slug', 'version', 'created_at', 'updated_at', 'search_vector')
        THEN false
    ELSE to_jsonb(e) ? c.field AND (to_jsonb(e) ->> c.field) IS NOT DISTINCT FROM c.value
END"""

# The event's claims, one row per claim: its first row's id, shown field, item, value,
# qualifier, chosen, and its sources' slugs in order of first appearance.
CLAIMS_SQL = f"""SELECT g.field, g.item, g.value, g.qualifier, g.chosen,
        (SELECT array_agg(x.slug ORDER BY x.position, x.id) FROM (
            SELECT s.slug, s.id, min(m.position) AS position
            FROM event_claims m JOIN sources s ON s.id = m.source_id
            WHERE m.event_id = g.event_id AND m.field = g.stored_field
              AND m.item IS NOT DISTINCT FROM g.item AND m.value IS NOT DISTINCT FROM g.value
              AND m.qualifier = g.qualifier
            GROUP BY s.id, s.slug) x) AS sources
    FROM (SELECT c.event_id, c.field AS stored_field, {shown_field_sql("c.field")} AS field,
                 c.item, c.value, c.qualifier, {CHOSEN_SQL} AS chosen,
                 min(c.position) AS position,
                 (array_agg(c.id ORDER BY c.position))[1] AS id
          FROM event_claims c JOIN events e ON e.id = c.event_id
          WHERE c.event_id = $1
          GROUP BY c.event_id, e.id, c.field, c.item, c.value, c.qualifier) g
    ORDER BY g.position, g.id"""

DISPUTED_SQL = f"""SELECT {shown_field_sql("d.field")} AS field
    FROM (SELECT c.field, min(c.position) AS position FROM event_claims c
          WHERE c.event_id = $1 GROUP BY c.field, c.item
          HAVING count(DISTINCT c.value)
                 + CASE WHEN c.item IS NULL THEN bool_or(c.value IS NULL)::int ELSE 0 END > 1) d
    GROUP BY d.field ORDER BY min(d.position), 1"""

SOURCES_SQL = f"""SELECT s.publisher, s.language, s.kind,
        (SELECT o.slug FROM sources o WHERE o.id = coalesce(s.reprint_of_id, s.id)) AS origin
    FROM event_sources l JOIN sources s ON s.id = l.source_id
    WHERE l.event_id = $1 ORDER BY {SOURCE_ORDER}"""

SPEAKER_NAME_SQL = """coalesce((SELECT n.value FROM participant_names n
    WHERE n.participant_id = s.speaker_id ORDER BY n.is_primary DESC, n.position LIMIT 1), '')"""

STATEMENTS_SQL = f"""SELECT s.id, s.text, {SPEAKER_NAME_SQL} AS speaker
    FROM (SELECT id, text, speaker_id, position FROM statements WHERE event_id = $1
          ORDER BY position, id LIMIT {STATEMENTS}) s
    ORDER BY s.position, s.id"""

RENDERINGS_SQL = """SELECT r.statement_id, r.text, r.language, src.slug AS source, r.translation
    FROM (SELECT id AS statement_id, text, language, source_id, translation, -1 AS position
          FROM statements WHERE id = ANY($1::uuid[])
          UNION ALL
          SELECT statement_id, text, language, source_id, translation, position
          FROM statement_renderings WHERE statement_id = ANY($1::uuid[])) r
    JOIN sources src ON src.id = r.source_id
    ORDER BY r.statement_id, r.position"""


def ordered(sql: str) -> str:
    """`sql` numbered in its order, for json_agg to keep it."""
    return f"SELECT q.*, row_number() OVER () AS ordinality FROM ({sql}) q"


EVENT_SOURCES_JSON_SQL = f"""(SELECT coalesce(json_agg(json_build_object(
        'publisher', s.publisher, 'language', s.language, 'kind', s.kind,
        'origin', json_build_object('slug', (
            SELECT o.slug FROM sources o WHERE o.id = coalesce(s.reprint_of_id, s.id))))
        ORDER BY {SOURCE_ORDER}), '[]'::json)
    FROM event_sources l JOIN sources s ON s.id = l.source_id WHERE l.event_id = ev.id)"""

# Variant "sql": the whole answer built by one statement (the event is `ev`: the fragments
# name their own rows `e`).
MEETING_SOURCES_SQL = f"""SELECT json_build_object('data', json_build_object('event', (
    SELECT json_build_object(
        'title', ev.title,
        'sources', {EVENT_SOURCES_JSON_SQL},
        'disputedFields', (SELECT coalesce(json_agg(d.field ORDER BY d.ordinality), '[]'::json)
            FROM ({ordered(DISPUTED_SQL.replace("$1", "ev.id"))}) d),
        'claims', (SELECT coalesce(json_agg(json_build_object(
                'field', g.field, 'item', g.item, 'value', g.value, 'qualifier', g.qualifier,
                'chosen', g.chosen,
                'sources', (SELECT coalesce(json_agg(json_build_object('slug', x.slug)
                                                     ORDER BY x.ordinality), '[]'::json)
                            FROM unnest(g.sources) WITH ORDINALITY x(slug, ordinality)))
                ORDER BY g.ordinality), '[]'::json)
            FROM ({ordered(CLAIMS_SQL.replace("$1", "ev.id"))}) g),
        'statements', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'text', st.text,
                'speaker', json_build_object('name', st.speaker),
                'renderings', (SELECT coalesce(json_agg(json_build_object(
                        'text', r.text, 'language', r.language,
                        'source', json_build_object('slug', r.source),
                        'translation', r.translation) ORDER BY r.ordinality), '[]'::json)
                    FROM ({ordered(RENDERINGS_SQL.replace("ANY($1::uuid[])", "st.id"))}) r)
            ) ORDER BY st.ordinality), '[]'::json)
            FROM ({ordered(STATEMENTS_SQL.replace("$1", "ev.id"))}) st)))
    FROM events ev WHERE ev.slug = $1)))::text"""


async def meeting_sources_sql(connection: Db, variables: Mapping[str, Any]) -> bytes:
    """Variant "sql": one statement builds the answer."""
    text: str = await connection.fetchval(MEETING_SOURCES_SQL, variables["slug"])
    return text.encode()


def _grouped(rows: Sequence[asyncpg.Record]) -> dict[Any, list[asyncpg.Record]]:
    groups: dict[Any, list[asyncpg.Record]] = {}
    for row in rows:
        groups.setdefault(row["statement_id"], []).append(row)
    return groups


async def meeting_sources_rows(connection: Db, variables: Mapping[str, Any]) -> bytes:
    """Variant "rows": one statement per relation level, the answer built in Python."""
    event = await connection.fetchrow(
        "SELECT id, title FROM events WHERE slug = $1", variables["slug"]
    )
    if event is None:
        return orjson.dumps({"data": {"event": None}})
    key = event["id"]
    sources = await connection.fetch(SOURCES_SQL, key)
    disputed = await connection.fetch(DISPUTED_SQL, key)
    claims = await connection.fetch(CLAIMS_SQL, key)
    statements = await connection.fetch(STATEMENTS_SQL, key)
    renderings = _grouped(await connection.fetch(RENDERINGS_SQL, [row["id"] for row in statements]))
    return orjson.dumps(
        {
            "data": {
                "event": {
                    "title": event["title"],
                    "sources": [
                        {
                            "publisher": row["publisher"],
                            "language": row["language"],
                            "kind": row["kind"],
                            "origin": {"slug": row["origin"]},
                        }
                        for row in sources
                    ],
                    "disputedFields": [row["field"] for row in disputed],
                    "claims": [
                        {
                            "field": row["field"],
                            "item": row["item"],
                            "value": row["value"],
                            "qualifier": row["qualifier"],
                            "chosen": row["chosen"],
                            "sources": [{"slug": slug} for slug in row["sources"]],
                        }
                        for row in claims
                    ],
                    "statements": {
                        "nodes": [
                            {
                                "text": row["text"],
                                "speaker": {"name": row["speaker"]},
                                "renderings": [
                                    {
                                        "text": rendering["text"],
                                        "language": rendering["language"],
                                        "source": {"slug": rendering["source"]},
                                        "translation": rendering["translation"],
                                    }
                                    for rendering in renderings.get(row["id"], [])
                                ],
                            }
                            for row in statements
                        ]
                    },
                }
            }
        }
    )
