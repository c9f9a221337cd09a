"""A corpus of many sources for the read API's tests: the seed, plus a few reports of the same
video call that copy a wire story, cite an official readout, render a quote in other languages
and disagree on the call's duration and format, on who said a quote, and on when New START
ended.

Written as rows, straight into a copy of the seed's database, so that the read API is tested on
every kind of row the model holds whatever the fixtures of the day hold (the seed's own reports
are tested by docs/querying.md's examples).
"""

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

MEETING = "xi-putin-video-call-2026-02-04"
PLANNED = "putin-visit-to-china-2026-h1"

SOURCES = """
INSERT INTO sources (slug, url, title, publisher, language, published_at, kind, note) VALUES
  ('test-wire-xi-putin', NULL, 'Xi, Putin hail ties', 'Reuters', 'en',
   '2026-02-04T09:00:00+00:00', 'WIRE_STORY', NULL),
  ('test-kremlin-readout', NULL, 'Russian-Chinese talks', 'Kremlin', 'ru',
   '2026-02-04T12:00:00+00:00', 'OFFICIAL', NULL),
  ('test-copy-en', 'https://example.com/copy-en', 'Xi, Putin hail ties in video call',
   'The Express Tribune', 'en', '2026-02-04T15:00:00+00:00', 'REPORT', NULL),
  ('test-copy-fr', 'https://example.com/copy-fr', 'Poutine et Xi saluent leurs liens',
   'Boursorama', 'fr', '2026-02-04T16:00:00+00:00', 'REPORT', NULL),
  ('test-report-ru', 'https://example.com/report-ru', 'Ушаков об итогах переговоров',
   'ТАСС', 'ru', '2026-02-04T13:00:00+00:00', 'REPORT', NULL),
  ('test-report-zh', 'https://example.com/report-zh', '習近平與普丁視訊通話', '自由時報',
   'zh-Hant', NULL, 'REPORT', 'date uncertain: 5 or 6 February')
"""
REPRINTS = """
UPDATE sources SET reprint_of_id = (SELECT id FROM sources WHERE slug = 'test-wire-xi-putin')
WHERE slug IN ('test-copy-en', 'test-copy-fr')
"""
BASED_ON = """
INSERT INTO source_based_on (source_id, based_on_id)
SELECT s.id, b.id FROM sources s, sources b
WHERE (s.slug, b.slug) IN (('test-report-ru', 'test-kremlin-readout'),
                           ('test-report-zh', 'test-wire-xi-putin'),
                           ('test-report-zh', 'test-kremlin-readout'))
"""
EVENT_SOURCES = f"""
INSERT INTO event_sources (event_id, source_id)
SELECT e.id, s.id FROM events e, sources s
WHERE e.slug = '{MEETING}'
  AND s.slug IN ('test-copy-en', 'test-copy-fr', 'test-report-ru', 'test-report-zh')
"""
COMMITMENT = f"UPDATE events SET commitment = 'INTENDED' WHERE slug = '{PLANNED}'"

