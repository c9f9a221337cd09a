"""A graphql-transport-ws client over a real WebSocket (the `websockets` package), as the
`graphql-ws` package speaks it, and the writes a test makes as an operator would: plain SQL on
the primary, with the actor set."""

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.db.change_log import ACTOR_SETTING

PROTOCOL = "graphql-transport-ws"
CALL = "xi-putin-video-call-2026-02-04"
"""An event of the seed corpus."""


class LiveClient:
    """One acknowledged connection."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self._ids = (str(number) for number in itertools.count(1))

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = next(self._ids)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation, "type": "subscribe", "payload": payload})
        return operation

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(orjson.dumps(message).decode())

    async def receive(self, seconds: float = 5.0) -> dict[str, Any]:
        """The next message but the server's pings (answered), within `seconds`."""
        while True:
            async with asyncio.timeout(seconds):
                message: dict[str, Any] = orjson.loads(await self.socket.recv())
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Every message received within `seconds` (none, when all is well)."""
        received = []
        try:
            while True:
                received.append(await self.receive(seconds))
        except TimeoutError:
            return received


def websocket_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def live_client(base_url: str, payload: dict[str, Any] | None) -> AsyncIterator[LiveClient]:
    """A connection whose `connection_init` carried `payload`, once acknowledged."""
    async with connect(websocket_url(base_url), subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        client = LiveClient(socket)
        await client.send({"type": "connection_init", "payload": payload or {}})
        acknowledged = await client.receive()
        assert acknowledged == {"type": "connection_ack"}, acknowledged
        yield client


async def refusal(base_url: str, payload: dict[str, Any] | None) -> tuple[int, str]:
    """The close code and reason of a connection whose `connection_init` is refused."""
    async with connect(websocket_url(base_url), subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await socket.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        try:
            message = await asyncio.wait_for(socket.recv(), 5)
        except ConnectionClosed as closed:
            received = closed.rcvd
        else:
            raise AssertionError(f"accepted: {message!r}")
        assert received is not None
        return received.code, received.reason


def bearer(key: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {key}"}


async def global_id(base_url: str, key: str, slug: str = CALL) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.post(
            "/graphql",
            json={"query": "query($slug: String) { event(slug: $slug) { id } }",
                  "variables": {"slug": slug}},
            headers={"Authorization": f"Bearer {key}"},
        )  # fmt: skip
    found: str = answer.json()["data"]["event"]["id"]
    return found


async def retitle(connection: asyncpg.Connection, *titles: str, slug: str = CALL) -> None:
    """One transaction per title, each renaming the event (as `operator` in psql)."""
    for title in titles:
        async with connection.transaction():
            await connection.execute("SELECT set_config($1, 'operator', true)", ACTOR_SETTING)
            await connection.execute("UPDATE events SET title = $2 WHERE slug = $1", slug, title)


async def gauges(base_url: str) -> dict[str, float]:
    """The subscription gauges of the server's /metrics (served on its port)."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        text = (await http.get("/metrics")).text
    found = re.findall(
        r"^(eventgraph_(?:subscriptions|subscription_hub_tasks|change_listeners|"
        r"websocket_connections)) (\S+)$",
        text,
        re.MULTILINE,
    )
    return {name: float(value) for name, value in found}


async def titles_of_events(database_url: str) -> dict[str, str]:
    """Every event's title by slug, to put back with `put_back_titles`."""
    connection = await asyncpg.connect(database_url)
    try:
        return {row["slug"]: row["title"] for row in await connection.fetch(TITLES)}
    finally:
        await connection.close()


async def put_back_titles(database_url: str, titles: dict[str, str]) -> None:
    """The titles as they were, for the tests that share a served corpus after this one."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.executemany(
            "UPDATE events SET title = $2 WHERE slug = $1 AND title <> $2", list(titles.items())
        )
    finally:
        await connection.close()


TITLES = "SELECT slug, title FROM events"
