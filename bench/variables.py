"""The timed cases: each document of bench/queries/ with the variable sets it cycles through.

Variable sets are chosen from the loaded corpus, the same for the same corpus: by slugs, counts
and hashes of slugs, never by row ids (a load draws new ones). They vary what a cache could
hold: different meetings, participants, years, search words and cursors, and the language
names are asked in (none, exact tags, a regional tag that falls back to its primary subtag, and
one few names have).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from bench.documents import DOCUMENTS, Document
from bench.floor import statement_cursor
from bench.floor_feed import PAGE as FEED_PAGE
from bench.floor_feed import encode as feed_cursor

SETS = 16
"""Variable sets per case, at most."""
LANGUAGES: tuple[str | None, ...] = (None, "fr", "ru", "en", "fr-CA", "de")
LONG_MEETING = 200
"""Statements from which a meeting counts as long; until the corpus has such meetings, the
meetings with the most statements stand in."""
LONG_MEETINGS = 8
DEPTH = 10_000
"""Q6 reads the page after this many rows (less on a corpus too small for it)."""
SEARCH_SAMPLE = 3_000
"""Statements whose words are counted to choose the search words."""

Variables = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One timed row of the report: a document and the variable sets it cycles through."""

    key: str
    """"Q1", "Q1 long", …"""
    document: Document
    variable_sets: Sequence[Variables]
    about: str
    """What the variable sets are, for the report."""
    notes: dict[str, int | str] = field(default_factory=dict)


def with_languages(sets: Sequence[Variables]) -> list[Variables]:
    return [{**values, "language": LANGUAGES[i % len(LANGUAGES)]} for i, values in enumerate(sets)]


def year_variables(year: int) -> Variables:
    return {"from": date(year, 1, 1).isoformat(), "to": date(year, 12, 31).isoformat()}


