"""Treaty status as of a date (api.store.treaties.status_as_of), read through the store: the
one SQL expression both read paths and the filter use."""

from datetime import date
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store.reads import Store
from api.vocabulary import TreatyMilestoneKind, TreatyStatus
from tests.store.corpus import Corpus

M = TreatyMilestoneKind
S = TreatyStatus

# Signed, in force, extended (which moved the expiry), then expired: New START's life.
LIFE = [
    (M.SIGNED, date(2010, 4, 8)),
    (M.ENTERED_INTO_FORCE, date(2011, 2, 5)),
    (M.EXTENDED, date(2021, 2, 3)),
    (M.EXPIRED, date(2026, 2, 5)),
]
EXPECTED_LIFE = [
    (date(2010, 4, 7), S.PROPOSED),
    (date(2010, 4, 8), S.SIGNED),
    (date(2011, 2, 4), S.SIGNED),
    (date(2011, 2, 5), S.IN_FORCE),
    (date(2021, 2, 3), S.IN_FORCE),
    (date(2026, 2, 4), S.IN_FORCE),
    (date(2026, 2, 5), S.EXPIRED),
    (date(2030, 1, 1), S.EXPIRED),
]


LIVES: dict[str, tuple[list[tuple[TreatyMilestoneKind, date]], date | None]] = {
    "life": (LIFE, date(2026, 2, 5)),
    "lapsing": ([(M.ENTERED_INTO_FORCE, date(2020, 1, 1))], date(2021, 1, 1)),
    "same-day": ([(M.ENTERED_INTO_FORCE, date(2020, 1, 1)), (M.SIGNED, date(2020, 1, 1))], None),
    "suspended": (
        [
            (M.ENTERED_INTO_FORCE, date(2000, 1, 1)),
            (M.SUSPENDED, date(2023, 2, 21)),
            (M.TERMINATED, date(2025, 1, 1)),
        ],
        date(2024, 1, 1),
    ),
    "proposed": ([], None),
}


@pytest.fixture
async def treaties(engine: AsyncEngine) -> dict[str, UUID]:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        return {
            slug: await corpus.treaty(
                slug, [(slug, "en")], expires_on=expires_on, milestones=milestones
            )
            for slug, (milestones, expires_on) in LIVES.items()
        }


async def status(store: Store, treaty: UUID, as_of: date) -> TreatyStatus:
    return (await store.treaty_statuses([treaty], as_of))[treaty]


@pytest.mark.parametrize(("as_of", "expected"), EXPECTED_LIFE)
async def test_a_treaty_extended_then_expired(
    store: Store, treaties: dict[str, UUID], as_of: date, expected: TreatyStatus
) -> None:
    assert await status(store, treaties["life"], as_of) is expected


async def test_in_force_past_its_expiry_is_expired(store: Store, treaties: dict[str, UUID]) -> None:
    assert await status(store, treaties["lapsing"], date(2021, 1, 1)) is S.IN_FORCE
    assert await status(store, treaties["lapsing"], date(2021, 1, 2)) is S.EXPIRED


async def test_suspension_and_termination(store: Store, treaties: dict[str, UUID]) -> None:
    # A suspended treaty is suspended even past its expiry; only IN_FORCE lapses.
    assert await status(store, treaties["suspended"], date(2024, 6, 1)) is S.SUSPENDED
    assert await status(store, treaties["suspended"], date(2025, 1, 1)) is S.TERMINATED


async def test_milestones_on_the_same_day_follow_the_lifecycle(
    store: Store, treaties: dict[str, UUID]
) -> None:
    assert await status(store, treaties["same-day"], date(2020, 1, 1)) is S.IN_FORCE


async def test_no_milestone_yet_is_proposed(store: Store, treaties: dict[str, UUID]) -> None:
    assert await status(store, treaties["proposed"], date(2030, 1, 1)) is S.PROPOSED


async def test_one_statement_for_every_treaty(store: Store, treaties: dict[str, UUID]) -> None:
    before = store.executed
    found = await store.treaty_statuses(list(treaties.values()), date(2026, 2, 4))
    assert store.executed == before + 1
    assert {slug: found[treaty] for slug, treaty in treaties.items()} == {
        "life": S.IN_FORCE,
        "lapsing": S.EXPIRED,
        "same-day": S.IN_FORCE,
        "suspended": S.TERMINATED,
        "proposed": S.PROPOSED,
    }
