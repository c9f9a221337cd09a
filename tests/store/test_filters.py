"""The filter compiler, through `Store.list`: each operator, relation quantifier and combinator."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.entities import Entity
from api.store.errors import StoreInputError
from api.store.pagination import PageRequest
from api.store.reads import Store
from api.vocabulary import EventKind, EventStatus, ParticipantKind, TreatyMilestoneKind
from tests.store.conftest import World
from tests.store.corpus import Corpus

ALL = PageRequest(first=100)


async def slugs(store: Store, entity: Entity, spec: dict[str, Any]) -> set[str]:
    page = await store.list(entity, spec, page=ALL)
    return {row["slug"] for row in page.rows}


EVENTS = {
    "xi-putin-video-call-2026-02-04",
    "xi-trump-phone-call-2026-02-04",
    "new-start-expiry",
    "putin-visit-to-china-2026",
}


async def test_no_filter_and_empty_filter_return_everything(store: Store, world: World) -> None:
    assert await slugs(store, Entity.EVENT, {}) == EVENTS
    assert await slugs(store, Entity.EVENT, {"title": None, "kind": {"eq": None}}) == EVENTS


async def test_id_filter(store: Store, world: World) -> None:
    assert await slugs(store, Entity.EVENT, {"id": {"eq": world.visit}}) == {
        "putin-visit-to-china-2026"
    }
    found = await slugs(store, Entity.EVENT, {"id": {"in": [world.visit, str(world.trump_call)]}})
    assert found == {"putin-visit-to-china-2026", "xi-trump-phone-call-2026-02-04"}
    assert await slugs(store, Entity.EVENT, {"id": {"in": []}}) == set()


async def test_string_operators(store: Store, world: World) -> None:
    async def titles(operators: dict[str, Any]) -> set[str]:
        return await slugs(store, Entity.EVENT, {"title": operators})

    assert await titles({"eq": "Expiration du traité New START"}) == {"new-start-expiry"}
    assert await titles({"ne": "Expiration du traité New START"}) == EVENTS - {"new-start-expiry"}
    assert await titles({"in": ["Expiration du traité New START", "nope"]}) == {"new-start-expiry"}
    assert await titles({"starts_with": "appel"}) == {"xi-trump-phone-call-2026-02-04"}
    assert await titles({"is_null": False}) == EVENTS
    assert await titles({"is_null": True}) == set()


async def test_contains_ignores_case_and_accents(store: Store, world: World) -> None:
    assert await slugs(store, Entity.EVENT, {"title": {"contains": "poutine"}}) == {
        "xi-putin-video-call-2026-02-04",
        "putin-visit-to-china-2026",
    }
    assert await slugs(store, Entity.EVENT, {"title": {"contains": "TRAITE"}}) == {
        "new-start-expiry"
    }
    statements = await slugs(store, Entity.STATEMENT, {"text": {"contains": "evenements"}})
    assert statements == {"putin-quote-1"}


async def test_contains_treats_wildcards_literally(engine: AsyncEngine, store: Store) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        await corpus.event("percent", date(2026, 1, 1), title="100% sûr")
        await corpus.event("plain", date(2026, 1, 1), title="100 ans")
    assert await slugs(store, Entity.EVENT, {"title": {"contains": "0%"}}) == {"percent"}
    assert await slugs(store, Entity.EVENT, {"title": {"contains": "_"}}) == set()


async def test_int_operators(store: Store, world: World) -> None:
    async def durations(operators: dict[str, Any]) -> set[str]:
        return await slugs(store, Entity.EVENT, {"duration_minutes": operators})

    call = {"xi-putin-video-call-2026-02-04"}
    assert await durations({"eq": 85}) == call
    assert await durations({"gt": 84}) == call
    assert await durations({"gt": 85}) == set()
    assert await durations({"gte": 85, "lte": 85}) == call
    assert await durations({"lt": 86}) == call
    assert await durations({"is_null": True}) == EVENTS - call


async def test_date_operators(store: Store, world: World) -> None:
    async def starting(operators: dict[str, Any]) -> set[str]:
        return await slugs(store, Entity.EVENT, {"start_date": operators})

    assert await starting({"eq": date(2026, 2, 5)}) == {"new-start-expiry"}
    assert await starting({"gt": date(2026, 2, 4)}) == {"new-start-expiry"}
    assert await starting({"gte": date(2026, 2, 4)}) == EVENTS - {"putin-visit-to-china-2026"}
    assert await starting({"lt": date(2026, 2, 4)}) == {"putin-visit-to-china-2026"}
    assert await starting({"lte": date(2026, 1, 1)}) == {"putin-visit-to-china-2026"}
    undated = await slugs(store, Entity.STATEMENT, {"said_on": {"is_null": True}})
    assert undated == {"ushakov-report-1"}


async def test_datetime_operators(store: Store, world: World) -> None:
    now = datetime.now(UTC)
    assert await slugs(store, Entity.EVENT, {"updated_at": {"lte": now}}) == EVENTS
    assert await slugs(store, Entity.EVENT, {"updated_at": {"gt": now}}) == set()
    published = {"published_at": {"eq": datetime(2026, 2, 4, 12, tzinfo=UTC)}}
    assert await slugs(store, Entity.SOURCE, published) == {"euronews-xi-putin"}


async def test_enum_operators(store: Store, world: World) -> None:
    assert await slugs(store, Entity.EVENT, {"kind": {"eq": EventKind.STATE_VISIT}}) == {
        "putin-visit-to-china-2026"
    }
    planned = await slugs(store, Entity.EVENT, {"status": {"in": [EventStatus.PLANNED]}})
    assert planned == {"putin-visit-to-china-2026", "new-start-expiry"}
    countries = await slugs(store, Entity.PARTICIPANT, {"kind": {"eq": "COUNTRY"}})
    assert countries == {"china", "russia", "united-states"}


async def test_single_relations(store: Store, world: World) -> None:
    by_putin = await slugs(store, Entity.STATEMENT, {"speaker": {"slug": {"eq": "vladimir-putin"}}})
    assert by_putin == {"putin-quote-1", "ushakov-report-1"}
    relayed = await slugs(store, Entity.STATEMENT, {"reported_by": {"name": {"contains": "ouch"}}})
    assert relayed == {"ushakov-report-1"}
    at_call = await slugs(store, Entity.STATEMENT, {"event": {"format": {"eq": "VIDEO"}}})
    assert at_call == {"putin-quote-1", "xi-quote-1", "ushakov-report-1"}
    russians = await slugs(store, Entity.PARTICIPANT, {"country": {"slug": {"eq": "russia"}}})
    assert russians == {"vladimir-putin", "dmitri-peskov", "iouri-ouchakov"}
    children = await slugs(store, Entity.TOPIC, {"parent": {"label": {"eq": "Security"}}})
    assert children == {"arms-control"}


async def test_name_matches_every_alias_in_every_language(store: Store, world: World) -> None:
    for name in ("Poutine", "Putin", "Путин", "poutine", "PUTIN"):
        assert await slugs(store, Entity.PARTICIPANT, {"name": {"contains": name}}) == {
            "vladimir-putin"
        }, name
    assert await slugs(store, Entity.TREATY, {"name": {"eq": "START-III"}}) == {"new-start"}
    assert await slugs(store, Entity.TOPIC, {"label": {"starts_with": "energ"}}) == {"energy"}


async def test_list_relation_quantifiers(store: Store, world: World) -> None:
    xi_attended = {"participants": {"some": {"slug": {"eq": "xi-jinping"}}}}
    assert await slugs(store, Entity.EVENT, xi_attended) == {
        "xi-putin-video-call-2026-02-04",
        "xi-trump-phone-call-2026-02-04",
        "putin-visit-to-china-2026",
    }
    only_countries = {"participants": {"every": {"kind": {"eq": ParticipantKind.COUNTRY}}}}
    assert await slugs(store, Entity.EVENT, only_countries) == {"new-start-expiry"}
    no_trump = {"participants": {"none": {"name": {"contains": "trump"}}}}
    assert await slugs(store, Entity.EVENT, no_trump) == EVENTS - {"xi-trump-phone-call-2026-02-04"}
    quoted = {"statements": {"some": {"kind": {"eq": "PARAPHRASE"}}}}
    assert await slugs(store, Entity.EVENT, quoted) == {"xi-putin-video-call-2026-02-04"}
    # `every` holds vacuously for an event without statements.
    all_dated = {"statements": {"every": {"said_on": {"is_null": False}}}}
    assert await slugs(store, Entity.EVENT, all_dated) == EVENTS - {
        "xi-putin-video-call-2026-02-04"
    }
    on_arms = {"topics": {"some": {"parent": {"slug": {"eq": "security"}}}}}
    assert await slugs(store, Entity.EVENT, on_arms) == {"new-start-expiry"}
    about_start = {"treaties": {"some": {"name": {"contains": "new start"}}}}
    assert await slugs(store, Entity.STATEMENT, about_start) == {
        "ushakov-report-1",
        "peskov-quote-1",
    }
    mentions_usa = {"mentions": {"some": {"slug": {"eq": "united-states"}}}}
    assert await slugs(store, Entity.STATEMENT, mentions_usa) == {"ushakov-report-1"}
    on_topics: dict[str, Any] = {"topics": {"some": {}}}
    assert await slugs(store, Entity.STATEMENT, on_topics) == {
        "putin-quote-1",
        "xi-quote-1",
        "ushakov-report-1",
    }
    video_callers = {"events": {"some": {"format": {"eq": "VIDEO"}}}}
    assert await slugs(store, Entity.PARTICIPANT, video_callers) == {
        "xi-jinping",
        "vladimir-putin",
    }
    with_usa = {"parties": {"some": {"slug": {"eq": "united-states"}}}}
    assert await slugs(store, Entity.TREATY, with_usa) == {"new-start"}


async def test_and_or_not(store: Store, world: World) -> None:
    both = {"and": [{"kind": {"eq": "MEETING"}}, {"format": {"eq": "PHONE"}}]}
    assert await slugs(store, Entity.EVENT, both) == {"xi-trump-phone-call-2026-02-04"}
    either = {"or": [{"format": {"eq": "PHONE"}}, {"kind": {"eq": "STATE_VISIT"}}]}
    assert await slugs(store, Entity.EVENT, either) == {
        "xi-trump-phone-call-2026-02-04",
        "putin-visit-to-china-2026",
    }
    assert await slugs(store, Entity.EVENT, {"or": []}) == set()
    assert await slugs(store, Entity.EVENT, {"and": []}) == EVENTS
    assert await slugs(store, Entity.EVENT, {"not": either}) == {
        "xi-putin-video-call-2026-02-04",
        "new-start-expiry",
    }
    # Two-valued `not`: a NULL duration is "not more than an hour".
    assert await slugs(store, Entity.EVENT, {"not": {"duration_minutes": {"gt": 60}}}) == (
        EVENTS - {"xi-putin-video-call-2026-02-04"}
    )


async def test_treaty_status_filter_is_as_of_today(engine: AsyncEngine, store: Store) -> None:
    today = date.today()
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        await corpus.treaty("proposed", [("Proposed", "en")])
        await corpus.treaty(
            "signed-tomorrow-in-force",
            [("Future", "en")],
            milestones=[(TreatyMilestoneKind.SIGNED, today + timedelta(days=1))],
        )
        await corpus.treaty(
            "in-force",
            [("In force", "en")],
            expires_on=today + timedelta(days=30),
            milestones=[(TreatyMilestoneKind.ENTERED_INTO_FORCE, today - timedelta(days=30))],
        )
        await corpus.treaty(
            "lapsed",
            [("Lapsed", "en")],
            expires_on=today - timedelta(days=1),
            milestones=[(TreatyMilestoneKind.ENTERED_INTO_FORCE, today - timedelta(days=30))],
        )
    proposed = await slugs(store, Entity.TREATY, {"status": {"eq": "PROPOSED"}})
    assert proposed == {"proposed", "signed-tomorrow-in-force"}
    assert await slugs(store, Entity.TREATY, {"status": {"in": ["IN_FORCE"]}}) == {"in-force"}
    assert await slugs(store, Entity.TREATY, {"status": {"eq": "EXPIRED"}}) == {"lapsed"}


@pytest.mark.parametrize(
    "spec",
    [
        {"id": {"eq": "not-a-uuid"}},
        {"start_date": {"gt": "2026-02-04"}},
        {"start_date": {"gt": datetime(2026, 2, 4, tzinfo=UTC)}},
        {"updated_at": {"gt": datetime(2026, 2, 4)}},
        {"duration_minutes": {"eq": True}},
        {"kind": {"eq": "PICNIC"}},
        {"title": {"is_null": "yes"}},
        {"title": {"in": "a string"}},
        {"participants": {"some": "xi"}},
        {"search": "   "},
        {"and": [1]},
    ],
)
async def test_bad_values_are_input_errors(store: Store, spec: dict[str, Any]) -> None:
    with pytest.raises(StoreInputError):
        await store.list(Entity.EVENT, spec)


@pytest.mark.parametrize(
    "spec",
    [
        {"colour": {"eq": "red"}},
        {"title": {"like": "x"}},
        {"kind": {"contains": "MEET"}},
        {"participants": {"any": {}}},
    ],
)
async def test_unknown_keys_are_programming_errors(store: Store, spec: dict[str, Any]) -> None:
    with pytest.raises(KeyError):
        await store.list(Entity.EVENT, spec)


async def test_id_filter_on_unknown_id_is_empty(store: Store, world: World) -> None:
    assert await slugs(store, Entity.EVENT, {"id": {"eq": uuid4()}}) == set()
