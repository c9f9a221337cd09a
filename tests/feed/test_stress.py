"""Replaying the feed under concurrent writers gives the live corpus, each change once; a reader
with a plain change-id cursor, in the same run, loses changes (the negative control).

Writers are coroutines of one signature (`Writer`), run together: transactions of plain SQL on
connections of their own (with pauses inside the transactions and some rollbacks), admin
mutations posted to the API (some refused, with a stale `expectedVersion`, which write nothing)
and `eventgraph fixtures load` runs. A slow transaction starts first and commits last, once the
reader has caught up with everything else: that is what a reader that does not stop at the
oldest running transaction misses, every time.
"""

import asyncio
import os
import random
import shutil
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.store.entities import ENTITIES, Entity
from schema.global_ids import encode_global_id
from tests.feed.conftest import Feed, change_id, connect, fold, live_nodes
from tests.schema.conftest import SEED, GraphQLClient

PAGE = 5
"""The reader's page size: small, so that it reads while the writers write."""
SQL_WRITERS = 3
MUTATION_WRITERS = 2
TRANSACTIONS = 12
FIXTURE_LOADS = 2


@dataclass
class Run:
    """What the writers and the reader of one stress run share."""

    url: URL
    api: GraphQLClient
    """The API the feed reader reads (and mutation writers may write through)."""
    fixtures: Path
    """A copy of the seed corpus, the one the database was loaded from: loads rewrite it."""
    seed: int
    writers_done: asyncio.Event = field(default_factory=asyncio.Event)
    reader_caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    slow_committed: asyncio.Event = field(default_factory=asyncio.Event)
    slow_node: str = ""
    """The global ID of the node the slow transaction created."""


Writer = Callable[[Run], Awaitable[None]]
"""A writer of the stress run: it writes, then returns."""


class RollbackError(Exception):
    """A writer's way to roll its transaction back on purpose."""


async def new_source(connection: asyncpg.Connection, slug: str) -> Any:
    return await connection.fetchval(
        "INSERT INTO sources (slug, title, publisher, language) "
        "VALUES ($1, $1, 'stress', 'en') RETURNING id",
        slug,
    )


def sql_writer(number: int) -> Writer:
    """Transactions of one to three statements: an event's duration, a participant's
    description, a new source, or the deletion of a source it created; a pause after each
    statement, one transaction in five rolled back."""

    async def write(run: Run) -> None:
        rng = random.Random(f"{run.seed}-{number}")
        connection = await connect(run.url)
        try:
            events = [row["id"] for row in await connection.fetch("SELECT id FROM events")]
            people = [row["id"] for row in await connection.fetch("SELECT id FROM participants")]
            created: list[Any] = []
            for step in range(TRANSACTIONS):
                made: list[Any] = []
                gone: list[Any] = []
                try:
                    async with connection.transaction():
                        await connection.execute(
                            "SELECT set_config('eventgraph.actor', $1, true)", f"writer {number}"
                        )
                        for statement in range(rng.randint(1, 3)):
                            choice = rng.randrange(4)
                            if choice == 0:
                                await connection.execute(
                                    "UPDATE events SET duration_minutes = $2 WHERE id = $1",
                                    rng.choice(events),
                                    rng.randint(1, 600),
                                )
                            elif choice == 1:
                                await connection.execute(
                                    "UPDATE participants SET description = $2 WHERE id = $1",
                                    rng.choice(people),
                                    f"writer {number}, step {step}",
                                )
                            elif choice == 2 or not created:
                                slug = f"stress-{number}-{step}-{statement}"
                                made.append(await new_source(connection, slug))
                            else:
                                victim = created.pop(rng.randrange(len(created)))
                                gone.append(victim)
                                await connection.execute(
                                    "DELETE FROM sources WHERE id = $1", victim
                                )
                            await asyncio.sleep(rng.random() * 0.01)
                        if rng.random() < 0.2:
                            raise RollbackError
                    created += made
                except (RollbackError, asyncpg.DeadlockDetectedError):
                    created += gone
        finally:
            await connection.close()

    return write


