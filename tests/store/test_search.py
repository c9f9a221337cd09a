"""Full-text search in every statement's own language, RELEVANCE ordering, and the ranked mix."""

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store import search
from api.store.entities import Entity
from api.store.errors import StoreInputError
from api.store.ordering import EventOrderField, Order, OrderDirection, StatementOrderField
from api.store.pagination import PageRequest
from api.store.reads import Store
from api.store.relations import Connection
from tests.store.conftest import World
from tests.store.corpus import Corpus


async def found(store: Store, entity: Entity, text: str) -> set[str]:
    page = await store.list(entity, {"search": text}, page=PageRequest(first=100))
    return {row["slug"] for row in page.rows}


async def test_french_search_ignores_accents_and_stems(store: Store, world: World) -> None:
    # "évènements" in the statement; stemmed and unaccented in French either way.
    for text in ("évènements", "evenements", "événement", "evenement", "EVENEMENT"):
        assert await found(store, Entity.STATEMENT, text) == {"putin-quote-1"}, text
    # Stemming: "énergétique" and "coordonner" are not in the query's exact form.
    assert await found(store, Entity.STATEMENT, "coordination strategique") == {"xi-quote-1"}
    assert await found(store, Entity.STATEMENT, "Poutine") == {"ushakov-report-1"}
    assert await found(store, Entity.STATEMENT, "poutine") == {"ushakov-report-1"}


async def test_each_statement_is_stemmed_in_its_own_language(store: Store, world: World) -> None:
    assert await found(store, Entity.STATEMENT, "expiring") == {"peskov-quote-1"}
    assert await found(store, Entity.STATEMENT, "regret") == {"peskov-quote-1"}


async def test_web_search_syntax(store: Store, world: World) -> None:
    assert await found(store, Entity.STATEMENT, '"coordination stratégique"') == {"xi-quote-1"}
    assert await found(store, Entity.STATEMENT, "Chine -Russie") == set()
    assert await found(store, Entity.STATEMENT, "Chine or Moscow") == {
        "xi-quote-1",
        "peskov-quote-1",
    }


async def test_event_search_covers_title_summary_and_statements(store: Store, world: World) -> None:
    assert await found(store, Entity.EVENT, "visioconference") == {"xi-putin-video-call-2026-02-04"}
    assert await found(store, Entity.EVENT, "evenements recents") == {
        "xi-putin-video-call-2026-02-04"
    }
    # Only a statement of the call says "stratégique".
    assert await found(store, Entity.EVENT, "stratégique") == {"xi-putin-video-call-2026-02-04"}
    assert await found(store, Entity.EVENT, "Poutine") == {
        "xi-putin-video-call-2026-02-04",
        "putin-visit-to-china-2026",
    }