def spread(items: Sequence[Any], count: int) -> list[Any]:
    """`count` items evenly spaced along `items`, first and last included."""
    if len(items) <= count:
        return list(items)
    return [items[i * (len(items) - 1) // (count - 1)] for i in range(count)]


MEETING_SIZES = """
    SELECT e.slug, count(*) AS statements FROM events e JOIN statements s ON s.event_id = e.id
    WHERE e.kind = 'MEETING' GROUP BY e.slug"""


async def typical_meetings(connection: asyncpg.Connection) -> Case | None:
    rows = await connection.fetch(
        f"""WITH sizes AS ({MEETING_SIZES})
        SELECT slug, statements FROM sizes
        WHERE statements = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY statements)
                            FROM sizes)
        ORDER BY md5(slug) LIMIT $1""",
        SETS,
    )
    if not rows:
        return None
    return Case(
        "Q1",
        DOCUMENTS["q1-meeting"],
        with_languages([{"slug": row["slug"]} for row in rows]),
        f"meetings of the median size ({rows[0]['statements']} statements)",
    )


async def long_meetings(connection: asyncpg.Connection) -> Case | None:
    rows = await connection.fetch(
        f"{MEETING_SIZES} ORDER BY statements DESC, slug LIMIT $1", LONG_MEETINGS
    )
    if not rows:
        return None
    long = [row for row in rows if row["statements"] >= LONG_MEETING]
    chosen = long or rows
    sizes = sorted({row["statements"] for row in chosen})
    about = (
        f"the largest meetings ({sizes[0]}–{sizes[-1]} statements)"
        if len(sizes) > 1
        else f"the largest meetings ({sizes[0]} statements)"
    )
    if not long:
        about += f"; the corpus has none of {LONG_MEETING}+"
    return Case(
        "Q1 long",
        DOCUMENTS["q1-meeting"],
        with_languages([{"slug": row["slug"]} for row in chosen]),
        about,
        {"statements": f"{sizes[0]}–{sizes[-1]}"},
    )


async def participant_years(connection: asyncpg.Connection) -> Case | None:
    rows = await connection.fetch(
        """WITH counts AS (
            SELECT p.slug, extract(year FROM e.start_date)::int AS year, count(*) AS events
            FROM event_participants ep
            JOIN participants p ON p.id = ep.participant_id
            JOIN events e ON e.id = ep.event_id
            GROUP BY 1, 2),
        busiest AS (SELECT DISTINCT ON (slug) slug, year, events FROM counts
                    ORDER BY slug, events DESC, year DESC),
        totals AS (SELECT slug, sum(events) AS events FROM counts GROUP BY slug)
        SELECT b.slug, b.year, b.events FROM busiest b JOIN totals t USING (slug)
        ORDER BY t.events DESC, b.slug LIMIT $1""",
        SETS,
    )
    if not rows:
        return None
    counts = sorted(row["events"] for row in rows)
    return Case(
        "Q2",
        DOCUMENTS["q2-participant-year"],
        with_languages([{"slug": row["slug"], **year_variables(row["year"])} for row in rows]),
        f"the busiest participants, each in its busiest year ({counts[0]}–{counts[-1]} events)",
    )


async def search_words(connection: asyncpg.Connection) -> Case:
    rows = await connection.fetch(
        """SELECT word, count(*) AS statements
        FROM (SELECT DISTINCT s.slug, w.word
              FROM (SELECT slug, text FROM statements ORDER BY slug LIMIT $1) s,
                   regexp_split_to_table(lower(s.text), '[^[:alpha:]]+') AS w(word)
              WHERE length(w.word) >= 6) words
        GROUP BY word HAVING count(*) BETWEEN 2 AND $2
        ORDER BY count(*) DESC, word""",
        SEARCH_SAMPLE,
        SEARCH_SAMPLE // 50,
    )
    words = spread([row["word"] for row in rows], SETS)
    return Case(
        "Q3",
        DOCUMENTS["q3-search"],
        with_languages([{"text": word} for word in words]),
        f"words in 2 to {SEARCH_SAMPLE // 50} of {SEARCH_SAMPLE:,} sampled statements "
        f"(names, verbs, nouns in en/fr/ru), common to rare",
    )


async def participants(connection: asyncpg.Connection) -> Case:
    speakers = await connection.fetch(
        """SELECT p.slug FROM statements s JOIN participants p ON p.id = s.speaker_id
        GROUP BY p.slug ORDER BY count(*) DESC, p.slug LIMIT $1""",
        SETS // 2,
    )
    others = await connection.fetch(
        """SELECT p.slug FROM participants p
        WHERE EXISTS (SELECT FROM event_participants ep WHERE ep.participant_id = p.id)
        ORDER BY md5(p.slug) LIMIT $1""",
        SETS,
    )
    slugs = list(dict.fromkeys([row["slug"] for row in [*speakers, *others]]))[:SETS]
    return Case(
        "Q4",
        DOCUMENTS["q4-participant"],
        with_languages([{"slug": slug} for slug in slugs]),
        "the most quoted speakers and participants of any kind",
    )


async def years(connection: asyncpg.Connection) -> Case:
    rows = await connection.fetch(
        """SELECT year FROM (SELECT DISTINCT extract(year FROM start_date)::int AS year
                             FROM events) y
        ORDER BY md5(year::text) LIMIT $1""",
        SETS,
    )
    return Case(
        "Q5",
        DOCUMENTS["q5-timeline"],
        [year_variables(row["year"]) for row in rows],
        "years of the corpus",
    )


async def deep_cursors(connection: asyncpg.Connection) -> Case:
    total: int = await connection.fetchval("SELECT count(*) FROM statements")
    depth = max(1, min(DEPTH, total - 20 * SETS - 21))
    cursors = []
    for position in range(depth, depth + 20 * SETS, 20):
        row = await connection.fetchrow(
            "SELECT said_on, id FROM statements ORDER BY said_on DESC NULLS LAST, id DESC"
            " OFFSET $1 LIMIT 1",
            position - 1,
        )
        if row is None:
            break
        said_on: date | None = row["said_on"]
        key: UUID = row["id"]
        cursors.append({"after": statement_cursor(said_on, key)})
    return Case(
        "Q6",
        DOCUMENTS["q6-deep-page"],
        with_languages(cursors),
        f"statements, newest first, the page after row {depth:,} (and every 20th row on)",
        {"depth": depth},
    )


async def feed_cursors(connection: asyncpg.Connection) -> Case:
    """Cursors spread along the change log, each with a full page of 100 changes after it."""
    total: int = await connection.fetchval("SELECT count(*) FROM changes")
    positions = spread(range(max(total - FEED_PAGE, 0)), SETS)
    cursors = []
    for position in positions:
        row = await connection.fetchrow(
            "SELECT xid, id FROM changes ORDER BY xid, id OFFSET $1 LIMIT 1", position
        )
        if row is not None:
            cursors.append({"after": feed_cursor(row["xid"], row["id"], (0, 0))})
    return Case(
        "Q7",
        DOCUMENTS["q7-feed"],
        cursors,
        f"the change feed, 100 changes after a cursor spread along the log ({total:,} changes)",
    )


async def sourced_meetings(connection: asyncpg.Connection) -> Case | None:
    """Meetings whose sources make claims about them and whose statements have renderings."""
    rows = await connection.fetch(
        """SELECT e.slug FROM events e
        WHERE e.kind = 'MEETING'
          AND EXISTS (SELECT FROM event_claims c WHERE c.event_id = e.id)
          AND EXISTS (SELECT FROM statements s JOIN statement_renderings r
                          ON r.statement_id = s.id
                      WHERE s.event_id = e.id)
        ORDER BY md5(e.slug) LIMIT $1""",
        SETS,
    )
    if not rows:
        return None
    return Case(
        "Q8",
        DOCUMENTS["q8-sources"],
        [{"slug": row["slug"]} for row in rows],
        "meetings with claims of their sources and statements with renderings",
    )


async def choose_cases(dsn: str) -> list[Case]:
    """Every timed case, with its variable sets from the corpus in the database `dsn` (a case
    the corpus has nothing for is left out)."""
    connection = await asyncpg.connect(dsn)
    try:
        cases = [
            await typical_meetings(connection),
            await long_meetings(connection),
            await participant_years(connection),
            await search_words(connection),
            await participants(connection),
            await years(connection),
            await deep_cursors(connection),
            await feed_cursors(connection),
            await sourced_meetings(connection),
        ]
    finally:
        await connection.close()
    return [case for case in cases if case is not None and case.variable_sets]