# (owner slug, field, item, value, qualifier, source, wording, attributed to, as of)
EVENT_CLAIMS = [
    (
        MEETING,
        "duration_minutes",
        None,
        "85",
        "EXACT",
        "test-report-ru",
        "продолжался 1 час 25 минут",
        "yuri-ushakov",
        None,
    ),
    (
        MEETING,
        "duration_minutes",
        None,
        "85",
        "EXACT",
        "test-copy-en",
        "lasted one hour and 25 minutes",
        None,
        None,
    ),
    (MEETING, "duration_minutes", None, "85", "EXACT", "test-copy-fr", None, None, None),
    (
        MEETING,
        "duration_minutes",
        None,
        "90",
        "NEARLY",
        "euronews-fr-2026-02-04-xi-putin",
        "près d'une heure et demie",
        None,
        None,
    ),
    (
        MEETING,
        "duration_minutes",
        None,
        "90",
        "EXACT",
        "test-report-zh",
        "90分鐘",
        None,
        "2026-02-06",
    ),
    (MEETING, "format", None, "VIDEO", "EXACT", "test-report-ru", None, None, None),
    (MEETING, "format", None, "PHONE", "EXACT", "test-report-zh", "通話", None, None),
    (MEETING, "participants", "vladimir-putin", None, "EXACT", "test-report-ru", None, None, None),
    (
        MEETING,
        "participants",
        "vladimir-putin",
        "PARTICIPANT",
        "EXACT",
        "test-report-zh",
        None,
        None,
        None,
    ),
    (
        MEETING,
        "participants",
        "xi-jinping",
        "PARTICIPANT",
        "EXACT",
        "test-copy-en",
        None,
        None,
        None,
    ),
    (MEETING, "start_date", None, "2026-02-04", "EXACT", "test-copy-en", None, None, None),
    (
        PLANNED,
        "commitment",
        None,
        "INTENDED",
        "EXACT",
        "test-report-ru",
        None,
        "vladimir-putin",
        None,
    ),
    (PLANNED, "commitment", None, "INVITED", "EXACT", "test-copy-en", None, None, None),
]
TREATY_CLAIMS = [
    (
        "new-start",
        "milestones",
        "EXPIRED",
        "2026-02-05",
        "BY_END_OF",
        "test-report-ru",
        "по истечении 5 февраля",
        None,
        None,
    ),
    (
        "new-start",
        "milestones",
        "EXPIRED",
        "2026-02-04",
        "BY_END_OF",
        "test-copy-en",
        "at midnight on Wednesday",
        None,
        None,
    ),
    ("new-start", "milestones", "SIGNED", None, "EXACT", "test-report-zh", None, None, None),
]
PARTICIPANT_CLAIMS = [
    (
        "vladimir-putin",
        "roles",
        "President of Russia",
        None,
        "EXACT",
        "test-report-ru",
        None,
        None,
        None,
    ),
    (
        "vladimir-putin",
        "roles",
        "President of Russia",
        None,
        "EXACT",
        "test-copy-en",
        None,
        None,
        None,
    ),
]
CLAIM_ROWS = """
INSERT INTO {table} ({owner_column}, field, item, value, qualifier, source_id, wording,
                     attributed_to_id, as_of, note, position)
SELECT o.id, :field, :item, :value, :qualifier, s.id, :wording,
       (SELECT id FROM participants WHERE slug = :attributed_to), CAST(:as_of AS date), NULL,
       :position
FROM {owners} o, sources s WHERE o.{key} = :owner AND s.slug = :source
"""
# The meeting's first two statements (in the order of their source): renderings, claims, and a
# link between them.
STATEMENT = (
    "(SELECT st.id FROM statements st JOIN events e ON e.id = st.event_id "
    f"WHERE e.slug = '{MEETING}' ORDER BY st.position LIMIT 1 OFFSET {{offset}})"
)
RENDERINGS = f"""
INSERT INTO statement_renderings (statement_id, text, language, kind, source_id, translation,
                                  distortion, position)
SELECT {STATEMENT.format(offset=0)}, r.text, r.language, r.kind, s.id, r.translation,
       r.distortion, r.position
FROM (VALUES
  ('Путин подтвердил поддержку стратегического сближения', 'ru', 'PARAPHRASE',
   'test-report-ru', 'TRANSLATION', NULL, 0),
  ('普丁重申支持俄中戰略合作', 'zh-Hant', 'PARAPHRASE', 'test-report-zh', 'TRANSLATION',
   'gives a partnership where the original says a rapprochement', 1),
  ('Putin reaffirmed his support for strategic rapprochement', 'en', 'PARAPHRASE',
   'test-copy-en', 'TRANSLATION', NULL, 2),
  ('Putin backed strategic rapprochement with China', 'en', 'PARAPHRASE', 'test-report-ru',
   'UNKNOWN', NULL, 3)
) AS r(text, language, kind, source, translation, distortion, position)
JOIN sources s ON s.slug = r.source
"""
MAIN_TRANSLATION = (
    f"UPDATE statements SET translation = 'ORIGINAL' WHERE id = {STATEMENT.format(offset=0)}"
)
SAME_AS = f"""
INSERT INTO statement_may_be_same_as (statement_id, may_be_same_as_id)
VALUES ({STATEMENT.format(offset=1)}, {STATEMENT.format(offset=0)})
"""
STATEMENT_CLAIMS = [
    (0, "speaker", None, "vladimir-putin", "EXACT", "test-report-ru", None, None, None),
    (0, "speaker", None, "xi-jinping", "EXACT", "test-report-zh", None, None, None),
    (0, "reported_by", None, None, "EXACT", "test-report-ru", None, None, None),
]


async def add_many_sources(url: URL) -> None:
    """Adds the reports, their links and their claims to the seed's database at `url`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in (
                SOURCES,
                REPRINTS,
                BASED_ON,
                EVENT_SOURCES,
                COMMITMENT,
                RENDERINGS,
                MAIN_TRANSLATION,
                SAME_AS,
            ):
                await connection.execute(text(statement))
            owners = (
                ("event_claims", "event_id", "events", "slug", EVENT_CLAIMS),
                ("treaty_claims", "treaty_id", "treaties", "slug", TREATY_CLAIMS),
                (
                    "participant_claims",
                    "participant_id",
                    "participants",
                    "slug",
                    PARTICIPANT_CLAIMS,
                ),
            )
            for table, owner_column, owner_table, key, rows in owners:
                sql = CLAIM_ROWS.format(
                    table=table, owner_column=owner_column, owners=owner_table, key=key
                )
                for position, row in enumerate(rows):
                    await connection.execute(text(sql), _claim(row, position))
            for position, (offset, *claim) in enumerate(STATEMENT_CLAIMS):
                sql = CLAIM_ROWS.format(
                    table="statement_claims",
                    owner_column="statement_id",
                    owners=f"(SELECT {STATEMENT.format(offset=offset)} AS id, 0 AS n)",
                    key="n",
                )
                await connection.execute(text(sql), _claim((0, *claim), position))
    finally:
        await engine.dispose()


def _claim(row: tuple[object, ...], position: int) -> dict[str, object]:
    owner, field, item, value, qualifier, source, wording, attributed_to, as_of = row
    day = None if as_of is None else date.fromisoformat(str(as_of))
    return {
        "owner": owner,
        "field": field,
        "item": item,
        "value": value,
        "qualifier": qualifier,
        "source": source,
        "wording": wording,
        "attributed_to": attributed_to,
        "as_of": day,
        "position": position,
    }
