"""Batched loads: by id and slug, nested pages per parent, bounded related lists, SQL counts."""

from datetime import date, timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.entities import PARENT_KEY, Entity
from api.store.ordering import Order, OrderDirection, StatementOrderField
from api.store.pagination import PageRequest
from api.store.reads import Store
from api.store.relations import Connection, Related
from api.vocabulary import (
    EventRelationKind,
    ParticipationRole,
    TreatyMilestoneKind,
)
from tests.store.conftest import World
from tests.store.corpus import Corpus


async def test_by_ids_and_slugs(store: Store, world: World) -> None:
    missing = uuid4()
    rows = await store.by_ids(Entity.EVENT, [world.visit, world.trump_call, missing])
    assert set(rows) == {world.visit, world.trump_call}
    assert rows[world.visit]["slug"] == "putin-visit-to-china-2026"
    assert "search_vector" not in dict(rows[world.visit].items())  # type: ignore[attr-defined]
    by_slug = await store.by_slugs(Entity.PARTICIPANT, ["xi-jinping", "nobody"])
    assert list(by_slug) == ["xi-jinping"]
    assert by_slug["xi-jinping"]["id"] == world.xi
    assert await store.by_ids(Entity.TOPIC, []) == {}


async def test_event_statements_in_source_order(store: Store, world: World) -> None:
    pages = await store.list_by_parent(Connection.EVENT_STATEMENTS, [world.video_call, world.visit])
    call = pages[world.video_call]
    assert [row["slug"] for row in call.rows] == ["putin-quote-1", "xi-quote-1", "ushakov-report-1"]
    assert all(row[PARENT_KEY] == world.video_call for row in call.rows)
    assert call.total_count == 3
    empty = pages[world.visit]
    assert (empty.rows, empty.total_count, empty.has_next_page) == ((), 0, False)


async def test_nested_connections_per_parent(store: Store, world: World) -> None:
    events = await store.list_by_parent(Connection.PARTICIPANT_EVENTS, [world.xi, world.trump])
    # Newest first; the two calls of the same day in id order.
    xi_events = [row["slug"] for row in events[world.xi].rows]
    assert set(xi_events[:2]) == {
        "xi-putin-video-call-2026-02-04",
        "xi-trump-phone-call-2026-02-04",
    }
    assert xi_events[2] == "putin-visit-to-china-2026"
    assert [row["slug"] for row in events[world.trump].rows] == ["xi-trump-phone-call-2026-02-04"]
    spoken = await store.list_by_parent(Connection.PARTICIPANT_STATEMENTS, [world.putin])
    assert {row["slug"] for row in spoken[world.putin].rows} == {
        "putin-quote-1",
        "ushakov-report-1",
    }
    treaty_events = await store.list_by_parent(Connection.TREATY_EVENTS, [world.new_start])
    assert [row["slug"] for row in treaty_events[world.new_start].rows] == [
        "new-start-expiry",
        "xi-putin-video-call-2026-02-04",
    ]
    treaty_statements = await store.list_by_parent(Connection.TREATY_STATEMENTS, [world.new_start])
    # Newest first, undated last.
    assert [row["slug"] for row in treaty_statements[world.new_start].rows] == [
        "peskov-quote-1",
        "ushakov-report-1",
    ]
    topic_events = await store.list_by_parent(Connection.TOPIC_EVENTS, [world.energy])
    assert [row["slug"] for row in topic_events[world.energy].rows] == [
        "xi-putin-video-call-2026-02-04"
    ]
    topic_statements = await store.list_by_parent(
        Connection.TOPIC_STATEMENTS, [world.security, world.arms_control]
    )
    assert [row["slug"] for row in topic_statements[world.arms_control].rows] == [
        "ushakov-report-1"
    ]
    source = await store.list_by_parent(Connection.SOURCE_STATEMENTS, [world.article])
    assert [row["slug"] for row in source[world.article].rows] == [
        "putin-quote-1",
        "xi-quote-1",
        "ushakov-report-1",
        "peskov-quote-1",
    ]


