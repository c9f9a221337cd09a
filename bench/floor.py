"""The floor: the least a server can do to answer the benchmark's queries, to measure the API by.

A minimal Starlette app on asyncpg and orjson, with hand-written SQL for each document of
bench/queries/ (it knows a document by its exact text, and parses no GraphQL), in two variants:

- "sql": one statement per request builds the whole response inside PostgreSQL
  (json_build_object / json_agg, as PostGraphile and Hasura do);
- "rows": one statement per relation level, the rows assembled into the response in Python.

Both answer exactly what the API answers, key order included: global ids are base64 of
"TypeName:uuid", a name in a language follows the rule of api/store/names.py, lists keep the
API's orders, and Q6's cursor is the API's (api/store/pagination.py, cursor_column). None of
it is imported from `api`: the benchmark checks every answer against the API's before timing,
so a change on either side shows as a difference instead of being copied across.

`python -m bench.floor --variant sql|rows --database DSN --host H --port P` serves it with
uvicorn the way `eventgraph serve` does (one worker; uvloop and httptools when installed).
"""

import argparse
import base64
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.documents import DOCUMENTS
from bench.floor_feed import feed_rows, feed_sql
from bench.floor_sources import meeting_sources_rows, meeting_sources_sql

VARIANTS = ("sql", "rows")
POOL_SIZE = 10  # the API's default EVENTGRAPH_POOL_SIZE
STATEMENT_TIMEOUT_MS = 5_000  # the API's default EVENTGRAPH_STATEMENT_TIMEOUT_MS

Variables = Mapping[str, Any]
if TYPE_CHECKING:
    Db = PoolConnectionProxy[asyncpg.Record]
else:  # the stubs' generic is not subscriptable at run time
    Db = PoolConnectionProxy
Handler = Callable[[Db, Variables], Awaitable[bytes]]
Json = dict[str, Any]

# ---------------------------------------------------------------- shared SQL fragments

ROLE_ORDER = "ARRAY['HOST', 'GUEST', 'PARTICIPANT', 'MEDIATOR', 'OBSERVER']"
# Each stemmed language's configuration; any other language is searched as `simple`.
SEARCH_CONFIGURATIONS = (
    "french",
    "english",
    "russian",
    "german",
    "spanish",
    "italian",
    "portuguese",
)
# Q6 lists statements in the API's default order; its cursors carry this tag (the API's hash of
# the connection's name and order) before the sort-key values.
STATEMENTS_TAG = hashlib.blake2b(b"STATEMENT|SAID_ON:DESC", digest_size=4).hexdigest()
STATEMENT_ORDER = "said_on DESC NULLS LAST, id DESC"


def global_id_sql(type_name: str, key: str) -> str:
    # "Participant:" and a uuid make 48 bytes: 64 base64 characters, below the 76 at which
    # PostgreSQL's base64 breaks lines.
    return f"encode(convert_to('{type_name}:' || {key}, 'UTF8'), 'base64')"


def best_name_sql(names: str, owner_column: str, owner: str, language: str) -> str:
    """The name to show in `language` (a parameter, may be NULL): an exact tag first, then the
    same primary subtag, else all; within those the primary, then the first listed."""
    return f"""coalesce((
        SELECT n.value FROM {names} n WHERE n.{owner_column} = {owner}
        ORDER BY coalesce(lower(n.language) = lower({language}), false) DESC,
                 coalesce(split_part(lower(n.language), '-', 1)
                          = split_part(lower({language}), '-', 1), false) DESC,
                 n.is_primary DESC, n.position
        LIMIT 1), '')"""


def participant_name_sql(owner: str, language: str) -> str:
    return best_name_sql("participant_names", "participant_id", owner, language)


def topic_label_sql(owner: str, language: str) -> str:
    return best_name_sql("topic_labels", "topic_id", owner, language)


def participant_sort_name_sql(owner: str) -> str:
    return (
        "(SELECT eventgraph_fold(n.value) FROM participant_names n"
        f" WHERE n.participant_id = {owner} AND n.is_primary)"
    )


PARTICIPATION_ORDER = (
    f"array_position({ROLE_ORDER}, ep.role::text), "
    f"{participant_sort_name_sql('p.id')} NULLS LAST, p.id"
)


