"""Many sources, read: what the sources of the corpus say, side by side, as both paths answer it.

On the seed with the reports of `tests.schema.many_sources` (which copy a wire story, cite an
official readout, render a quote in three more languages and contradict each other). Each
request runs through the compiled path and Strawberry's execution; both must answer it, alike,
and the answer is checked here. The SQL statements each path takes for a meeting page are
pinned: one for the compiled path, a fixed number for Strawberry's, on this corpus and the seed,
whatever the page size.
"""

import json
from typing import Any

import pytest
from starlette.applications import Starlette

from api.store.relations import BOUNDS, Related
from schema.execution.operation import GraphQLRequest, Operations
from tests.schema.conftest import GraphQLClient
from tests.schema.many_sources import MEETING, PLANNED, SPEAKER, TREATY
from tests.schema.test_statement_counts import fallback_statements_of, statements_of


async def both_paths(app: Starlette, query: str, **variables: Any) -> dict[str, Any]:
    """The data of `query`, which the compiled path answers and Strawberry's answers alike."""
    operations: Operations = app.state.operations
    request = GraphQLRequest(query, variables or None)
    compiled = await operations.run(request, request_id="many-sources", compiled=True)
    reference = await operations.run(request, request_id="many-sources", compiled=False)
    assert compiled.compiled, compiled.body
    assert json.loads(compiled.body) == json.loads(reference.body)
    body: dict[str, Any] = json.loads(reference.body)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


CLAIMS = """
query Claims($slug: String!) {
  event(slug: $slug) {
    durationMinutes format independentSourceCount disputedFields
    claims {
      field item value qualifier chosen independentSourceCount
      sources { slug }
      citations { source { slug } wording asOf attributedTo { slug } }
    }
    formats: claims(field: "format") { value chosen }
    none: claims(field: "duration_minutes") { value }
    participants { participant { slug } sources { slug } }
  }
}
"""


async def test_claims_are_grouped_by_value_with_every_source(many_sources_app: Starlette) -> None:
    event = (await both_paths(many_sources_app, CLAIMS, slug=MEETING))["event"]
    durations = [claim for claim in event["claims"] if claim["field"] == "durationMinutes"]
    assert [(c["value"], c["qualifier"], c["chosen"]) for c in durations] == [
        ("85", "EXACT", True),
        ("90", "NEARLY", False),
        ("90", "EXACT", False),
    ]
    exact = durations[0]
    assert [source["slug"] for source in exact["sources"]] == [
        "test-report-ru",
        "test-copy-en",
        "test-copy-fr",
    ]
    # Two copies of one wire story are one independent source.
    assert exact["independentSourceCount"] == 2
    assert exact["citations"][0] == {
        "source": {"slug": "test-report-ru"},
        "wording": "продолжался 1 час 25 минут",
        "asOf": "2026-02-04",
        "attributedTo": {"slug": "test-aide"},
    }
    # asOf: the claim's own date, else its source's day of publication, else none.
    assert durations[2]["citations"][0]["asOf"] == "2026-02-06"
    formats = [c for c in event["claims"] if c["field"] == "format"]
    assert formats[1]["citations"][0]["asOf"] is None
    assert event["formats"] == [
        {"value": "VIDEO", "chosen": True},
        {"value": "PHONE", "chosen": False},
    ]
    # The field's name in this API, not the fixture's.
    assert event["none"] == []
    # A participant cited without a role (null: the item as stored) agrees with one cited
    # with it: participations are not disputed, the duration and the format are.
    assert event["disputedFields"] == ["durationMinutes", "format"]
    participations = [c for c in event["claims"] if c["field"] == "participants"]
    assert all(claim["chosen"] for claim in participations)
    sources = {
        p["participant"]["slug"]: [s["slug"] for s in p["sources"]] for p in event["participants"]
    }
    assert sources == {
        "test-speaker": ["test-report-ru", "test-report-zh"],
        "test-other": ["test-copy-en"],
    }
    # The main report, the wire story (two copies), the Russian and the Chinese reports.
    assert event["independentSourceCount"] == 4


