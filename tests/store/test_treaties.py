"""Treaty status as of a date: the Python rule and its SQL twin agree around every milestone."""

from datetime import date, timedelta

import pytest
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import tables
from api.store.entities import Row
from api.store.treaties import status_as_of, treaty_status
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


def rows(milestones: list[tuple[TreatyMilestoneKind, date]]) -> list[Row]:
    return [{"kind": kind.name, "date": day} for kind, day in milestones]


@pytest.mark.parametrize(("as_of", "status"), EXPECTED_LIFE)
def test_a_treaty_extended_then_expired(as_of: date, status: TreatyStatus) -> None:
    assert treaty_status(rows(LIFE), date(2026, 2, 5), as_of) is status


def test_in_force_past_its_expiry_is_expired() -> None:
    milestones = rows([(M.ENTERED_INTO_FORCE, date(2020, 1, 1))])
    assert treaty_status(milestones, date(2021, 1, 1), date(2021, 1, 1)) is S.IN_FORCE
    assert treaty_status(milestones, date(2021, 1, 1), date(2021, 1, 2)) is S.EXPIRED
    assert treaty_status(milestones, None, date(2099, 1, 1)) is S.IN_FORCE


def test_suspension_and_termination() -> None:
    milestones = rows(
        [
            (M.ENTERED_INTO_FORCE, date(2000, 1, 1)),
            (M.SUSPENDED, date(2023, 2, 21)),
            (M.TERMINATED, date(2025, 1, 1)),
        ]
    )
    # A suspended treaty is suspended even past its expiry; only IN_FORCE lapses.
    assert treaty_status(milestones, date(2024, 1, 1), date(2024, 6, 1)) is S.SUSPENDED
    assert treaty_status(milestones, None, date(2025, 1, 1)) is S.TERMINATED


def test_milestones_on_the_same_day_follow_the_lifecycle() -> None:
    same_day = rows([(M.ENTERED_INTO_FORCE, date(2020, 1, 1)), (M.SIGNED, date(2020, 1, 1))])
    assert treaty_status(same_day, None, date(2020, 1, 1)) is S.IN_FORCE


async def test_sql_agrees_with_python(engine: AsyncEngine) -> None:
    lives = {
        "life": (LIFE, date(2026, 2, 5)),
        "lapsing": ([(M.ENTERED_INTO_FORCE, date(2020, 1, 1))], date(2021, 1, 1)),
        "same-day": (
            [(M.ENTERED_INTO_FORCE, date(2020, 1, 1)), (M.SIGNED, date(2020, 1, 1))],
            None,
        ),
        "suspended": ([(M.SIGNED, date(2019, 1, 1)), (M.SUSPENDED, date(2020, 6, 1))], None),
        "terminated": ([(M.EXTENDED, date(2019, 1, 1)), (M.TERMINATED, date(2020, 6, 1))], None),
        "proposed": ([], None),
    }
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        for slug, (milestones, expires_on) in lives.items():
            await corpus.treaty(slug, [(slug, "en")], expires_on=expires_on, milestones=milestones)
    days = sorted(
        {day + timedelta(days=shift) for milestones, _ in lives.values() for _, day in milestones
         for shift in (-1, 0, 1)}
        | {date(2021, 1, 2), date(2030, 1, 1)}
    )  # fmt: skip
    treaties = tables.treaties
    async with engine.connect() as connection:
        for day in days:
            result = await connection.execute(
                select(
                    treaties.c.slug,
                    status_as_of(treaties.c.id, treaties.c.expires_on, literal(day)).label(
                        "status"
                    ),
                )
            )
            in_sql = {slug: status for slug, status in result}  # noqa: C416
            for slug, (milestones, expires_on) in lives.items():
                assert in_sql[slug] == treaty_status(rows(milestones), expires_on, day), (slug, day)
