"""The store over the seed corpus (the Euronews article of 2026-02-04), loaded by the loader."""

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT
from api.store.entities import Entity
from api.store.pagination import PageRequest
from api.store.reads import Store
from api.store.relations import Connection
from api.vocabulary import TreatyStatus


@pytest.fixture
async def seeded(engine: AsyncEngine, store: Store) -> Store:
    await load_fixtures(engine, [PROJECT_ROOT / "fixtures" / "seed"])
    return store


async def test_putin_by_any_name(seeded: Store) -> None:
    for name in ("poutine", "Putin", "Путин", "普京"):
        page = await seeded.list(Entity.PARTICIPANT, {"name": {"contains": name}})
        assert [row["slug"] for row in page.rows] == ["vladimir-putin"], name


async def test_the_video_call_reads_in_article_order(seeded: Store) -> None:
    (call,) = (await seeded.by_slugs(Entity.EVENT, ["xi-putin-video-call-2026-02-04"])).values()
    pages = await seeded.list_by_parent(
        Connection.EVENT_STATEMENTS, [call["id"]], page=PageRequest(first=100)
    )
    positions = [row["position"] for row in pages[call["id"]].rows]
    assert positions == sorted(positions)
    assert pages[call["id"]].total_count == len(positions) > 10


async def test_french_search_without_accents(seeded: Store) -> None:
    page = await seeded.list(Entity.STATEMENT, {"search": "rapprochement strategique"})
    slugs = {row["slug"] for row in page.rows}
    assert {
        "putin-reaffirms-strategic-rapprochement",
        "xi-reaffirms-strategic-rapprochement",
    } <= slugs


async def test_new_start_status_around_its_expiry(seeded: Store) -> None:
    (treaty,) = (await seeded.by_slugs(Entity.TREATY, ["new-start"])).values()
    for day, status in (
        (date(2026, 2, 4), TreatyStatus.IN_FORCE),
        (date(2026, 2, 5), TreatyStatus.EXPIRED),
        (date(2021, 2, 3), TreatyStatus.IN_FORCE),
    ):
        assert await seeded.treaty_statuses([treaty["id"]], day) == {treaty["id"]: status}
    expired = await seeded.list(Entity.TREATY, {"status": {"eq": TreatyStatus.EXPIRED}})
    assert "new-start" in {row["slug"] for row in expired.rows}


async def test_every_statement_once_across_pages(seeded: Store) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await seeded.list(Entity.STATEMENT, page=PageRequest(first=7, after=after))
        seen += [row["slug"] for row in page.rows]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(seen) == len(set(seen)) == page.total_count