SOURCES = """
{
  sources(filter: {kind: {in: [WIRE_STORY, OFFICIAL]}, publisher: {startsWith: "Test "}}) {
    nodes { slug kind reprints { slug } }
  }
  copies: sources(filter: {reprintOf: {publisher: {eq: "Test Wire"}}}) {
    nodes { slug reprintOf { slug } origin { slug } }
  }
  zh: sources(filter: {language: {eq: "zh-Hant"}, publisher: {startsWith: "Test "}}) {
    nodes { slug origin { slug } basedOn { slug } note }
  }
}
"""


async def test_sources_know_what_they_copy_and_cite(many_sources_app: Starlette) -> None:
    data = await both_paths(many_sources_app, SOURCES)
    assert data["sources"]["nodes"] == [
        {"slug": "test-kremlin-readout", "kind": "OFFICIAL", "reprints": []},
        {
            "slug": "test-wire-xi-putin",
            "kind": "WIRE_STORY",
            "reprints": [{"slug": "test-copy-en"}, {"slug": "test-copy-fr"}],
        },
    ]
    wire = {"slug": "test-wire-xi-putin"}
    assert sorted(data["copies"]["nodes"], key=lambda node: node["slug"]) == [
        {"slug": "test-copy-en", "reprintOf": wire, "origin": wire},
        {"slug": "test-copy-fr", "reprintOf": wire, "origin": wire},
    ]
    assert data["zh"]["nodes"] == [
        {
            "slug": "test-report-zh",
            "origin": {"slug": "test-report-zh"},
            "basedOn": [{"slug": "test-wire-xi-putin"}, {"slug": "test-kremlin-readout"}],
            "note": "date uncertain: 5 or 6 February",
        }
    ]


STATEMENTS = """
{
  statements(filter: {renderingLanguage: {eq: "zh-Hant"}, event: {slug: {eq: "%CALL%"}}}) {
    nodes {
      translation distortion independentSourceCount disputedFields
      sources { slug }
      renderings { language main translation distortion source { slug } }
      chinese: renderings(language: "zh") { language }
      exact: renderings(language: "ZH-hant") { language }
      french: renderings(language: "fr") { language main }
      none: renderings(language: "de") { language }
      mayBeSameAs { mayBeSameAs { text } }
      claims { field value chosen }
    }
  }
}
""".replace("%CALL%", MEETING)


async def test_a_statement_has_its_renderings_and_their_sources(
    many_sources_app: Starlette,
) -> None:
    (statement,) = (await both_paths(many_sources_app, STATEMENTS))["statements"]["nodes"]
    assert [(r["language"], r["main"], r["source"]["slug"]) for r in statement["renderings"]] == [
        ("fr", True, "test-main-fr"),
        ("ru", False, "test-report-ru"),
        ("zh-Hant", False, "test-report-zh"),
        ("en", False, "test-copy-en"),
        ("en", False, "test-report-ru"),
    ]
    assert statement["renderings"][2]["distortion"] is not None
    assert statement["translation"] == "ORIGINAL"
    assert statement["chinese"] == statement["exact"] == [{"language": "zh-Hant"}]
    assert statement["french"] == [{"language": "fr", "main": True}]
    assert statement["none"] == []
    # Main first, then in the renderings' order, none twice.
    assert [source["slug"] for source in statement["sources"]] == [
        "test-main-fr",
        "test-report-ru",
        "test-report-zh",
        "test-copy-en",
    ]
    assert statement["independentSourceCount"] == 4
    # The link reads from either end.
    (other,) = statement["mayBeSameAs"]
    assert len(other["mayBeSameAs"]) == 1
    assert statement["disputedFields"] == ["speaker"]
    assert statement["claims"] == [
        {"field": "speaker", "value": "test-speaker", "chosen": True},
        {"field": "speaker", "value": "test-other", "chosen": False},
        {"field": "reportedBy", "value": None, "chosen": True},
    ]


