"""Keyset pagination: whole sets walked both ways with ties and NULLs, flags, cursors, limits."""

import base64
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import tables
from api.store.entities import Entity, FilterSpec
from api.store.errors import StoreInputError
from api.store.ordering import (
    EventOrderField,
    Order,
    OrderDirection,
    ParticipantOrderField,
    StatementOrderField,
    TreatyOrderField,
)
from api.store.pagination import Page, PageRequest
from api.store.reads import Store
from api.store.relations import Connection
from tests.store.conftest import World
from tests.store.corpus import Corpus

ASC, DESC = OrderDirection.ASC, OrderDirection.DESC


async def walk_forward(
    store: Store,
    entity: Entity,
    order: Sequence[Order],
    size: int,
    spec: FilterSpec | None = None,
) -> list[UUID]:
    """Every id, page by page with `first`/`after`, checking the flags on the way."""
    ids: list[UUID] = []
    after = None
    while True:
        page = await store.list(entity, spec, order, PageRequest(first=size, after=after))
        assert page.has_previous_page is (after is not None)
        assert len(page.rows) <= size
        ids += [row["id"] for row in page.rows]
        if not page.has_next_page:
            return ids
        assert len(page.rows) == size
        after = page.end_cursor


async def walk_backward(
    store: Store,
    entity: Entity,
    order: Sequence[Order],
    size: int,
    spec: FilterSpec | None = None,
) -> list[UUID]:
    """Every id, page by page with `last`/`before`, in the connection's order."""
    ids: list[UUID] = []
    before = None
    while True:
        page = await store.list(entity, spec, order, PageRequest(last=size, before=before))
        assert page.has_next_page is (before is not None)
        ids = [row["id"] for row in page.rows] + ids
        if not page.has_previous_page:
            return ids
        assert len(page.rows) == size
        before = page.start_cursor


def expected_order(rows: list[tuple[Any, UUID]], *, descending: bool) -> list[UUID]:
    """(key, id) pairs in the store's order: NULL keys last, ties by id in the same direction."""
    present = sorted((r for r in rows if r[0] is not None), reverse=descending)
    missing = sorted((r for r in rows if r[0] is None), key=lambda r: r[1], reverse=descending)
    return [row_id for _, row_id in present + missing]


@pytest.fixture
async def dated_statements(engine: AsyncEngine) -> list[tuple[date | None, UUID]]:
    """23 statements: said_on has many ties and some NULLs."""
    rows = []
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        speaker = await corpus.participant("speaker", [("Speaker", "en")])
        source = await corpus.source("source")
        for n in range(23):
            said_on = None if n % 5 == 0 else date(2026, 1, 1) + timedelta(days=n % 3)
            statement = await corpus.statement(
                f"s-{n}", f"text {n}", speaker=speaker, source=source, said_on=said_on
            )
            rows.append((said_on, statement))
    return rows


@pytest.mark.parametrize("direction", [ASC, DESC])
@pytest.mark.parametrize("size", [1, 4, 23, 100])
async def test_walk_a_nullable_key_both_ways(
    store: Store,
    dated_statements: list[tuple[date | None, UUID]],
    direction: OrderDirection,
    size: int,
) -> None:
    order = [Order(StatementOrderField.SAID_ON, direction)]
    expected = expected_order(dated_statements, descending=direction is DESC)
    assert await walk_forward(store, Entity.STATEMENT, order, size) == expected
    assert await walk_backward(store, Entity.STATEMENT, order, size) == expected


async def test_default_statement_order_is_newest_first_undated_last(
    store: Store, dated_statements: list[tuple[date | None, UUID]]
) -> None:
    expected = expected_order(dated_statements, descending=True)
    assert await walk_forward(store, Entity.STATEMENT, [], 5) == expected