async def test_nested_filter_order_and_pages(store: Store, world: World) -> None:
    spoken = await store.list_by_parent(
        Connection.EVENT_STATEMENTS,
        [world.video_call],
        {"speaker": {"slug": {"eq": "vladimir-putin"}}},
        [Order(StatementOrderField.POSITION, OrderDirection.DESC)],
        PageRequest(first=1),
    )
    page = spoken[world.video_call]
    assert [row["slug"] for row in page.rows] == ["ushakov-report-1"]
    assert (page.total_count, page.has_next_page, page.has_previous_page) == (2, True, False)
    following = await store.list_by_parent(
        Connection.EVENT_STATEMENTS,
        [world.video_call],
        {"speaker": {"slug": {"eq": "vladimir-putin"}}},
        [Order(StatementOrderField.POSITION, OrderDirection.DESC)],
        PageRequest(first=1, after=page.end_cursor),
    )
    page = following[world.video_call]
    assert [row["slug"] for row in page.rows] == ["putin-quote-1"]
    assert (page.total_count, page.has_next_page, page.has_previous_page) == (2, False, True)


async def test_many_parents_paged_in_one_statement(store: Store, engine: AsyncEngine) -> None:
    """Each of 50 events has its own quotes; pages are per event, forwards and backwards."""
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        speaker = await corpus.participant("speaker", [("Speaker", "en")])
        source = await corpus.source("source")
        quotes: dict[UUID, list[UUID]] = {}
        for n in range(50):
            event = await corpus.event(f"e-{n}", date(2026, 1, 1) + timedelta(days=n))
            quotes[event] = [
                await corpus.statement(
                    f"q-{n}-{k}", "quote", speaker=speaker, source=source, event=event
                )
                for k in range(n % 6)
            ]
    events = list(quotes)
    store.executed = 0
    one = await store.list_by_parent(
        Connection.EVENT_STATEMENTS, events[:1], page=PageRequest(first=2)
    )
    assert store.executed == 1
    store.executed = 0
    pages = await store.list_by_parent(
        Connection.EVENT_STATEMENTS, events, page=PageRequest(first=2)
    )
    assert store.executed == 1
    assert one[events[0]].rows == pages[events[0]].rows
    for event, expected in quotes.items():
        page = pages[event]
        assert [row["id"] for row in page.rows] == expected[:2]
        assert page.total_count == len(expected)
        assert page.has_next_page is (len(expected) > 2)
        assert page.has_previous_page is False
    store.executed = 0
    last = await store.list_by_parent(Connection.EVENT_STATEMENTS, events, page=PageRequest(last=3))
    assert store.executed == 1
    for event, expected in quotes.items():
        assert [row["id"] for row in last[event].rows] == expected[-3:]
        assert last[event].has_previous_page is (len(expected) > 3)


async def test_related_lists(store: Store, world: World) -> None:
    participants = await store.related(
        Related.EVENT_PARTICIPANTS, [world.video_call, world.trump_call]
    )
    assert [(row["slug"], row["role"]) for row in participants[world.video_call]] == [
        ("xi-jinping", ParticipationRole.HOST),
        ("vladimir-putin", ParticipationRole.GUEST),
    ]
    assert {row["slug"] for row in participants[world.trump_call]} == {"xi-jinping", "donald-trump"}
    hosts = await store.related(
        Related.EVENT_PARTICIPANTS, [world.video_call], role=ParticipationRole.HOST
    )
    assert [row["slug"] for row in hosts[world.video_call]] == ["xi-jinping"]
    topics = await store.related(Related.EVENT_TOPICS, [world.video_call, world.visit])
    assert [row["slug"] for row in topics[world.video_call]] == ["energy", "security"]
    assert topics[world.visit] == []
    treaties = await store.related(Related.EVENT_TREATIES, [world.video_call])
    assert [row["slug"] for row in treaties[world.video_call]] == ["new-start"]
    sources = await store.related(Related.EVENT_SOURCES, [world.video_call])
    assert [row["slug"] for row in sources[world.video_call]] == ["euronews-xi-putin"]
    mentions = await store.related(Related.STATEMENT_MENTIONS, [world.quote_xi])
    assert [row["slug"] for row in mentions[world.quote_xi]] == ["china", "russia"]
    statement_topics = await store.related(Related.STATEMENT_TOPICS, [world.report_ushakov])
    assert [row["slug"] for row in statement_topics[world.report_ushakov]] == ["arms-control"]
    statement_treaties = await store.related(Related.STATEMENT_TREATIES, [world.quote_peskov])
    assert [row["slug"] for row in statement_treaties[world.quote_peskov]] == ["new-start"]
    names = await store.related(Related.PARTICIPANT_NAMES, [world.putin])
    assert [(row["value"], row["is_primary"]) for row in names[world.putin]] == [
        ("Vladimir Poutine", True),
        ("Vladimir Putin", False),
        ("Владимир Путин", False),
    ]
    party_to = await store.related(Related.PARTICIPANT_TREATIES, [world.usa, world.china])
    assert [row["slug"] for row in party_to[world.usa]] == ["new-start"]
    assert party_to[world.china] == []
    milestones = await store.related(Related.TREATY_MILESTONES, [world.new_start])
    assert [row["kind"] for row in milestones[world.new_start]] == [
        TreatyMilestoneKind.SIGNED,
        TreatyMilestoneKind.ENTERED_INTO_FORCE,
        TreatyMilestoneKind.EXTENDED,
    ]
    parties = await store.related(Related.TREATY_PARTIES, [world.new_start])
    # By folded primary name: "États-Unis" sorts as "etats-unis", before "Russie".
    assert [row["slug"] for row in parties[world.new_start]] == ["united-states", "russia"]
    treaty_names = await store.related(Related.TREATY_NAMES, [world.new_start])
    assert treaty_names[world.new_start][0]["value"] == "New START"
    labels = await store.related(Related.TOPIC_LABELS, [world.energy])
    assert [row["value"] for row in labels[world.energy]] == ["Énergie", "Energy"]
    children = await store.related(Related.TOPIC_CHILDREN, [world.security, world.energy])
    assert [row["slug"] for row in children[world.security]] == ["arms-control"]
    assert children[world.energy] == []
    source_events = await store.related(Related.SOURCE_EVENTS, [world.article])
    assert {row["slug"] for row in source_events[world.article]} == {
        "xi-putin-video-call-2026-02-04",
        "xi-trump-phone-call-2026-02-04",
    }