ITEMS = (
    """
{
  treaty(slug: "%TREATY%") {
    disputedFields
    claims { item value qualifier chosen }
    milestones { kind sources { slug } }
  }
  participant(slug: "%SPEAKER%") {
    disputedFields
    claims { field item chosen independentSourceCount }
    roles { title sources { slug } }
  }
  planned: event(slug: "%PLANNED%") { commitment disputedFields claims { value chosen } }
}
""".replace("%PLANNED%", PLANNED)
    .replace("%TREATY%", TREATY)
    .replace("%SPEAKER%", SPEAKER)
)


async def test_list_items_have_their_sources(many_sources_app: Starlette) -> None:
    data = await both_paths(many_sources_app, ITEMS)
    treaty = data["treaty"]
    assert treaty["claims"] == [
        {"item": "EXPIRED", "value": "2026-02-05", "qualifier": "BY_END_OF", "chosen": True},
        {"item": "EXPIRED", "value": "2026-02-04", "qualifier": "BY_END_OF", "chosen": False},
        {"item": "SIGNED", "value": None, "qualifier": "EXACT", "chosen": True},
    ]
    assert treaty["disputedFields"] == ["milestones"]
    # A milestone's sources claim its date, or none: not another date.
    milestones = {m["kind"]: [s["slug"] for s in m["sources"]] for m in treaty["milestones"]}
    assert milestones["EXPIRED"] == ["test-report-ru"]
    assert milestones["SIGNED"] == ["test-report-zh"]
    assert milestones["ENTERED_INTO_FORCE"] == []
    participant = data["participant"]
    assert participant["disputedFields"] == []
    assert participant["claims"] == [
        {"field": "roles", "item": "Test President", "chosen": True, "independentSourceCount": 2},
        {"field": "names", "item": "Тестовый", "chosen": True, "independentSourceCount": 1},
    ]
    roles = {r["title"]: [s["slug"] for s in r["sources"]] for r in participant["roles"]}
    # Both terms of the title are the item its claims name.
    assert roles == {"Test President": ["test-report-ru", "test-copy-en"], "Test Premier": []}
    assert data["planned"] == {
        "commitment": "INTENDED",
        "disputedFields": ["commitment"],
        "claims": [{"value": "INTENDED", "chosen": True}, {"value": "INVITED", "chosen": False}],
    }


FILTERS = """
{
  disputed: events(filter: {slug: {startsWith: "test-"}, disputed: true}) { nodes { slug } }
  undisputed: events(filter: {slug: {startsWith: "test-"}, disputed: false}) { nodes { slug } }
  confirmed: events(filter: {slug: {startsWith: "test-"}, independentSources: {gte: 2}}) {
    nodes { slug }
  }
  copied: events(filter: {sources: {some: {reprintOf: {publisher: {eq: "Test Wire"}}}}}) {
    nodes { slug }
  }
  inRussian: statements(filter: {sources: {some: {publisher: {eq: "Test ТАСС"}}}}) {
    totalCount
  }
  russian: statements(filter: {event: {slug: {eq: "%CALL%"}}, renderingLanguage: {eq: "ru"}}) {
    totalCount
  }
  french: statements(filter: {event: {slug: {eq: "%CALL%"}}, renderingLanguage: {eq: "fr"}}) {
    totalCount
  }
  widely: statements(filter: {event: {slug: {eq: "%CALL%"}}, independentSources: {gte: 2}}) {
    totalCount
  }
  once: statements(filter: {event: {slug: {eq: "%CALL%"}}, independentSources: {eq: 1}}) {
    totalCount
  }
}
""".replace("%CALL%", MEETING)