async def test_walk_with_two_keys_and_a_filter(store: Store, engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        rows = []
        for n in range(17):
            title = f"title {n % 4}"
            start = date(2026, 1, 1) + timedelta(days=n % 2)
            event = await corpus.event(f"e-{n}", start, title=title)
            rows.append((start, title, event))
        await corpus.event("excluded", date(2026, 1, 1), title="other")
    order = [Order(EventOrderField.START_DATE, DESC), Order(EventOrderField.TITLE, ASC)]
    spec = {"title": {"starts_with": "title"}}
    # start_date DESC, then title ASC, then id ASC (the direction of the last key).
    rows.sort(key=lambda r: (r[1], r[2]))
    rows.sort(key=lambda r: r[0], reverse=True)
    expected = [r[2] for r in rows]
    assert await walk_forward(store, Entity.EVENT, order, 3, spec) == expected
    assert await walk_backward(store, Entity.EVENT, order, 3, spec) == expected


async def test_computed_and_nullable_keys(store: Store, engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        names = ["Émile", "emile", "Zoé", "alice", "Bob", "bob"]
        people = [
            (name.lower().replace("é", "e"), await corpus.participant(f"p-{n}", [(name, "fr")]))
            for n, name in enumerate(names)
        ]
        nameless = await corpus.insert(tables.participants, slug="nameless", kind="PERSON")
        treaties = []
        for n in range(7):
            expires = None if n % 3 == 0 else date(2030, 1, 1 + n % 2)
            treaty = await corpus.treaty(f"t-{n}", [(f"T{n}", "en")], expires_on=expires)
            treaties.append((expires, treaty))
    by_name = expected_order([*people, (None, nameless)], descending=False)
    order = [Order(ParticipantOrderField.NAME, ASC)]
    assert await walk_forward(store, Entity.PARTICIPANT, order, 2) == by_name
    assert await walk_backward(store, Entity.PARTICIPANT, order, 2) == by_name
    for direction in (ASC, DESC):
        order = [Order(TreatyOrderField.EXPIRES_ON, direction)]
        expected = expected_order(treaties, descending=direction is DESC)
        assert await walk_forward(store, Entity.TREATY, order, 2) == expected
        assert await walk_backward(store, Entity.TREATY, order, 3) == expected


async def test_page_flags_counts_and_cursors(
    store: Store, dated_statements: list[tuple[date | None, UUID]]
) -> None:
    first = await store.list(Entity.STATEMENT, page=PageRequest(first=10))
    assert (first.has_previous_page, first.has_next_page, first.total_count) == (False, True, 23)
    assert len(first.cursors) == 10
    assert (first.start_cursor, first.end_cursor) == (first.cursors[0], first.cursors[-1])
    middle = await store.list(Entity.STATEMENT, page=PageRequest(first=10, after=first.end_cursor))
    assert (middle.has_previous_page, middle.has_next_page) == (True, True)
    last = await store.list(Entity.STATEMENT, page=PageRequest(first=10, after=middle.end_cursor))
    assert (len(last.rows), last.has_previous_page, last.has_next_page) == (3, True, False)
    beyond = await store.list(Entity.STATEMENT, page=PageRequest(after=last.end_cursor))
    assert beyond.rows == ()
    assert beyond.cursors == ()
    assert (beyond.has_previous_page, beyond.has_next_page, beyond.total_count) == (
        True,
        False,
        23,
    )
    assert (beyond.start_cursor, beyond.end_cursor) == (None, None)
    # Paging back from the end of the first page returns to the start.
    back = await store.list(Entity.STATEMENT, page=PageRequest(last=10, before=middle.start_cursor))
    assert [row["id"] for row in back.rows] == [row["id"] for row in first.rows]
    assert (back.has_previous_page, back.has_next_page) == (False, True)
    # No size: the default page size; zero: no rows, but the counts and flags still hold.
    assert len((await store.list(Entity.STATEMENT)).rows) == 20
    none = await store.list(Entity.STATEMENT, page=PageRequest(first=0))
    assert (none.rows, none.has_next_page, none.total_count) == ((), True, 23)


async def test_empty_set(store: Store) -> None:
    page = await store.list(Entity.EVENT)
    assert page.rows == ()
    assert (page.has_next_page, page.has_previous_page, page.total_count) == (False, False, 0)


async def test_after_and_before_together(
    store: Store, dated_statements: list[tuple[date | None, UUID]]
) -> None:
    everything = await store.list(Entity.STATEMENT, page=PageRequest(first=23))
    cursors = everything.cursors
    between = await store.list(
        Entity.STATEMENT, page=PageRequest(first=10, after=cursors[2], before=cursors[8])
    )
    assert [row["id"] for row in between.rows] == [row["id"] for row in everything.rows[3:8]]


async def test_cursors_are_stable_under_inserts(
    store: Store, engine: AsyncEngine, dated_statements: list[tuple[date | None, UUID]]
) -> None:
    order = [Order(StatementOrderField.SAID_ON, ASC)]
    first = await store.list(Entity.STATEMENT, None, order, PageRequest(first=5))
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        speaker = await corpus.participant("late", [("Late", "en")])
        source = await corpus.source("late-source")
        await corpus.statement(
            "early", "x", speaker=speaker, source=source, said_on=date(2000, 1, 1)
        )
    second = await store.list(
        Entity.STATEMENT, None, order, PageRequest(first=5, after=first.end_cursor)
    )
    expected = expected_order(dated_statements, descending=False)
    assert [row["id"] for row in second.rows] == expected[5:10]
    assert second.total_count == 24


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PageRequest(first=1, last=1), "not both"),
        (PageRequest(first=-1), "negative"),
        (PageRequest(last=-5), "negative"),
        (PageRequest(first=101), "at most 100"),
        (PageRequest(last=1000), "at most 100"),
        (PageRequest(after="not a cursor!"), "malformed"),
        (PageRequest(after=base64.urlsafe_b64encode(b"{}").decode()), "malformed"),
        (PageRequest(before=base64.urlsafe_b64encode(b'["x", 1]').decode()), "malformed"),
        (PageRequest(after=""), "malformed"),
    ],
)
async def test_bad_page_requests(store: Store, request_: PageRequest, message: str) -> None:
    with pytest.raises(StoreInputError, match=message):
        await store.list(Entity.EVENT, page=request_)


