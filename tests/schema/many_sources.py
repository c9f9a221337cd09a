"""A small corpus of many sources for the read API's tests, beside the seed: a call, a planned
visit, a treaty and two people of their own, reported by a few sources that copy a wire story,
cite an official readout, render a quote in other languages and disagree on the call's duration
and format, on who said a quote, and on when the treaty ended.

Written as rows, straight into a copy of the seed's database, so that its answers are known
exactly whatever the seed's fixtures hold (the seed's own reports are the examples of
docs/querying.md). Every slug starts with "test-".
"""

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

MEETING = "test-call"
PLANNED = "test-visit"
SPEAKER = "test-speaker"
TREATY = "test-treaty"

OBJECTS = [
    """INSERT INTO participants (slug, kind) VALUES
      ('test-speaker', 'PERSON'), ('test-other', 'PERSON'), ('test-aide', 'PERSON')""",
    """INSERT INTO participant_names (participant_id, value, language, is_primary, position)
    SELECT p.id, n.value, n.language, n.is_primary, n.position
    FROM (VALUES ('test-speaker', 'Test Speaker', 'en', true, 0),
                 ('test-speaker', 'Тестовый', 'ru', false, 1),
                 ('test-other', 'Test Other', 'en', true, 0),
                 ('test-aide', 'Test Aide', 'en', true, 0))
      AS n(slug, value, language, is_primary, position)
    JOIN participants p ON p.slug = n.slug""",
    """INSERT INTO participant_roles (participant_id, title, start_date)
    SELECT p.id, r.title, CAST(r.start_date AS date) FROM participants p,
      (VALUES ('Test President', '2000-05-07'), ('Test Premier', '2008-05-08'),
              ('Test President', '2012-05-07')) AS r(title, start_date)
    WHERE p.slug = 'test-speaker'""",
    """INSERT INTO events (slug, title, language, kind, format, status, start_date,
                        date_precision, duration_minutes) VALUES
      ('test-call', 'Test call', 'en', 'MEETING', 'VIDEO', 'HELD', '2026-02-04', 'DAY', 85),
      ('test-visit', 'Test visit', 'en', 'STATE_VISIT', 'IN_PERSON', 'PLANNED', '2026-01-01',
       'HALF_YEAR', NULL),
      ('test-quiet', 'Test quiet', 'en', 'OTHER', 'UNKNOWN', 'HELD', '2026-02-03', 'DAY', NULL)""",
    """INSERT INTO event_participants (event_id, participant_id, role)
    SELECT e.id, p.id, 'PARTICIPANT' FROM events e, participants p
    WHERE e.slug = 'test-call' AND p.slug IN ('test-speaker', 'test-other')""",
    """INSERT INTO treaties (slug) VALUES ('test-treaty')""",
    """INSERT INTO treaty_names (treaty_id, value, language, is_primary, position)
    SELECT id, 'Test Treaty', 'en', true, 0 FROM treaties WHERE slug = 'test-treaty'""",
    """INSERT INTO treaty_milestones (treaty_id, kind, date)
    SELECT t.id, m.kind, CAST(m.date AS date) FROM treaties t,
      (VALUES ('SIGNED', '2010-04-08'), ('ENTERED_INTO_FORCE', '2011-02-05'),
              ('EXPIRED', '2026-02-05')) AS m(kind, date)
    WHERE t.slug = 'test-treaty'""",
]