async def test_the_filters_of_many_sources(many_sources_app: Starlette) -> None:
    data = await both_paths(many_sources_app, FILTERS)
    assert [node["slug"] for node in data["disputed"]["nodes"]] == [MEETING, PLANNED]
    assert [node["slug"] for node in data["undisputed"]["nodes"]] == ["test-quiet"]
    assert [node["slug"] for node in data["confirmed"]["nodes"]] == [MEETING]
    assert [node["slug"] for node in data["copied"]["nodes"]] == [MEETING]
    # The Russian report gives two renderings of the first statement: one statement.
    assert data["inRussian"]["totalCount"] == data["russian"]["totalCount"] == 1
    # Both statements' main renderings are in French: the main one counts.
    assert data["french"]["totalCount"] == 2
    assert data["widely"]["totalCount"] == data["once"]["totalCount"] == 1


# A meeting page of many sources: its sources and their origins, its claims with their sources
# and citations, its disputed fields, its participants' sources, and its statements with every
# rendering, their sources and their claims.
MEETING_SOURCES = """
query MeetingSources($slug: String!, $size: Int!) {
  event(slug: $slug) {
    independentSourceCount disputedFields
    sources { publisher language origin { publisher } }
    claims { field value chosen sources { publisher } citations { wording source { publisher } } }
    participants { participant { slug } sources { publisher } }
    statements(first: $size) {
      nodes {
        text independentSourceCount
        renderings { text language source { publisher } }
        sources { publisher }
        claims { field value }
      }
    }
  }
}
"""


# Strawberry's execution: the event by slug (1); one batch per list, each read once whatever the
# number of parents: the event's independent source count, disputed fields, sources, claims,
# their sources and citations, participations, participations' sources, statements page, and
# the statements' independent source counts, renderings, sources and claims (13); the sources by
# id (origins, citations' and renderings' sources: one batch per level at most, fewer when their
# loads share a tick or the cache holds them: 1 to 3).
MEETING_SOURCES_CEILING = 17


async def test_a_meeting_of_many_sources_costs_a_fixed_number_of_statements(
    many_sources_app: Starlette, seed_app: Starlette
) -> None:
    for app, slug in ((many_sources_app, MEETING), (seed_app, "xi-putin-video-call-2026-02-04")):
        compiled = [
            await statements_of(app, MEETING_SOURCES, slug=slug, size=size) for size in (1, 100)
        ]
        fallback = [
            await fallback_statements_of(app, MEETING_SOURCES, slug=slug, size=size)
            for size in (1, 100)
        ]
        assert compiled == [1, 1]
        assert max(fallback) <= MEETING_SOURCES_CEILING, fallback


B = BOUNDS
COSTS = [
    (
        "{ event(slug: $slug) { sources { reprints { id } basedOn { id } } } }",
        1 + 2 * B[Related.EVENT_SOURCES],
    ),
    (
        "{ event(slug: $slug) { claims { sources { id } citations { source { id } } } } }",
        1 + 2 * B[Related.EVENT_CLAIMS],
    ),
    (
        "{ event(slug: $slug) { disputedFields participants { sources { id } } } }",
        1 + 1 + B[Related.EVENT_PARTICIPANTS],
    ),
    (
        """{ statements(first: 10) { nodes { renderings { source { id } } sources { id }
          mayBeSameAs { id } disputedFields claims { citations { note } } } } }""",
        1 + 10 * 5 + 10 * B[Related.STATEMENT_CLAIMS],
    ),
    (
        """{ treaty(slug: "new-start") { claims { sources { id } } milestones { sources { id } } }
          participant(slug: "vladimir-putin") { claims { item } roles { sources { id } } } }""",
        (1 + B[Related.TREATY_CLAIMS] + 1 + B[Related.TREATY_MILESTONES])
        + (1 + 1 + B[Related.PARTICIPANT_ROLES]),
    ),
]


@pytest.mark.parametrize(("query", "cost"), COSTS)
async def test_the_cost_counts_the_lists_of_many_sources(
    client: GraphQLClient, query: str, cost: int
) -> None:
    """Each list costs one request per parent, and its bound multiplies its children's parents
    (`api.store.relations.BOUNDS`), as every list does."""
    costed = query.replace("$slug", f'"{MEETING}"').replace("{", "{ rateLimit { cost }", 1)
    data = await client.data(costed)
    assert data["rateLimit"]["cost"] == cost