async def test_cursor_only_works_where_it_was_made(store: Store, world: World) -> None:
    events = await store.list(Entity.EVENT, page=PageRequest(first=1))
    cursor = events.end_cursor
    assert cursor is not None
    by_title = [Order(EventOrderField.TITLE)]
    with pytest.raises(StoreInputError, match="another connection or ordering"):
        await store.list(Entity.EVENT, None, by_title, PageRequest(after=cursor))
    with pytest.raises(StoreInputError, match="another connection or ordering"):
        await store.list(
            Entity.EVENT, None, [Order(EventOrderField.START_DATE, ASC)], PageRequest(after=cursor)
        )
    with pytest.raises(StoreInputError, match="another connection or ordering"):
        await store.list_by_parent(
            Connection.PARTICIPANT_EVENTS, [world.xi], page=PageRequest(after=cursor)
        )
    searched = await store.list(Entity.EVENT, {"search": "Poutine"}, page=PageRequest(first=1))
    with pytest.raises(StoreInputError, match="another connection or ordering"):
        await store.list(
            Entity.EVENT, {"search": "Trump"}, page=PageRequest(after=searched.end_cursor)
        )
    # The same connection and ordering accept it, whatever the filter.
    page = await store.list(
        Entity.EVENT, {"kind": {"eq": "MEETING"}}, page=PageRequest(after=cursor)
    )
    assert isinstance(page, Page)


async def test_tampered_cursor_values_are_rejected(store: Store, world: World) -> None:
    page = await store.list(Entity.EVENT, page=PageRequest(first=1))
    assert page.end_cursor is not None
    payload = base64.urlsafe_b64decode(page.end_cursor + "==").decode()
    tag = payload.split(",")[0]
    for values in ('"2026-13-01","00000000000000000000000000000000"', 'null,"x"', "1,2"):
        forged = base64.urlsafe_b64encode(f"[{tag},{values}]".encode()).decode().rstrip("=")
        with pytest.raises(StoreInputError, match="malformed"):
            await store.list(Entity.EVENT, page=PageRequest(after=forged))