async def test_relevance_is_the_default_order_with_search(
    store: Store, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        await corpus.event("once", date(2026, 1, 3), title="Sommet", summary="gaz")
        await corpus.event("title", date(2026, 1, 1), title="Sommet du gaz", summary="Le gaz.")
        await corpus.event("none", date(2026, 1, 2), title="Sommet")
    page = await store.list(Entity.EVENT, {"search": "gaz"})
    assert [row["slug"] for row in page.rows] == ["title", "once"]
    assert page.rows[0]["rank"] > page.rows[1]["rank"]
    ascending = await store.list(
        Entity.EVENT, {"search": "gaz"}, [Order(EventOrderField.RELEVANCE, OrderDirection.ASC)]
    )
    assert [row["slug"] for row in ascending.rows] == ["once", "title"]
    # Pages of a relevance ordering follow on from each other.
    first = await store.list(Entity.EVENT, {"search": "gaz"}, page=PageRequest(first=1))
    rest = await store.list(
        Entity.EVENT, {"search": "gaz"}, page=PageRequest(first=1, after=first.end_cursor)
    )
    assert [row["slug"] for row in rest.rows] == ["once"]
    assert not rest.has_next_page


async def test_event_relevance_adds_the_best_statement(store: Store, engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        speaker = await corpus.participant("speaker", [("Speaker", "en")])
        source = await corpus.source("source")
        quiet = await corpus.event("quiet", date(2026, 1, 1), title="Pétrole")
        talked = await corpus.event("talked", date(2026, 1, 1), title="Pétrole")
        await corpus.statement(
            "s", "Le pétrole, le pétrole.", speaker=speaker, source=source, event=talked
        )
    page = await store.list(Entity.EVENT, {"search": "petrole"})
    assert [row["id"] for row in page.rows] == [talked, quiet]


async def test_relevance_needs_a_search(store: Store, world: World) -> None:
    with pytest.raises(StoreInputError, match="RELEVANCE"):
        await store.list(Entity.EVENT, None, [Order(EventOrderField.RELEVANCE)])
    with pytest.raises(StoreInputError, match="RELEVANCE"):
        await store.list_by_parent(
            Connection.EVENT_STATEMENTS,
            [world.video_call],
            {"and": [{"search": "Chine"}]},
            [Order(StatementOrderField.RELEVANCE)],
        )
    nested = await store.list_by_parent(
        Connection.EVENT_STATEMENTS,
        [world.video_call],
        {"search": "Chine"},
        [Order(StatementOrderField.RELEVANCE, OrderDirection.DESC)],
    )
    assert [row["slug"] for row in nested[world.video_call].rows] == ["xi-quote-1"]


async def test_search_mix(store: Store, world: World) -> None:
    hits = await store.search("Poutine")
    kinds = [(hit.entity, hit.row["slug"]) for hit in hits]
    # The person by name first (an exact word), then what mentions him.
    assert kinds[0] == (Entity.PARTICIPANT, "vladimir-putin")
    assert set(kinds[1:]) == {
        (Entity.EVENT, "xi-putin-video-call-2026-02-04"),
        (Entity.EVENT, "putin-visit-to-china-2026"),
        (Entity.STATEMENT, "ushakov-report-1"),
    }
    ranks = [hit.rank for hit in hits]
    assert ranks == sorted(ranks, reverse=True)
    assert [hit.row["slug"] for hit in await store.search("Путин")] == ["vladimir-putin"]
    assert [hit.row["slug"] for hit in await store.search("start III")] == ["new-start"]
    labels = await store.search("energie", [Entity.TOPIC])
    assert [(hit.entity, hit.row["slug"]) for hit in labels] == [(Entity.TOPIC, "energy")]
    assert len(await store.search("Poutine", first=2)) == 2
    assert await store.search("Poutine", []) == []


async def test_search_mix_is_one_statement_per_type(store: Store, world: World) -> None:
    await store.search("Poutine")
    assert store.executed == 5
    store.executed = 0
    await store.search("Poutine", [Entity.PARTICIPANT, Entity.EVENT])
    assert store.executed == 2


@pytest.mark.parametrize("first", [-1, 101])
async def test_search_mix_checks_its_size(store: Store, first: int) -> None:
    with pytest.raises(StoreInputError):
        await store.search("Poutine", first=first)


async def test_search_mix_needs_text(store: Store) -> None:
    with pytest.raises(StoreInputError):
        await store.search("  ")


async def test_the_mix_compares_names_with_two_characters_or_more(
    store: Store, engine: AsyncEngine
) -> None:
    # A one-letter trigram query is like most names: names are not searched for it.
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        await corpus.participant("letter-a", [("A", "en")])
        await corpus.participant("letters-ab", [("Ab", "en")])
    assert await store.search(" a ", [Entity.PARTICIPANT]) == []
    found = await store.search("ab", [Entity.PARTICIPANT])
    assert [hit.row["slug"] for hit in found] == ["letters-ab"]


async def test_the_mix_ranks_a_bounded_number_of_full_text_matches(
    store: Store, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A common word matches a large part of the corpus: only the first RANKED_MATCHES rows
    # the index finds are ranked (here 3 of the 5 that match), so the work has a bound.
    monkeypatch.setattr(search, "RANKED_MATCHES", 3)
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        speaker = await corpus.participant("speaker", [("Speaker", "en")])
        source = await corpus.source("source")
        for number in range(5):
            await corpus.statement(f"s{number}", "Le pétrole.", speaker=speaker, source=source)
    statements = await store.search("petrole", [Entity.STATEMENT], first=20)
    assert len(statements) == 3
    page = await store.list(Entity.STATEMENT, {"search": "petrole"}, page=PageRequest(first=20))
    assert len(page.rows) == 5  # a filter's search is not bounded: every match is listed
