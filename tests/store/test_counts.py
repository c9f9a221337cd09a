"""Event counts by each dimension, with a filter, in bucket order, in one statement."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.counts import Bucket, EventGroupBy
from api.store.reads import Store
from api.vocabulary import ParticipantKind, ParticipationRole
from tests.store.conftest import World
from tests.store.corpus import Corpus


async def test_time_buckets_are_chronological(store: Store, world: World) -> None:
    assert await store.event_counts(None, EventGroupBy.YEAR) == [Bucket("2026", "2026", 4)]
    assert await store.event_counts(None, EventGroupBy.MONTH) == [
        Bucket("2026-01", "January 2026", 1),
        Bucket("2026-02", "February 2026", 3),
    ]


async def test_enum_buckets(store: Store, world: World) -> None:
    assert await store.event_counts(None, EventGroupBy.KIND) == [
        Bucket("MEETING", "Meeting", 2),
        Bucket("OTHER", "Other", 1),
        Bucket("STATE_VISIT", "State visit", 1),
    ]
    assert await store.event_counts(None, EventGroupBy.STATUS) == [
        Bucket("HELD", "Held", 2),
        Bucket("PLANNED", "Planned", 2),
    ]
    formats = await store.event_counts({"kind": {"eq": "MEETING"}}, EventGroupBy.FORMAT)
    assert formats == [Bucket("PHONE", "Phone", 1), Bucket("VIDEO", "Video", 1)]


async def test_topic_and_participant_buckets(store: Store, world: World) -> None:
    assert await store.event_counts(None, EventGroupBy.TOPIC) == [
        Bucket("arms-control", "Contrôle des armements", 1),
        Bucket("energy", "Énergie", 1),
        Bucket("security", "Sécurité", 1),
    ]
    assert await store.event_counts(None, EventGroupBy.PARTICIPANT) == [
        Bucket("xi-jinping", "Xi Jinping", 3),
        Bucket("vladimir-putin", "Vladimir Poutine", 2),
        Bucket("donald-trump", "Donald Trump", 1),
        Bucket("russia", "Russie", 1),
        Bucket("united-states", "États-Unis", 1),
    ]


async def test_country_buckets(store: Store, world: World) -> None:
    # The visit is located in China: it counts for China only, not for Putin's Russia.
    # The others count for their participants' countries, once per event.
    assert await store.event_counts(None, EventGroupBy.COUNTRY) == [
        Bucket("china", "Chine", 3),
        Bucket("russia", "Russie", 2),
        Bucket("united-states", "États-Unis", 2),
    ]
    visit_only = {"kind": {"eq": "STATE_VISIT"}}
    assert await store.event_counts(visit_only, EventGroupBy.COUNTRY) == [
        Bucket("china", "Chine", 1)
    ]


async def test_events_without_the_dimension_fall_in_no_bucket(
    store: Store, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        stateless = await corpus.participant("stateless", [("Stateless", "en")])
        un = await corpus.participant("un", [("UN", "en")], kind=ParticipantKind.ORGANIZATION)
        await corpus.event(
            "lonely",
            date(2025, 12, 31),
            participants={stateless: ParticipationRole.HOST, un: ParticipationRole.GUEST},
        )
    assert await store.event_counts(None, EventGroupBy.COUNTRY) == []
    assert await store.event_counts(None, EventGroupBy.TOPIC) == []
    assert await store.event_counts(None, EventGroupBy.MONTH) == [
        Bucket("2025-12", "December 2025", 1)
    ]
    assert await store.event_counts({"kind": {"eq": "SUMMIT"}}, EventGroupBy.YEAR) == []


async def test_every_grouping_is_one_statement(
    store: Store, world: World, statement_log: list[str]
) -> None:
    for group_by in EventGroupBy:
        statement_log.clear()
        await store.event_counts({"title": {"contains": "xi"}}, group_by)
        assert len(statement_log) == 1, group_by