async def test_participant_roles(store: Store, engine: AsyncEngine, world: World) -> None:
    from api.db import tables

    async with engine.begin() as connection:
        corpus = Corpus(connection)
        await corpus.insert(
            tables.participant_roles,
            participant_id=world.putin,
            title="Président",
            organization_id=world.russia,
            start_date=date(2012, 5, 7),
        )
        await corpus.insert(
            tables.participant_roles,
            participant_id=world.putin,
            title="Premier ministre",
            start_date=date(2008, 5, 8),
            end_date=date(2012, 5, 7),
        )
    roles = await store.related(Related.PARTICIPANT_ROLES, [world.putin, world.xi])
    assert [row["title"] for row in roles[world.putin]] == ["Premier ministre", "Président"]
    assert roles[world.xi] == []


async def test_event_relations_from_both_ends(store: Store, world: World) -> None:
    relations = await store.related(
        Related.EVENT_RELATIONS, [world.video_call, world.visit, world.trump_call]
    )
    assert [(row["slug"], row["relation_kind"]) for row in relations[world.video_call]] == [
        ("putin-visit-to-china-2026", EventRelationKind.PRECEDES),
        ("xi-trump-phone-call-2026-02-04", EventRelationKind.CONCURRENT),
    ]
    assert [(row["slug"], row["relation_kind"]) for row in relations[world.visit]] == [
        ("xi-putin-video-call-2026-02-04", EventRelationKind.FOLLOWS)
    ]
    assert [(row["slug"], row["relation_kind"]) for row in relations[world.trump_call]] == [
        ("xi-putin-video-call-2026-02-04", EventRelationKind.CONCURRENT)
    ]
    follows = await store.related(
        Related.EVENT_RELATIONS,
        [world.video_call, world.visit],
        relation_kind=EventRelationKind.FOLLOWS,
    )
    assert follows[world.video_call] == []
    assert [row["slug"] for row in follows[world.visit]] == ["xi-putin-video-call-2026-02-04"]


async def test_every_batched_read_is_one_statement(store: Store, world: World) -> None:
    for relation in Related:
        store.executed = 0
        await store.related(relation, [world.video_call, world.xi, world.new_start, world.energy])
        assert store.executed == 1, relation
    for connection in Connection:
        store.executed = 0
        await store.list_by_parent(connection, [world.video_call, world.xi, world.new_start])
        assert store.executed == 1, connection
    for entity in Entity:
        store.executed = 0
        await store.list(entity, page=PageRequest(first=2))
        assert store.executed == 1, entity
