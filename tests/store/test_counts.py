"""Event counts by each dimension, with a filter, in bucket order, in one statement."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.counts import EventGroupBy
from api.store.entities import Row
from api.store.reads import Store
from api.vocabulary import ParticipantKind, ParticipationRole
from tests.store.conftest import World
from tests.store.corpus import Corpus


def buckets(rows: Sequence[Row]) -> list[tuple[str, str, int]]:
    return [(row["key"], row["label"], row["count"]) for row in rows]


async def test_time_buckets_are_chronological(store: Store, world: World) -> None:
    assert buckets(await store.event_counts(None, EventGroupBy.YEAR)) == [("2026", "2026", 4)]
    assert buckets(await store.event_counts(None, EventGroupBy.MONTH)) == [
        ("2026-01", "January 2026", 1),
        ("2026-02", "February 2026", 3),
    ]


async def test_enum_buckets(store: Store, world: World) -> None:
    assert buckets(await store.event_counts(None, EventGroupBy.KIND)) == [
        ("MEETING", "Meeting", 2),
        ("OTHER", "Other", 1),
        ("STATE_VISIT", "State visit", 1),
    ]
    assert buckets(await store.event_counts(None, EventGroupBy.STATUS)) == [
        ("HELD", "Held", 2),
        ("PLANNED", "Planned", 2),
    ]
    formats = buckets(await store.event_counts({"kind": {"eq": "MEETING"}}, EventGroupBy.FORMAT))
    assert formats == [("PHONE", "Phone", 1), ("VIDEO", "Video", 1)]


async def test_topic_and_participant_buckets(store: Store, world: World) -> None:
    assert buckets(await store.event_counts(None, EventGroupBy.TOPIC)) == [
        ("arms-control", "Contrôle des armements", 1),
        ("energy", "Énergie", 1),
        ("security", "Sécurité", 1),
    ]
    assert buckets(await store.event_counts(None, EventGroupBy.PARTICIPANT)) == [
        ("xi-jinping", "Xi Jinping", 3),
        ("vladimir-putin", "Vladimir Poutine", 2),
        ("donald-trump", "Donald Trump", 1),
        ("russia", "Russie", 1),
        ("united-states", "États-Unis", 1),
    ]


async def test_country_buckets(store: Store, world: World) -> None:
    # The visit is located in China: it counts for China only, not for Putin's Russia.
    # The others count for their participants' countries, once per event.
    assert buckets(await store.event_counts(None, EventGroupBy.COUNTRY)) == [
        ("china", "Chine", 3),
        ("russia", "Russie", 2),
        ("united-states", "États-Unis", 2),
    ]
    visit_only = {"kind": {"eq": "STATE_VISIT"}}
    assert buckets(await store.event_counts(visit_only, EventGroupBy.COUNTRY)) == [
        ("china", "Chine", 1)
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
    assert buckets(await store.event_counts(None, EventGroupBy.COUNTRY)) == []
    assert buckets(await store.event_counts(None, EventGroupBy.TOPIC)) == []
    assert buckets(await store.event_counts(None, EventGroupBy.MONTH)) == [
        ("2025-12", "December 2025", 1)
    ]
    assert buckets(await store.event_counts({"kind": {"eq": "SUMMIT"}}, EventGroupBy.YEAR)) == []


async def test_every_grouping_is_one_statement(store: Store, world: World) -> None:
    for group_by in EventGroupBy:
        store.executed = 0
        buckets(await store.event_counts({"title": {"contains": "xi"}}, group_by))
        assert store.executed == 1, group_by