EVENT_UPDATE = """
mutation Update($id: ID!, $minutes: Int, $version: Int) {
  eventUpdate(id: $id, input: {durationMinutes: $minutes}, expectedVersion: $version) {
    event { version } userErrors { code }
  }
}
"""
SOURCE_CREATE = """
mutation Create($slug: String!) {
  sourceCreate(input: {slug: $slug, title: $slug, publisher: "stress", language: "en"}) {
    source { id } userErrors { code }
  }
}
"""
SOURCE_DELETE = """
mutation Delete($id: ID!) { sourceDelete(id: $id) { deletedId userErrors { code } } }
"""


def mutation_writer(number: int) -> Writer:
    """Admin mutations through the API, as an editor makes them: an event's duration (one in
    four with a stale `expectedVersion`, refused with VERSION_CONFLICT and writing nothing), a
    new source, or the deletion of a source it created."""

    async def write(run: Run) -> None:
        rng = random.Random(f"{run.seed}-mutations-{number}")
        connection = await connect(run.url)
        try:
            events = [row["id"] for row in await connection.fetch("SELECT id FROM events")]
        finally:
            await connection.close()
        event_type = ENTITIES[Entity.EVENT].type_name
        created: list[str] = []
        for step in range(TRANSACTIONS):
            choice = rng.randrange(3)
            if choice == 0:
                stale = rng.random() < 0.25
                data = await run.api.data(
                    EVENT_UPDATE,
                    id=encode_global_id(event_type, rng.choice(events)),
                    minutes=rng.randint(1, 600),
                    version=0 if stale else None,
                )
                errors = [error["code"] for error in data["eventUpdate"]["userErrors"]]
                assert errors == (["VERSION_CONFLICT"] if stale else []), errors
            elif choice == 1 or not created:
                data = await run.api.data(SOURCE_CREATE, slug=f"stress-m{number}-{step}")
                assert data["sourceCreate"]["userErrors"] == []
                created.append(data["sourceCreate"]["source"]["id"])
            else:
                victim = created.pop(rng.randrange(len(created)))
                data = await run.api.data(SOURCE_DELETE, id=victim)
                assert data["sourceDelete"]["deletedId"] == victim
            await asyncio.sleep(rng.random() * 0.01)

    return write