def person_json_sql(owner: str, language: str) -> str:
    return (
        f"json_build_object('id', {global_id_sql('Participant', owner)}, "
        f"'name', {participant_name_sql(owner, language)})"
    )


def participations_json_sql(event: str, language: str) -> str:
    return f"""(SELECT coalesce(json_agg(json_build_object(
            'role', ep.role, 'participant', {person_json_sql("p.id", language)})
            ORDER BY {PARTICIPATION_ORDER}), '[]'::json)
        FROM event_participants ep JOIN participants p ON p.id = ep.participant_id
        WHERE ep.event_id = {event})"""


def topics_json_sql(link: str, owner_column: str, owner: str, language: str) -> str:
    return f"""(SELECT coalesce(json_agg(json_build_object(
            'id', {global_id_sql("Topic", "t.id")}, 'label', {topic_label_sql("t.id", language)})
            ORDER BY t.slug, t.id), '[]'::json)
        FROM {link} l JOIN topics t ON t.id = l.topic_id WHERE l.{owner_column} = {owner})"""


def search_sql(text: str) -> tuple[str, str]:
    """A CTE `parsed` of `text` parsed in every configuration, and the row's own-language query.

    Rows are found by the OR of all configurations (what the GIN index answers) and confirmed,
    and ranked, by the query parsed in the row's language alone."""
    names = [*SEARCH_CONFIGURATIONS, "simple"]
    parsed = ", ".join(
        f"websearch_to_tsquery('eventgraph_{name}'::regconfig, {text}) AS {name}" for name in names
    )
    cte = f"parsed AS (SELECT {parsed})"
    cases = " ".join(
        f"WHEN 'eventgraph_{name}'::regconfig THEN (SELECT {name} FROM parsed)"
        for name in SEARCH_CONFIGURATIONS
    )
    own = f"CASE eventgraph_search_config(s.language) {cases} ELSE (SELECT simple FROM parsed) END"
    return cte, own


SEARCH_CTE, OWN_LANGUAGE_QUERY = search_sql("$1")
ANY_LANGUAGE_QUERY = "(SELECT " + " || ".join([*SEARCH_CONFIGURATIONS, "simple"]) + " FROM parsed)"


def statements_after_sql(columns: str, null_cursor: bool) -> str:
    """21 statements after the cursor ($1 said_on, $2 id) in the default order (NULLs last): a
    cursor on a dated row reads the older dated rows by the index, then the undated ones."""
    if null_cursor:
        return (
            # $1 (NULL here) is named so that both forms take the same parameters.
            f"SELECT {columns} FROM statements WHERE said_on IS NULL AND $1::date IS NULL"
            " AND id < $2 ORDER BY id DESC LIMIT 21"
        )
    return f"""SELECT * FROM (
            (SELECT {columns} FROM statements
             WHERE said_on IS NOT NULL AND (said_on, id) < ($1, $2)
             ORDER BY said_on DESC, id DESC LIMIT 21)
            UNION ALL
            (SELECT {columns} FROM statements WHERE said_on IS NULL ORDER BY id DESC LIMIT 21)
        ) after_cursor ORDER BY {STATEMENT_ORDER} LIMIT 21"""


# ---------------------------------------------------------------- variables


def year_bounds(variables: Variables) -> tuple[date, date]:
    return date.fromisoformat(variables["from"]), date.fromisoformat(variables["to"])


def decode_statement_cursor(cursor: str) -> tuple[date | None, UUID]:
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    tag, said_on, key = payload
    if tag != STATEMENTS_TAG:
        raise ValueError("a cursor of another list")
    return (None if said_on is None else date.fromisoformat(said_on)), UUID(key)


def statement_cursor(said_on: date | None, key: UUID) -> str:
    """The API's cursor of a statement in the default order: base64url, unpadded, of the text
    PostgreSQL's json_build_array(tag, said_on, id) writes."""
    day = "null" if said_on is None else f'"{said_on.isoformat()}"'
    payload = f'["{STATEMENTS_TAG}", {day}, "{key}"]'.encode()
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


# ---------------------------------------------------------------- variant "sql": one statement


def as_text(json_sql: str) -> str:
    return f"SELECT json_build_object('data', {json_sql})::text"


