"""What the feed and histories answer: tombstones, order, content, the types filter, bad and
expired cursors, the cost; and the pruning that makes a cursor expire."""

from datetime import timedelta
from typing import Any

import asyncpg

from api.db.change_retention import prune_changes
from api.store.changes import EXPIRED
from schema.global_ids import encode_global_id
from tests.feed.conftest import CHANGE, Feed, fold, live_nodes

CALL = "xi-putin-video-call-2026-02-04"
HISTORY = f"""query ($slug: String!, $first: Int, $after: String) {{
  event(slug: $slug) {{
    history(first: $first, after: $after) {{
      nodes {{ {CHANGE} node {{ id }} }}
      edges {{ cursor node {{ version }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""
NODE_HISTORY = f"""query ($id: ID!) {{
  node(id: $id) {{ history {{ nodes {{ {CHANGE} node {{ id }} }} }} }}
}}"""


async def edit(sql: asyncpg.Connection, actor: str, statement: str, *arguments: Any) -> None:
    async with sql.transaction():
        await sql.execute("SELECT set_config('eventgraph.actor', $1, true)", actor)
        await sql.execute(statement, *arguments)


async def test_a_deletion_is_a_tombstone_in_the_feed_and_in_history(
    feed: Feed, sql: asyncpg.Connection
) -> None:
    _, cursor = await feed.drain()
    source = await sql.fetchval(
        "INSERT INTO sources (slug, title, publisher, language) "
        "VALUES ('gone', 'Gone', 'P', 'en') RETURNING id"
    )
    await edit(sql, "an editor", "UPDATE sources SET title = 'Going' WHERE id = $1", source)
    await edit(sql, "a remover", "DELETE FROM sources WHERE id = $1", source)
    changes, _ = await feed.drain(cursor)
    node = encode_global_id("Source", source)
    assert [(c["nodeId"], c["op"], c["version"], c["node"]) for c in changes] == [
        (node, "CREATE", 1, None),
        (node, "UPDATE", 2, None),
        (node, "DELETE", 3, None),
    ]
    deleted = changes[-1]
    assert deleted["type"] == "SOURCE"
    assert deleted["actor"] == "a remover"
    assert {"name": "title", "before": "Going", "after": None} in deleted["fields"]
    assert node not in await live_nodes(sql)
    assert node not in fold(changes)


async def test_history_is_newest_first_with_actor_version_and_fields(
    feed: Feed, sql: asyncpg.Connection
) -> None:
    await edit(sql, "first editor", "UPDATE events SET title = 'One' WHERE slug = $1", CALL)
    await edit(sql, "second editor", "UPDATE events SET title = 'Two' WHERE slug = $1", CALL)
    data = await feed.client.data(HISTORY, slug=CALL, first=2)
    history = data["event"]["history"]
    newest, older = history["nodes"]
    assert (newest["op"], newest["version"], newest["actor"]) == ("UPDATE", 3, "second editor")
    assert newest["fields"] == [{"name": "title", "before": "One", "after": "Two"}]
    assert (older["op"], older["version"], older["actor"]) == ("UPDATE", 2, "first editor")
    assert newest["node"]["id"] == newest["nodeId"]
    assert [edge["node"]["version"] for edge in history["edges"]] == [3, 2]
    assert history["pageInfo"]["hasNextPage"]
    rest = await feed.client.data(HISTORY, slug=CALL, after=history["pageInfo"]["endCursor"])
    [created] = rest["event"]["history"]["nodes"]
    assert (created["op"], created["version"]) == ("CREATE", 1)
    assert created["actor"].startswith("fixtures load")
    assert not rest["event"]["history"]["pageInfo"]["hasNextPage"]


async def test_a_deleted_statement_leaves_its_history_for_a_tombstone(
    feed: Feed, sql: asyncpg.Connection
) -> None:
    statement = await sql.fetchval(
        "SELECT s.id FROM statements s JOIN events e ON e.id = s.event_id "
        "WHERE e.slug = $1 LIMIT 1",
        CALL,
    )
    node = encode_global_id("Statement", statement)
    before = await feed.client.data(NODE_HISTORY, id=node)
    assert [change["op"] for change in before["node"]["history"]["nodes"]] == ["CREATE"]
    await edit(sql, "a remover", "DELETE FROM statements WHERE id = $1", statement)
    assert (await feed.client.data(NODE_HISTORY, id=node))["node"] is None
    changes, _ = await feed.drain()
    tombstone = [change for change in changes if change["nodeId"] == node][-1]
    assert (tombstone["op"], tombstone["node"], tombstone["version"]) == ("DELETE", None, 2)
    assert node not in fold(changes)


async def test_the_types_filter_keeps_only_those_types(feed: Feed, sql: asyncpg.Connection) -> None:
    _, cursor = await feed.drain()
    await edit(sql, "e", "UPDATE events SET title = 'T' WHERE slug = $1", CALL)
    await edit(sql, "p", "UPDATE participants SET description = 'D' WHERE slug = 'xi-jinping'")
    events, event_cursor = await feed.drain(cursor, types=["EVENT"])
    assert [change["type"] for change in events] == ["EVENT"]
    people, _ = await feed.drain(cursor, types=["PARTICIPANT", "SOURCE"])
    assert [change["type"] for change in people] == ["PARTICIPANT"]
    assert (await feed.drain(cursor, types=[]))[0] == []
    # The empty page after a filtered read stands where the reader may read on from.
    assert (await feed.page(event_cursor, types=["EVENT"])).changes == []


async def test_an_empty_page_of_first_0_moves_nobody_past_a_change(
    feed: Feed, sql: asyncpg.Connection
) -> None:
    _, cursor = await feed.drain()
    await edit(sql, "e", "UPDATE events SET title = 'Zero' WHERE slug = $1", CALL)
    nothing = await feed.page(cursor, first=0)
    assert (nothing.changes, nothing.has_next_page) == ([], True)
    [change] = (await feed.page(nothing.end_cursor)).changes
    assert change["fields"][0]["after"] == "Zero"


async def test_the_seed_load_replays_into_the_corpus(feed: Feed, sql: asyncpg.Connection) -> None:
    changes, _ = await feed.drain(first=7)
    assert fold(changes) == await live_nodes(sql)
    assert {change["op"] for change in changes} == {"CREATE"}


async def test_a_bad_cursor_is_bad_user_input(feed: Feed) -> None:
    events = await feed.client.data("{ events(first: 1) { pageInfo { endCursor } } }")
    connection_cursor = events["events"]["pageInfo"]["endCursor"]
    for cursor in ["not a cursor", "WyJjaGFuZ2VzIiwtMSwwLG51bGxd", connection_cursor]:
        query = "query ($c: String) { changes(after: $c) { nodes { op } } }"
        assert await feed.client.error_codes(query, c=cursor) == ["BAD_USER_INPUT"], cursor
    history = await feed.client.error_codes(HISTORY, slug=CALL, after=connection_cursor)
    assert history == ["BAD_USER_INPUT"]
    too_many = await feed.client.error_codes("{ changes(first: 101) { nodes { op } } }")
    assert too_many == ["BAD_USER_INPUT"]


async def test_a_cursor_older_than_the_pruned_log_has_expired(
    feed: Feed, sql: asyncpg.Connection
) -> None:
    first_page = await feed.page(first=1)
    old_history = await feed.client.data(HISTORY, slug=CALL, first=1)
    old_history_cursor = old_history["event"]["history"]["pageInfo"]["endCursor"]
    await edit(sql, "e", "UPDATE events SET title = 'Pruned' WHERE slug = $1", CALL)
    await edit(sql, "e", "UPDATE events SET title = 'Kept' WHERE slug = $1", CALL)
    _, recent = await feed.drain()
    pruned = await prune_changes(sql, timedelta(0))
    # The CREATE and the first UPDATE of the event were replaced: gone. Nothing else was.
    assert pruned.changes == 2
    body = await feed.client.post(
        "query ($c: String) { changes(after: $c) { nodes { op } } }",
        {"c": first_page.end_cursor},
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CURSOR_EXPIRED"
    assert error["message"] == EXPIRED
    codes = await feed.client.error_codes(HISTORY, slug=CALL, after=old_history_cursor)
    assert codes == ["CURSOR_EXPIRED"]
    # A reader past the pruned changes reads on; one from the beginning still gets the corpus.
    assert (await feed.page(recent)).changes == []
    replay, _ = await feed.drain()
    assert fold(replay) == await live_nodes(sql)
    history = await feed.client.data(HISTORY, slug=CALL)
    assert [change["version"] for change in history["event"]["history"]["nodes"]] == [3]
    assert (await prune_changes(sql, timedelta(0))).changes == 0


async def test_the_feed_and_history_cost_like_connections(feed: Feed) -> None:
    async def cost(query: str) -> int:
        response = await feed.client.http.post("/graphql", json={"query": query})
        charged: int = response.json()["extensions"]["cost"]["requestedQueryCost"]
        return charged

    assert await cost("{ changes(first: 10) { nodes { op } } }") == 1
    nested = "{ changes(first: 10) { nodes { node { history(first: 5) { nodes { op } } } } } }"
    assert await cost(nested) == 1 + 10
    default = "{ changes { nodes { node { history { nodes { op } } } } } }"
    assert await cost(default) == 1 + 20