def fixture_loads(count: int) -> Writer:
    """`eventgraph fixtures load` of the run's corpus, `count` times, with the source's title
    changed each time (and the events' durations the SQL writers changed put back)."""

    async def write(run: Run) -> None:
        sources = run.fixtures / "sources.yaml"
        original = sources.read_text(encoding="utf-8")
        command = Path(sys.executable).parent / "eventgraph"
        environment = {**os.environ, "EVENTGRAPH_DATABASE_URL": to_asyncpg_dsn(run.url)}
        for number in range(count):
            sources.write_text(
                original.replace("title: Moscou", f"title: ({number}) Moscou"), encoding="utf-8"
            )
            while True:
                process = await asyncio.create_subprocess_exec(
                    command,
                    "fixtures",
                    "load",
                    str(run.fixtures),
                    env=environment,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                _, errors = await process.communicate()
                if process.returncode == 0:
                    break
                # A deadlock with a SQL writer rolled the whole load back: load again.
                assert b"deadlock" in errors, errors.decode()

    return write


WRITERS: list[Writer] = [
    *(sql_writer(number) for number in range(SQL_WRITERS)),
    *(mutation_writer(number) for number in range(MUTATION_WRITERS)),
    fixture_loads(FIXTURE_LOADS),
]
"""The writers of a stress run (more can join: anything that writes, then returns)."""


async def slow_transaction(run: Run, wrote: asyncio.Event) -> None:
    """Creates a source in a transaction that starts before every writer and commits only
    once the reader has caught up with all of them."""
    connection = await connect(run.url)
    try:
        async with connection.transaction():
            source = await new_source(connection, "stress-slow")
            run.slow_node = encode_global_id(ENTITIES[Entity.SOURCE].type_name, source)
            wrote.set()
            await run.reader_caught_up.wait()
        run.slow_committed.set()
    finally:
        await connection.close()


ReadPage = Callable[[Any], Awaitable[tuple[list[dict[str, Any]], Any]]]
"""Reads one page from a reader's position: its changes and the next position."""


async def read_all(run: Run, read_page: ReadPage) -> list[dict[str, Any]]:
    """Pages from the beginning while the writers write; once they are done and a page comes
    back empty, lets the slow transaction commit, then reads until a page read after that
    comes back empty."""
    seen: list[dict[str, Any]] = []
    position: Any = None
    while True:
        committed_before = run.slow_committed.is_set()
        changes, position = await read_page(position)
        seen += changes
        if changes:
            continue
        if committed_before:
            return seen
        if run.writers_done.is_set():
            run.reader_caught_up.set()
            await run.slow_committed.wait()
        else:
            await asyncio.sleep(0.005)  # pacing only: the loop waits for the writers anyway


async def stress(
    url: URL, api: GraphQLClient, fixtures: Path, read_page: ReadPage
) -> tuple[Run, list[dict[str, Any]]]:
    run = Run(url, api, fixtures, seed=12)
    wrote = asyncio.Event()
    slow = asyncio.create_task(slow_transaction(run, wrote))
    await wrote.wait()
    reading = asyncio.create_task(read_all(run, read_page))
    await asyncio.gather(*(writer(run) for writer in WRITERS))
    run.writers_done.set()
    await slow
    return run, await reading


def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the seed corpus, which the database was loaded from (the same contents)."""
    copy = tmp_path / "corpus"
    shutil.copytree(SEED, copy)
    return copy


async def test_replaying_the_feed_gives_the_live_corpus_each_change_once(
    feed: Feed, seeded_url: URL, tmp_path: Path
) -> None:
    async def read_page(cursor: str | None) -> tuple[list[dict[str, Any]], str]:
        page = await feed.page(cursor, first=PAGE)
        return page.changes, page.end_cursor

    run, seen = await stress(seeded_url, feed.client, corpus_copy(tmp_path), read_page)
    connection = await connect(seeded_url)
    try:
        ids = [change_id(change) for change in seen]
        assert len(ids) == len(set(ids)), "a change came twice"
        logged = [row["id"] for row in await connection.fetch("SELECT id FROM changes")]
        assert sorted(ids) == sorted(logged)
        assert fold(seen) == await live_nodes(connection)
        assert run.slow_node in fold(seen)
        actors = {change["actor"] for change in seen}
        assert {f"writer {number}" for number in range(SQL_WRITERS)} <= actors
        assert "anonymous (development)" in actors  # the mutations'
        titles = {
            field["after"]
            for change in seen
            if change["actor"].startswith("fixtures load")
            for field in change["fields"]
            if field["name"] == "title"
        }
        assert {f"({number}) Moscou" for number in range(FIXTURE_LOADS)} <= {
            title[: len("(0) Moscou")] for title in titles
        }
        assert {"CREATE", "UPDATE", "DELETE"} <= {change["op"] for change in seen}
    finally:
        await connection.close()


async def test_a_plain_change_id_cursor_loses_the_slow_transaction(
    feed: Feed, seeded_url: URL, tmp_path: Path
) -> None:
    """The negative control: the same run, read by change id alone, as a sequence or an
    `updatedAt` would be: the slow transaction's change has an id the reader has passed."""
    connection = await connect(seeded_url)

    async def read_page(last: int | None) -> tuple[list[dict[str, Any]], int | None]:
        rows = await connection.fetch(
            "SELECT id, type, node_id, op, version FROM changes WHERE id > $1 ORDER BY id LIMIT $2",
            last or 0,
            PAGE,
        )
        changes = [
            {
                "nodeId": encode_global_id(ENTITIES[Entity(row["type"])].type_name, row["node_id"]),
                "op": row["op"],
                "version": row["version"],
            }
            for row in rows
        ]
        return changes, rows[-1]["id"] if rows else last

    try:
        run, seen = await stress(seeded_url, feed.client, corpus_copy(tmp_path), read_page)
        live = await live_nodes(connection)
        assert run.slow_node in live
        assert run.slow_node not in fold(seen)
        assert fold(seen) != live
    finally:
        await connection.close()