MEETING_SQL = as_text(f"""json_build_object('event', (
    SELECT json_build_object(
        'id', {global_id_sql("Event", "e.id")},
        'title', e.title,
        'startDate', e.start_date,
        'kind', e.kind,
        'participants', {participations_json_sql("e.id", "$2")},
        'topics', {topics_json_sql("event_topics", "event_id", "e.id", "$2")},
        'statements', json_build_object(
            'totalCount', (SELECT count(*) FROM statements c WHERE c.event_id = e.id),
            'nodes', (
                SELECT coalesce(json_agg(json_build_object(
                    'id', {global_id_sql("Statement", "s.id")},
                    'text', s.text,
                    'kind', s.kind,
                    'saidOn', s.said_on,
                    'speaker', {person_json_sql("s.speaker_id", "$2")},
                    'topics', {topics_json_sql("statement_topics", "statement_id", "s.id", "$2")}
                ) ORDER BY s.position, s.id), '[]'::json)
                FROM (SELECT id, text, kind, said_on, speaker_id, position FROM statements
                      WHERE event_id = e.id ORDER BY position, id LIMIT 100) s)))
    FROM events e WHERE e.slug = $1))""")

PARTICIPANT_YEAR_SQL = as_text(f"""json_build_object('events', json_build_object('nodes', (
    SELECT coalesce(json_agg(json_build_object(
        'id', {global_id_sql("Event", "e.id")},
        'title', e.title,
        'startDate', e.start_date,
        'participants', {participations_json_sql("e.id", "$4")},
        'topics', {topics_json_sql("event_topics", "event_id", "e.id", "$4")},
        'statements', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'id', {global_id_sql("Statement", "s.id")},
                'text', s.text,
                'speaker', {person_json_sql("s.speaker_id", "$4")}
            ) ORDER BY s.position, s.id), '[]'::json)
            FROM (SELECT id, text, speaker_id, position FROM statements
                  WHERE event_id = e.id ORDER BY position, id LIMIT 5) s))
    ) ORDER BY e.start_date DESC, e.id DESC), '[]'::json)
    FROM (SELECT e.id, e.title, e.start_date
          FROM event_participants ep JOIN events e ON e.id = ep.event_id
          WHERE ep.participant_id = (SELECT id FROM participants WHERE slug = $1)
            AND e.start_date >= $2 AND e.start_date <= $3
          ORDER BY e.start_date DESC, e.id DESC LIMIT 20) e)))""")

SEARCH_SQL = f"WITH {SEARCH_CTE} " + as_text(f"""json_build_object('statements',
    json_build_object('nodes', (
        SELECT coalesce(json_agg(json_build_object(
            'id', {global_id_sql("Statement", "h.id")},
            'text', h.text,
            'saidOn', h.said_on,
            'speaker', {person_json_sql("h.speaker_id", "$2")},
            'event', (SELECT json_build_object(
                    'id', {global_id_sql("Event", "e.id")}, 'title', e.title,
                    'startDate', e.start_date)
                FROM events e WHERE e.id = h.event_id)
        ) ORDER BY h.rank DESC, h.id DESC), '[]'::json)
        FROM (SELECT s.id, s.text, s.said_on, s.speaker_id, s.event_id,
                     ts_rank(s.search_vector, {OWN_LANGUAGE_QUERY}) AS rank
              FROM statements s
              WHERE s.search_vector @@ {ANY_LANGUAGE_QUERY}
                AND s.search_vector @@ {OWN_LANGUAGE_QUERY}
              ORDER BY rank DESC, s.id DESC LIMIT 20) h)))""")

PARTICIPANT_SQL = as_text(f"""json_build_object('participant', (
    SELECT json_build_object(
        'id', {global_id_sql("Participant", "p.id")},
        'name', {participant_name_sql("p.id", "$2")},
        'events', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'id', {global_id_sql("Event", "e.id")}, 'title', e.title,
                'startDate', e.start_date
            ) ORDER BY e.start_date DESC, e.id DESC), '[]'::json)
            FROM (SELECT e.id, e.title, e.start_date
                  FROM event_participants ep JOIN events e ON e.id = ep.event_id
                  WHERE ep.participant_id = p.id
                  ORDER BY e.start_date DESC, e.id DESC LIMIT 20) e)),
        'statements', json_build_object('nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'id', {global_id_sql("Statement", "s.id")}, 'text', s.text,
                'saidOn', s.said_on
            ) ORDER BY s.said_on DESC NULLS LAST, s.id DESC), '[]'::json)
            FROM (SELECT id, text, said_on FROM statements WHERE speaker_id = p.id
                  ORDER BY {STATEMENT_ORDER} LIMIT 20) s)))
    FROM participants p WHERE p.slug = $1))""")