SOURCES = """
INSERT INTO sources (slug, url, title, publisher, language, published_at, kind, note) VALUES
  ('test-main-fr', 'https://example.com/main-fr', 'Un appel', 'Test Presse', 'fr',
   '2026-02-04T00:00:00+00:00', 'REPORT', NULL),
  ('test-wire-xi-putin', NULL, 'Xi, Putin hail ties', 'Test Wire', 'en',
   '2026-02-04T09:00:00+00:00', 'WIRE_STORY', NULL),
  ('test-kremlin-readout', NULL, 'Russian-Chinese talks', 'Test Kremlin', 'ru',
   '2026-02-04T12:00:00+00:00', 'OFFICIAL', NULL),
  ('test-copy-en', 'https://example.com/copy-en', 'Xi, Putin hail ties in video call',
   'Test Tribune', 'en', '2026-02-04T15:00:00+00:00', 'REPORT', NULL),
  ('test-copy-fr', 'https://example.com/copy-fr', 'Poutine et Xi saluent leurs liens',
   'Test Bourse', 'fr', '2026-02-04T16:00:00+00:00', 'REPORT', NULL),
  ('test-report-ru', 'https://example.com/report-ru', 'Ушаков об итогах переговоров',
   'Test ТАСС', 'ru', '2026-02-04T13:00:00+00:00', 'REPORT', NULL),
  ('test-report-zh', 'https://example.com/report-zh', '習近平與普丁視訊通話', 'Test 自由時報',
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
  AND s.slug IN ('test-main-fr', 'test-copy-en', 'test-copy-fr', 'test-report-ru',
                 'test-report-zh')
"""
STATEMENTS = """
INSERT INTO statements (slug, text, language, kind, speaker_id, event_id, source_id, position,
                        translation)
SELECT st.slug, st.text, 'fr', 'PARAPHRASE', p.id, e.id, s.id, st.position, 'UNKNOWN'
FROM (VALUES ('test-said', 'Le président a soutenu un rapprochement stratégique.', 0),
             ('test-said-again', 'Le président a soutenu le rapprochement.', 1))
  AS st(slug, text, position), participants p, events e, sources s
WHERE p.slug = 'test-speaker' AND e.slug = 'test-call' AND s.slug = 'test-main-fr'
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
        "test-aide",
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
        "test-main-fr",
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
    (MEETING, "participants", "test-speaker", None, "EXACT", "test-report-ru", None, None, None),
    (
        MEETING,
        "participants",
        "test-speaker",
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
        "test-other",
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
        "test-speaker",
        None,
    ),
    (PLANNED, "commitment", None, "INVITED", "EXACT", "test-copy-en", None, None, None),
]
TREATY_CLAIMS = [
    (
        TREATY,
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
        TREATY,
        "milestones",
        "EXPIRED",
        "2026-02-04",
        "BY_END_OF",
        "test-copy-en",
        "at midnight on Wednesday",
        None,
        None,
    ),
    (TREATY, "milestones", "SIGNED", None, "EXACT", "test-report-zh", None, None, None),
]
PARTICIPANT_CLAIMS = [
    (
        "test-speaker",
        "roles",
        "Test President",
        None,
        "EXACT",
        "test-report-ru",
        None,
        None,
        None,
    ),
    (
        "test-speaker",
        "roles",
        "Test President",
        None,
        "EXACT",
        "test-copy-en",
        None,
        None,
        None,
    ),
    (SPEAKER, "names", "Тестовый", None, "EXACT", "test-report-ru", "Тестовый", None, None),
]
CLAIM_ROWS = """
INSERT INTO {table} ({owner_column}, field, item, value, qualifier, source_id, wording,
                     attributed_to_id, as_of, note, position)
SELECT o.id, :field, :item, :value, :qualifier, s.id, :wording,
       (SELECT id FROM participants WHERE slug = :attributed_to), CAST(:as_of AS date), NULL,
       :position
FROM {owners} o, sources s WHERE o.{key} = :owner AND s.slug = :source
"""
# The test call's two statements (in the order of their source): renderings, claims, and a
# link between them.
STATEMENT = (
    "(SELECT st.id FROM statements st JOIN events e ON e.id = st.event_id "
    f"WHERE e.slug = '{MEETING}' ORDER BY st.position LIMIT 1 OFFSET {{offset}})"
)
"""The test call's statements, by their place in their source."""
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
    (0, "speaker", None, "test-speaker", "EXACT", "test-report-ru", None, None, None),
    (0, "speaker", None, "test-other", "EXACT", "test-report-zh", None, None, None),
    (0, "reported_by", None, None, "EXACT", "test-report-ru", None, None, None),
]


async def add_many_sources(url: URL) -> None:
    """Adds the reports, their links and their claims to the seed's database at `url`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in (
                *OBJECTS,
                SOURCES,
                REPRINTS,
                BASED_ON,
                EVENT_SOURCES,
                STATEMENTS,
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
