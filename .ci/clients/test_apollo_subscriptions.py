"""Apollo Client 4 following the change feed over WebSocket (GraphQLWsLink on the graphql-ws
package), against the real app: changes written to its database, as an operator's SQL, reach
the client in order, each once, with their cursors."""

import asyncio
import json
import subprocess

import asyncpg
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from tests.subscriptions.client import (
    put_back_titles,
    retitle,
    titles_of_events,
    websocket_url,
)

from .test_apollo_cache import APOLLO, NODE_SECONDS, node

TITLES = ["Renamed once", "Renamed twice"]


async def change_the_corpus(database_url: URL) -> None:
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        await retitle(connection, *TITLES)
    finally:
        await connection.close()


def test_apollo_follows_the_change_feed(base_url: str, corpus_url: URL) -> None:
    assert (APOLLO / "node_modules" / "graphql-ws").is_dir(), "run npm ci in " + str(APOLLO)
    titles = asyncio.run(titles_of_events(to_asyncpg_dsn(corpus_url)))
    follower = subprocess.Popen(
        [node(), "follow-changes.mjs", websocket_url(base_url), str(len(TITLES))],
        cwd=APOLLO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert follower.stdout is not None
        assert json.loads(follower.stdout.readline()) == {"connected": True}
        # The subscribe message follows the acknowledgement; give the server a moment to take it.
        asyncio.run(asyncio.sleep(1.0))
        asyncio.run(change_the_corpus(corpus_url))
        output, errors = follower.communicate(timeout=NODE_SECONDS)
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.communicate()
        asyncio.run(put_back_titles(to_asyncpg_dsn(corpus_url), titles))
    assert follower.returncode == 0, errors
    lines = [json.loads(line) for line in output.splitlines()]
    changes = [line["data"]["changes"] for line in lines]
    assert [change["fields"] for change in changes] == [
        [{"__typename": "FieldChange", "name": "title", "after": title}] for title in TITLES
    ]
    assert {change["op"] for change in changes} == {"UPDATE"}
    assert len({change["cursor"] for change in changes}) == len(TITLES)