TIMELINE_SQL = as_text("""json_build_object('eventCounts', (
    SELECT coalesce(json_agg(json_build_object('key', key, 'label', label, 'count', count)
                             ORDER BY key), '[]'::json)
    FROM (SELECT to_char(start_date, 'YYYY-MM') AS key,
                 to_char(min(start_date), 'FMMonth YYYY') AS label, count(*) AS count
          FROM events WHERE start_date >= $1 AND start_date <= $2
          GROUP BY 1) buckets))""")


def deep_page_sql(null_cursor: bool) -> str:
    columns = "id, text, said_on, speaker_id"
    cursor = (
        "rtrim(translate(encode(convert_to(json_build_array($3::text, p.said_on, p.id)::text, "
        "'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
    )
    return f"WITH page AS ({statements_after_sql(columns, null_cursor)}) " + as_text(
        f"""json_build_object('statements', json_build_object(
        'pageInfo', json_build_object(
            'hasNextPage', (SELECT count(*) > 20 FROM page),
            'endCursor', (
                SELECT {cursor} FROM (SELECT * FROM page ORDER BY {STATEMENT_ORDER} LIMIT 20) p
                ORDER BY said_on ASC NULLS FIRST, id ASC LIMIT 1)
        ),
        'nodes', (
            SELECT coalesce(json_agg(json_build_object(
                'id', {global_id_sql("Statement", "p.id")},
                'text', p.text,
                'saidOn', p.said_on,
                'speaker', {person_json_sql("p.speaker_id", "$4")}
            ) ORDER BY p.said_on DESC NULLS LAST, p.id DESC), '[]'::json)
            FROM (SELECT * FROM page ORDER BY {STATEMENT_ORDER} LIMIT 20) p)))"""
    )


DEEP_PAGE_SQL = {null_cursor: deep_page_sql(null_cursor) for null_cursor in (False, True)}


async def _text(connection: Db, sql: str, *arguments: Any) -> bytes:
    text: str = await connection.fetchval(sql, *arguments)
    return text.encode()


async def meeting_sql(connection: Db, variables: Variables) -> bytes:
    return await _text(connection, MEETING_SQL, variables["slug"], variables.get("language"))


async def participant_year_sql(connection: Db, variables: Variables) -> bytes:
    start, end = year_bounds(variables)
    return await _text(
        connection, PARTICIPANT_YEAR_SQL, variables["slug"], start, end, variables.get("language")
    )


async def search_in_sql(connection: Db, variables: Variables) -> bytes:
    return await _text(connection, SEARCH_SQL, variables["text"], variables.get("language"))


async def participant_sql(connection: Db, variables: Variables) -> bytes:
    return await _text(connection, PARTICIPANT_SQL, variables["slug"], variables.get("language"))


async def timeline_sql(connection: Db, variables: Variables) -> bytes:
    return await _text(connection, TIMELINE_SQL, *year_bounds(variables))


async def deep_page_in_sql(connection: Db, variables: Variables) -> bytes:
    said_on, key = decode_statement_cursor(variables["after"])
    return await _text(
        connection,
        DEEP_PAGE_SQL[said_on is None],
        said_on,
        key,
        STATEMENTS_TAG,
        variables.get("language"),
    )


# ---------------------------------------------------------------- variant "rows": Python builds


def global_id(type_name: str, key: UUID) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def person(key: UUID, name: str) -> Json:
    return {"id": global_id("Participant", key), "name": name}


