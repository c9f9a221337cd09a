"""No N+1: the SQL statements of the main queries are pinned, whatever the size of the result.

The compiled path answers each of them with exactly one statement, whose JSON PostgreSQL builds.
Strawberry's execution (the fallback) resolves every nested list through a per-request
DataLoader whose batch makes one store call, so a query costs a fixed number of statements set
by its shape. Both are pinned on the seed corpus, then checked not to grow with the page size
nor with the corpus.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.db.server import drop_database
from api.fixtures.generate import generate_corpus
from api.fixtures.load import load_fixtures
from api.settings import Settings
from schema.execution.operation import GraphQLRequest, Operations
from tests.conftest import TEMPLATE, clone_database
from tests.schema.conftest import MEETING, client_of, counting_statements, serving

# (a) the meeting, its quotes with speakers, who relayed them and their topics, and its topics
MEETING_QUERY = """
query Meeting($slug: String!, $size: Int!) {
  event(slug: $slug) {
    title
    participants { role participant { name } }
    statements(first: $size) {
      totalCount
      nodes {
        text kind
        speaker { name(language: "fr") }
        reportedBy { name }
        topics { label }
      }
    }
    topics { label }
  }
}
"""
# (b) a page of events with their participants, topics and first quotes
EVENTS_QUERY = """
query Events($size: Int!) {
  events(first: $size) {
    nodes {
      participants { participant { name } }
      topics { label }
      statements(first: 5) { nodes { speaker { name } } }
    }
  }
}
"""
# (c) a participant's events and statements
PARTICIPANT_QUERY = """
query Participant($slug: String!, $size: Int!) {
  participant(slug: $slug) {
    events(first: $size) { nodes { title } }
    statements(first: $size) { nodes { text } }
  }
}
"""

# Strawberry's execution: the most statements each query may take, one per loader batch its
# shape can need. Loads of the same loader made in the same event-loop tick share one batch;
# loads of one loader at two levels of the tree (participant names for the participants, then
# for the speakers) may take two, and fewer when the DataLoader cache already holds the rows.
#
# (a) event by slug, participations, statements page, speakers and reporters by id, statement
#     topics, event topics, names (participants; speakers in French; reporters), topic labels
#     (event; statements). The speakers' and the reporters' names share a batch when their loads
#     fall in one tick, which depends on which read came back first: 9 to 11 (a test that delayed
#     each read at random saw all three, never more).
MEETING_CEILING = 11
# (b) events page, participations, topics, statements pages, speakers by id, names (participants;
#     speakers), topic labels.
EVENTS_CEILING = 8
# (c) participant by slug, then its events page and its statements page.
PARTICIPANT_STATEMENTS = 3


async def statements_of(app: Starlette, query: str, **variables: object) -> int:
    """How many SQL statements one request of `query` executes (after a warm-up request)."""
    async with client_of(app) as client:
        await client.data(query, **variables)
        with counting_statements(app) as executed:
            await client.data(query, **variables)
    return len(executed)


async def fallback_statements_of(app: Starlette, query: str, **variables: object) -> int:
    """The same through Strawberry's execution (the compiled path turned off)."""
    operations: Operations = app.state.operations
    request = GraphQLRequest(query, variables)
    outcome = await operations.run(request, request_id="count", compiled=False)
    assert b'"errors"' not in outcome.body, outcome.body
    return outcome.sql_statements


QUERIES = [
    (MEETING_QUERY, {"slug": MEETING}),
    (EVENTS_QUERY, {}),
    (PARTICIPANT_QUERY, {"slug": "vladimir-putin"}),
]


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_the_compiled_path_answers_in_one_statement(
    seed_app: Starlette, query: str, variables: dict[str, object]
) -> None:
    counts = [await statements_of(seed_app, query, size=size, **variables) for size in (1, 20)]
    assert counts == [1, 1]


async def test_strawberrys_execution_costs_a_fixed_number_of_statements(
    seed_app: Starlette,
) -> None:
    meeting = [
        await fallback_statements_of(seed_app, MEETING_QUERY, slug=MEETING, size=size)
        for size in (1, 10, 100)
    ]
    events = [await fallback_statements_of(seed_app, EVENTS_QUERY, size=size) for size in (1, 20)]
    record = [
        await fallback_statements_of(seed_app, PARTICIPANT_QUERY, slug="vladimir-putin", size=size)
        for size in (1, 20)
    ]
    assert max(meeting) <= MEETING_CEILING, meeting
    assert max(events) <= EVENTS_CEILING, events
    assert record == [PARTICIPANT_STATEMENTS] * 2


@pytest.fixture(scope="module")
async def generated_apps(
    server_url: URL, template_url: URL, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Starlette, Starlette]]:
    """Apps over two generated corpora, one ten times the other."""
    names = []
    urls = []
    for events in (20, 200):
        folder: Path = tmp_path_factory.mktemp(f"corpus-{events}")
        generate_corpus(folder, events=events, seed=7, statements_per_event=12)
        name = f"eventgraph_test_generated_{events}_{os.getpid()}"
        url = await clone_database(server_url, TEMPLATE, name)
        await load_fixtures(url, [folder])
        names.append(name)
        urls.append(url)
    async with serving(Settings(), urls[0]) as small, serving(Settings(), urls[1]) as large:
        yield small, large
    for name in names:
        await drop_database(server_url, name)


async def _busiest(app: Starlette) -> tuple[str, str]:
    """The slug of an event with statements and of a participant with events."""
    async with client_of(app) as client:
        data = await client.data(
            """{ statements(first: 1) { nodes { event { slug } speaker { slug } } } }"""
        )
    node = data["statements"]["nodes"][0]
    return node["event"]["slug"], node["speaker"]["slug"]


@pytest.mark.slow
async def test_the_counts_do_not_grow_with_the_corpus(
    generated_apps: tuple[Starlette, Starlette],
) -> None:
    compiled: list[tuple[int, int, int]] = []
    fallback: list[tuple[int, int, int]] = []
    for app in generated_apps:
        event_slug, participant_slug = await _busiest(app)
        for counter, counts in ((statements_of, compiled), (fallback_statements_of, fallback)):
            counts.append(
                (
                    await counter(app, MEETING_QUERY, slug=event_slug, size=100),
                    await counter(app, EVENTS_QUERY, size=20),
                    await counter(app, PARTICIPANT_QUERY, slug=participant_slug, size=20),
                )
            )
    assert compiled == [(1, 1, 1), (1, 1, 1)]
    for meeting, events, participant in fallback:
        assert meeting <= MEETING_CEILING, fallback
        assert events <= EVENTS_CEILING, fallback
        assert participant == PARTICIPANT_STATEMENTS, fallback
