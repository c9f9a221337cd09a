"""The compiled path answers the change feed as Strawberry's execution does, over a log of
several transactions (the differential corpus reads one load's): tombstones, the types filter,
an export's snapshot, empty pages; it reads a page in one statement, and leaves an expired
cursor, and histories, to Strawberry's execution."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from api.db.change_retention import prune_changes
from api.settings import Settings
from api.store.changes import FeedPosition, Snapshot
from tests.feed.conftest import CHANGE
from tests.feed.test_feed import CALL, HISTORY, edit
from tests.schema.conftest import client_of, counting_statements, serving
from tests.schema.differential import Case, Comparison, compare, plain

PAGE = f"""query ($after: String, $types: [SearchType!], $first: Int) {{
  changes(after: $after, types: $types, first: $first) {{
    __typename
    nodes {{ {CHANGE} node {{ __typename id ... on Event {{ slug title }}
                                     ... on Source {{ title }} }} }}
    edges {{ cursor node {{ cursor nodeId }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}"""


@pytest.fixture
async def app(seeded_url: URL) -> AsyncIterator[Starlette]:
    async with serving(Settings(), seeded_url) as served:
        yield served


async def edited(sql: asyncpg.Connection) -> None:
    """Transactions after the seed load: an update, a source created then deleted (a
    tombstone), another update of the same event."""
    await edit(sql, "an editor", "UPDATE events SET title = 'One' WHERE slug = $1", CALL)
    source = await sql.fetchval(
        "INSERT INTO sources (slug, title, publisher, language) "
        "VALUES ('gone', 'Gone', 'P', 'en') RETURNING id"
    )
    await edit(sql, "a remover", "DELETE FROM sources WHERE id = $1", source)
    await edit(sql, "an editor", "UPDATE events SET title = 'Two' WHERE slug = $1", CALL)


async def compared(app: Starlette, **variables: object) -> Comparison:
    return await compare(app.state.operations, Case(str(variables), PAGE, variables))


def agree(comparison: Comparison, *, compiled: bool = True) -> None:
    assert comparison.agrees, comparison.describe()
    assert comparison.compiled.compiled is compiled, comparison.describe()


async def test_the_paths_agree_on_every_page_of_an_edited_log(
    app: Starlette, sql: asyncpg.Connection
) -> None:
    await edited(sql)
    cursors: list[str | None] = [None]
    tail: list[str] = []
    after: str | None = None
    while True:
        comparison = await compared(app, after=after, first=40)
        agree(comparison)
        page = plain(comparison.reference.body)["data"]["changes"]
        tail = [node["cursor"] for node in page["nodes"]] or tail
        cursors.append(page["pageInfo"]["endCursor"])
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    last = plain(comparison.reference.body)["data"]["changes"]["nodes"]
    assert "DELETE" in {node["op"] for node in last}
    assert any(node["op"] == "DELETE" and node["node"] is None for node in last)
    # Around the edits: every cursor of the tail, with and without types, a page of 0, and
    # an export's snapshot that saw the deletion's transaction but not the update before it.
    positions = [FeedPosition.of_cursor(cursor) for cursor in tail]
    xids = sorted({position.xid for position in positions})
    assert len(xids) >= 3, xids
    for cursor in [*tail, *cursors]:
        for types in (None, ["EVENT"], ["SOURCE", "STATEMENT"], []):
            agree(await compared(app, after=cursor, types=types, first=2))
        agree(await compared(app, after=cursor, first=0))
    start = replace(positions[0], seen=Snapshot(xids[-1] + 1, (xids[-2],)))
    for position in (start, replace(positions[0], seen=Snapshot(xids[-2], (xids[-3],)))):
        for first in (1, 2, 3, 100):
            agree(await compared(app, after=position.cursor(), first=first))
        agree(await compared(app, after=position.cursor(), types=[]))


async def test_a_compiled_feed_page_is_one_statement(app: Starlette) -> None:
    async with client_of(app) as client:
        pages: list[dict[str, Any]] = [{"first": 100}, {"first": 1, "types": ["EVENT"]}]
        for variables in [*pages, {"types": []}]:
            await client.data(PAGE, **variables)
            with counting_statements(app) as executed:
                await client.data(PAGE, **variables)
            assert len(executed) == 1, variables


async def test_an_expired_cursor_and_a_history_are_left_to_strawberry(
    app: Starlette, sql: asyncpg.Connection
) -> None:
    first_page = await compared(app, first=1)
    agree(first_page)
    old = plain(first_page.reference.body)["data"]["changes"]["pageInfo"]["endCursor"]
    await edit(sql, "e", "UPDATE events SET title = 'Pruned' WHERE slug = $1", CALL)
    await edit(sql, "e", "UPDATE events SET title = 'Kept' WHERE slug = $1", CALL)
    assert (await prune_changes(sql, timedelta(0))).changes == 2
    expired = await compared(app, after=old)
    agree(expired, compiled=False)
    assert [error["extensions"]["code"] for error in plain(expired.reference.body)["errors"]] == [
        "CURSOR_EXPIRED"
    ]
    # A reader past the pruned changes, and one from the beginning, are answered compiled.
    agree(await compared(app))
    current = plain((await compared(app)).reference.body)["data"]["changes"]["pageInfo"]
    agree(await compared(app, after=current["endCursor"]))
    history = await compare(
        app.state.operations, Case("history", HISTORY, {"slug": CALL, "first": 2})
    )
    agree(history, compiled=False)