def grouped(rows: Sequence[asyncpg.Record], key: str) -> dict[UUID, list[asyncpg.Record]]:
    groups: dict[UUID, list[asyncpg.Record]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


EVENT_ROW_SQL = "SELECT id, title, start_date, kind FROM events WHERE slug = $1"
PARTICIPATIONS_ROWS_SQL = f"""SELECT ep.event_id, ep.role, p.id,
        {participant_name_sql("p.id", "$2")} AS name
    FROM event_participants ep JOIN participants p ON p.id = ep.participant_id
    WHERE ep.event_id = ANY($1::uuid[])
    ORDER BY ep.event_id, {PARTICIPATION_ORDER}"""


def topics_rows_sql(link: str, owner_column: str) -> str:
    return f"""SELECT l.{owner_column} AS owner, t.id, {topic_label_sql("t.id", "$2")} AS label
    FROM {link} l JOIN topics t ON t.id = l.topic_id
    WHERE l.{owner_column} = ANY($1::uuid[])
    ORDER BY l.{owner_column}, t.slug, t.id"""


EVENT_TOPICS_ROWS_SQL = topics_rows_sql("event_topics", "event_id")
STATEMENT_TOPICS_ROWS_SQL = topics_rows_sql("statement_topics", "statement_id")
MEETING_STATEMENTS_ROWS_SQL = f"""SELECT s.id, s.text, s.kind, s.said_on, s.speaker_id,
        {participant_name_sql("s.speaker_id", "$2")} AS speaker_name, s.total_count
    FROM (SELECT id, text, kind, said_on, speaker_id, position, count(*) OVER () AS total_count
          FROM statements WHERE event_id = $1 ORDER BY position, id LIMIT 100) s
    ORDER BY s.position, s.id"""
MEETING_TOTAL_SQL = "SELECT count(*) FROM statements WHERE event_id = $1"
EVENTS_OF_YEAR_ROWS_SQL = """SELECT e.id, e.title, e.start_date
    FROM event_participants ep JOIN events e ON e.id = ep.event_id
    WHERE ep.participant_id = (SELECT id FROM participants WHERE slug = $1)
      AND e.start_date >= $2 AND e.start_date <= $3
    ORDER BY e.start_date DESC, e.id DESC LIMIT 20"""
FIRST_STATEMENTS_ROWS_SQL = f"""SELECT s.event_id, s.id, s.text, s.speaker_id,
        {participant_name_sql("s.speaker_id", "$2")} AS speaker_name
    FROM (SELECT event_id, id, text, speaker_id,
                 row_number() OVER (PARTITION BY event_id ORDER BY position, id) AS number
          FROM statements WHERE event_id = ANY($1::uuid[])) s
    WHERE s.number <= 5 ORDER BY s.event_id, s.number"""
SEARCH_ROWS_SQL = f"""WITH {SEARCH_CTE}
    SELECT h.id, h.text, h.said_on, h.speaker_id,
           {participant_name_sql("h.speaker_id", "$2")} AS speaker_name,
           e.id AS event_id, e.title AS event_title, e.start_date AS event_start_date
    FROM (SELECT s.id, s.text, s.said_on, s.speaker_id, s.event_id,
                 ts_rank(s.search_vector, {OWN_LANGUAGE_QUERY}) AS rank
          FROM statements s
          WHERE s.search_vector @@ {ANY_LANGUAGE_QUERY}
            AND s.search_vector @@ {OWN_LANGUAGE_QUERY}
          ORDER BY rank DESC, s.id DESC LIMIT 20) h
    LEFT JOIN events e ON e.id = h.event_id
    ORDER BY h.rank DESC, h.id DESC"""
PARTICIPANT_ROW_SQL = (
    f"SELECT p.id, {participant_name_sql('p.id', '$2')} AS name"
    " FROM participants p WHERE p.slug = $1"
)
PARTICIPANT_EVENTS_ROWS_SQL = """SELECT e.id, e.title, e.start_date
    FROM event_participants ep JOIN events e ON e.id = ep.event_id
    WHERE ep.participant_id = $1 ORDER BY e.start_date DESC, e.id DESC LIMIT 20"""
PARTICIPANT_STATEMENTS_ROWS_SQL = f"""SELECT id, text, said_on FROM statements
    WHERE speaker_id = $1 ORDER BY {STATEMENT_ORDER} LIMIT 20"""
TIMELINE_ROWS_SQL = """SELECT to_char(start_date, 'YYYY-MM') AS key, count(*) AS count
    FROM events WHERE start_date >= $1 AND start_date <= $2 GROUP BY 1 ORDER BY 1"""
DEEP_PAGE_ROWS_SQL = {
    null_cursor: f"""SELECT p.id, p.text, p.said_on, p.speaker_id,
            {participant_name_sql("p.speaker_id", "$3")} AS speaker_name
        FROM ({statements_after_sql("id, text, said_on, speaker_id", null_cursor)}) p
        ORDER BY p.said_on DESC NULLS LAST, p.id DESC"""
    for null_cursor in (False, True)
}
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def data(value: Json) -> bytes:
    return orjson.dumps({"data": value})


def participations(rows: Sequence[asyncpg.Record]) -> list[Json]:
    return [{"role": row["role"], "participant": person(row["id"], row["name"])} for row in rows]


def topics(rows: Sequence[asyncpg.Record]) -> list[Json]:
    return [{"id": global_id("Topic", row["id"]), "label": row["label"]} for row in rows]


async def meeting_rows(connection: Db, variables: Variables) -> bytes:
    language = variables.get("language")
    event = await connection.fetchrow(EVENT_ROW_SQL, variables["slug"])
    if event is None:
        return data({"event": None})
    key = event["id"]
    people = await connection.fetch(PARTICIPATIONS_ROWS_SQL, [key], language)
    event_topics = await connection.fetch(EVENT_TOPICS_ROWS_SQL, [key], language)
    statements = await connection.fetch(MEETING_STATEMENTS_ROWS_SQL, key, language)
    total = (
        statements[0]["total_count"]
        if statements
        else await connection.fetchval(MEETING_TOTAL_SQL, key)
    )
    statement_topics = grouped(
        await connection.fetch(
            STATEMENT_TOPICS_ROWS_SQL, [row["id"] for row in statements], language
        ),
        "owner",
    )
    return data(
        {
            "event": {
                "id": global_id("Event", key),
                "title": event["title"],
                "startDate": event["start_date"],
                "kind": event["kind"],
                "participants": participations(people),
                "topics": topics(event_topics),
                "statements": {
                    "totalCount": total,
                    "nodes": [
                        {
                            "id": global_id("Statement", row["id"]),
                            "text": row["text"],
                            "kind": row["kind"],
                            "saidOn": row["said_on"],
                            "speaker": person(row["speaker_id"], row["speaker_name"]),
                            "topics": topics(statement_topics.get(row["id"], [])),
                        }
                        for row in statements
                    ],
                },
            }
        }
    )


async def participant_year_rows(connection: Db, variables: Variables) -> bytes:
    language = variables.get("language")
    start, end = year_bounds(variables)
    events = await connection.fetch(EVENTS_OF_YEAR_ROWS_SQL, variables["slug"], start, end)
    keys = [row["id"] for row in events]
    people = grouped(await connection.fetch(PARTICIPATIONS_ROWS_SQL, keys, language), "event_id")
    event_topics = grouped(await connection.fetch(EVENT_TOPICS_ROWS_SQL, keys, language), "owner")
    statements = grouped(
        await connection.fetch(FIRST_STATEMENTS_ROWS_SQL, keys, language), "event_id"
    )
    nodes = [
        {
            "id": global_id("Event", row["id"]),
            "title": row["title"],
            "startDate": row["start_date"],
            "participants": participations(people.get(row["id"], [])),
            "topics": topics(event_topics.get(row["id"], [])),
            "statements": {
                "nodes": [
                    {
                        "id": global_id("Statement", statement["id"]),
                        "text": statement["text"],
                        "speaker": person(statement["speaker_id"], statement["speaker_name"]),
                    }
                    for statement in statements.get(row["id"], [])
                ]
            },
        }
        for row in events
    ]
    return data({"events": {"nodes": nodes}})


async def search_rows(connection: Db, variables: Variables) -> bytes:
    rows = await connection.fetch(SEARCH_ROWS_SQL, variables["text"], variables.get("language"))
    nodes = [
        {
            "id": global_id("Statement", row["id"]),
            "text": row["text"],
            "saidOn": row["said_on"],
            "speaker": person(row["speaker_id"], row["speaker_name"]),
            "event": None
            if row["event_id"] is None
            else {
                "id": global_id("Event", row["event_id"]),
                "title": row["event_title"],
                "startDate": row["event_start_date"],
            },
        }
        for row in rows
    ]
    return data({"statements": {"nodes": nodes}})


async def participant_rows(connection: Db, variables: Variables) -> bytes:
    participant = await connection.fetchrow(
        PARTICIPANT_ROW_SQL, variables["slug"], variables.get("language")
    )
    if participant is None:
        return data({"participant": None})
    key = participant["id"]
    events = await connection.fetch(PARTICIPANT_EVENTS_ROWS_SQL, key)
    statements = await connection.fetch(PARTICIPANT_STATEMENTS_ROWS_SQL, key)
    return data(
        {
            "participant": {
                "id": global_id("Participant", key),
                "name": participant["name"],
                "events": {
                    "nodes": [
                        {
                            "id": global_id("Event", row["id"]),
                            "title": row["title"],
                            "startDate": row["start_date"],
                        }
                        for row in events
                    ]
                },
                "statements": {
                    "nodes": [
                        {
                            "id": global_id("Statement", row["id"]),
                            "text": row["text"],
                            "saidOn": row["said_on"],
                        }
                        for row in statements
                    ]
                },
            }
        }
    )


async def timeline_rows(connection: Db, variables: Variables) -> bytes:
    rows = await connection.fetch(TIMELINE_ROWS_SQL, *year_bounds(variables))
    buckets = []
    for row in rows:
        year, month = row["key"].split("-")
        buckets.append(
            {"key": row["key"], "label": f"{MONTHS[int(month) - 1]} {year}", "count": row["count"]}
        )
    return data({"eventCounts": buckets})


async def deep_page_rows(connection: Db, variables: Variables) -> bytes:
    said_on, key = decode_statement_cursor(variables["after"])
    rows = await connection.fetch(
        DEEP_PAGE_ROWS_SQL[said_on is None], said_on, key, variables.get("language")
    )
    page = rows[:20]
    end = page[-1] if page else None
    return data(
        {
            "statements": {
                "pageInfo": {
                    "hasNextPage": len(rows) > 20,
                    "endCursor": None
                    if end is None
                    else statement_cursor(end["said_on"], end["id"]),
                },
                "nodes": [
                    {
                        "id": global_id("Statement", row["id"]),
                        "text": row["text"],
                        "saidOn": row["said_on"],
                        "speaker": person(row["speaker_id"], row["speaker_name"]),
                    }
                    for row in page
                ],
            }
        }
    )


# ---------------------------------------------------------------- the app

HANDLERS: Mapping[str, Mapping[str, Handler]] = {
    "sql": {
        "q1-meeting": meeting_sql,
        "q2-participant-year": participant_year_sql,
        "q3-search": search_in_sql,
        "q4-participant": participant_sql,
        "q5-timeline": timeline_sql,
        "q6-deep-page": deep_page_in_sql,
        "q7-feed": feed_sql,
        "q8-sources": meeting_sources_sql,
    },
    "rows": {
        "q1-meeting": meeting_rows,
        "q2-participant-year": participant_year_rows,
        "q3-search": search_rows,
        "q4-participant": participant_rows,
        "q5-timeline": timeline_rows,
        "q6-deep-page": deep_page_rows,
        "q7-feed": feed_rows,
        "q8-sources": meeting_sources_rows,
    },
}

UNKNOWN_DOCUMENT = b'{"data":null,"errors":[{"message":"the floor does not know this document"}]}'


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The floor's statements only read and leave no session state: a released connection needs
    no reset query (asyncpg's default sends four statements at every release)."""


def create_floor(variant: str, dsn: str) -> Starlette:
    """The floor app of `variant` ("sql" or "rows") on the database `dsn`."""
    by_text = {DOCUMENTS[name].text: handler for name, handler in HANDLERS[variant].items()}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=POOL_SIZE,
            reset=_keep_session,
            server_settings={
                "statement_timeout": str(STATEMENT_TIMEOUT_MS),
                "application_name": f"bench-floor-{variant}",
            },
        )
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    async def graphql(request: Request) -> Response:
        payload = orjson.loads(await request.body())
        handler = by_text.get(payload.get("query"))
        if handler is None:
            return Response(UNKNOWN_DOCUMENT, status_code=400, media_type="application/json")
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as connection:
            body = await handler(connection, payload.get("variables") or {})
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--database", required=True, help="a libpq DSN (postgresql://…)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    # As `eventgraph serve` runs the API (api/cli.py): one process, no access log.
    uvicorn.run(
        create_floor(arguments.variant, arguments.database),
        host=arguments.host,
        port=arguments.port,
        log_level="info",
        access_log=False,
    )


if __name__ == "__main__":
    main()
