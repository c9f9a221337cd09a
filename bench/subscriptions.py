"""`python -m bench subscriptions`: the push of the change feed, measured (docs/benchmarks.md).

One API process (`eventgraph serve` as production runs it, one key for every subscriber) on the
seed corpus; subscribers are WebSocket connections of this process, one subscription each
(`changes(types: [EVENT]) { cursor op nodeId }`), as browsers would hold them.

- Fan-out: with 1, 100 and 1,000 subscribers, one event is renamed at a time (a transaction of
  its own, as an operator's SQL), `ROUNDS` times; the latency of each delivery is from just
  before the writing transaction's COMMIT to the message's arrival here. The server's memory per
  subscriber is its RSS growth from before the subscribers connected to after, divided by them.
- Following: one subscriber, `WRITERS` connections renaming events as fast as they can for
  `FOLLOW_SECONDS`; the changes per second the subscriber received, beside those written. Then a
  second subscriber from the first change's cursor: how fast one catches up on that backlog,
  which the writers do not limit.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import URL
from websockets.asyncio.client import ClientConnection, connect

from api.db.change_log import ACTOR_SETTING
from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT
from bench.harness import OUT, Bench
from bench.servers import Server, api_server, bench_key, free_port, running

SEED = PROJECT_ROOT / "fixtures" / "seed"
SUBSCRIBERS = (1, 100, 1_000)
ROUNDS = 30
CONNECTING_AT_ONCE = 50
WRITERS = 4
FOLLOW_SECONDS = 10.0
FOLLOW = (
    "subscription($after: String) { changes(after: $after, types: [EVENT]) { cursor op nodeId } }"
)


@dataclass
class Subscriber:
    socket: ClientConnection
    arrivals: list[float]
    first_cursor: str | None = None


async def subscriber(base_url: str, key: str, after: str | None = None) -> Subscriber:
    socket = await connect(
        base_url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        max_queue=None,
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
    await socket.send(orjson.dumps(init).decode())
    assert orjson.loads(await socket.recv())["type"] == "connection_ack"
    payload = {"query": FOLLOW, "variables": {"after": after}}
    await socket.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
    return Subscriber(socket, [])


async def receive(follower: Subscriber) -> None:
    """Note the arrival time of every change (answering pings) until the socket closes."""
    async for text in follower.socket:
        arrived = time.perf_counter()
        message: dict[str, Any] = orjson.loads(text)
        if message["type"] == "ping":
            await follower.socket.send('{"type": "pong"}')
        elif message["type"] == "next":
            assert "errors" not in message["payload"], message
            follower.arrivals.append(arrived)
            if follower.first_cursor is None:
                follower.first_cursor = message["payload"]["data"]["changes"]["cursor"]


async def rename(connection: asyncpg.Connection, slug: str, title: str) -> float:
    """Rename one event in a transaction of its own; the time just before its COMMIT."""
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("SELECT set_config($1, 'bench', true)", ACTOR_SETTING)
    await connection.execute("UPDATE events SET title = $2 WHERE slug = $1", slug, title)
    committing = time.perf_counter()
    await transaction.commit()
    return committing


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def fan_out(
    server: Server, key: str, writer: asyncpg.Connection, count: int
) -> dict[str, Any]:
    slugs = [row["slug"] for row in await writer.fetch("SELECT slug FROM events ORDER BY slug")]
    before_mb = server.rss_mb()
    followers: list[Subscriber] = []
    while len(followers) < count:  # in steps, as browsers would come: not 1,000 key lookups at once
        step = min(CONNECTING_AT_ONCE, count - len(followers))
        followers += await asyncio.gather(
            *(subscriber(server.spec.base_url, key) for _ in range(step))
        )
    readers = [asyncio.create_task(receive(follower)) for follower in followers]
    try:
        await asyncio.sleep(2.0)  # every subscribe taken, the hub's reads settled
        after_mb = server.rss_mb()
        latencies: list[float] = []
        for round_number in range(ROUNDS + 1):
            for follower in followers:
                follower.arrivals.clear()
            committed = await rename(
                writer, slugs[round_number % len(slugs)], f"fan-out {count} {round_number}"
            )
            for _ in range(400):
                if all(follower.arrivals for follower in followers):
                    break
                await asyncio.sleep(0.005)
            arrivals = [follower.arrivals[0] for follower in followers if follower.arrivals]
            assert len(arrivals) == count, f"{count - len(arrivals)} subscribers got nothing"
            if round_number:  # the first round warms up
                latencies += [(arrived - committed) * 1000 for arrived in arrivals]
    finally:
        for follower in followers:
            await follower.socket.close()
        for reader in readers:
            reader.cancel()
    return {
        "subscribers": count,
        "deliveries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "rss_before_mb": round(before_mb, 1),
        "rss_after_mb": round(after_mb, 1),
        "kb_per_subscriber": round((after_mb - before_mb) * 1024 / count, 1),
    }


async def follow(server: Server, key: str, database: URL) -> dict[str, Any]:
    follower = await subscriber(server.spec.base_url, key)
    reader = asyncio.create_task(receive(follower))
    writers = [await asyncpg.connect(to_asyncpg_dsn(database)) for _ in range(WRITERS)]
    slugs = [row["slug"] for row in await writers[0].fetch("SELECT slug FROM events")]
    written = 0
    try:
        await asyncio.sleep(1.0)
        started = time.perf_counter()
        deadline = started + FOLLOW_SECONDS

        async def write(connection: asyncpg.Connection, offset: int) -> None:
            nonlocal written
            number = 0
            while time.perf_counter() < deadline:
                slug = slugs[(offset + number * WRITERS) % len(slugs)]
                await rename(connection, slug, f"follow {offset} {number}")
                number += 1
                written += 1

        await asyncio.gather(*(write(each, offset) for offset, each in enumerate(writers)))
        writing_seconds = time.perf_counter() - started
        for _ in range(3000):
            if len(follower.arrivals) >= written:
                break
            await asyncio.sleep(0.01)
        received = len(follower.arrivals)
        following_seconds = follower.arrivals[-1] - started
        backlog = received - 1
        subscribing = time.perf_counter()
        catching_up = await subscriber(server.spec.base_url, key, follower.first_cursor)
        catcher = asyncio.create_task(receive(catching_up))
        for _ in range(6000):
            if len(catching_up.arrivals) >= backlog:
                break
            await asyncio.sleep(0.01)
        assert len(catching_up.arrivals) == backlog
        catch_up_seconds = catching_up.arrivals[-1] - subscribing
        await catching_up.socket.close()
        catcher.cancel()
    finally:
        await follower.socket.close()
        reader.cancel()
        for each in writers:
            await each.close()
    return {
        "written": written,
        "received": received,
        "written_per_second": round(written / writing_seconds),
        "received_per_second": round(received / following_seconds),
        "last_delivery_after_writes_ms": round((following_seconds - writing_seconds) * 1000, 1),
        "backlog": backlog,
        "caught_up_per_second": round(backlog / catch_up_seconds),
    }


async def run(bench: Bench) -> dict[str, Any]:
    database = await bench.fresh_database("bench_subscriptions")
    await load_fixtures(database, [SEED])
    key = await bench_key(database)
    spec = api_server(database, free_port(), key)
    spec = replace(
        spec,
        environment={**spec.environment, "EVENTGRAPH_SUBSCRIPTIONS_PER_KEY": "1000"},
    )
    log = OUT / "subscriptions-server.log"
    writer = await asyncpg.connect(to_asyncpg_dsn(database))
    try:
        async with running(spec, log) as server:
            fan_outs = []
            for count in SUBSCRIBERS:
                bench.console.print(f"fan-out to {count} subscribers")
                fan_outs.append(await fan_out(server, key, writer, count))
            bench.console.print("one subscriber following fast writers")
            following = await follow(server, key, database)
    finally:
        await writer.close()
    return {"fan_out": fan_outs, "follow": following}


def markdown(result: dict[str, Any], about: dict[str, str], command: str) -> str:
    lines = [
        f"Command: `{command}`; machine: "
        + ", ".join(f"{name} {value}" for name, value in about.items()),
        "",
        "| subscribers | deliveries | p50 | p99 | max | server RSS before → after "
        "| per subscriber |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in result["fan_out"]:
        lines.append(
            f"| {row['subscribers']:,} | {row['deliveries']:,} | {row['p50_ms']} ms | "
            f"{row['p99_ms']} ms | {row['max_ms']} ms | {row['rss_before_mb']} → "
            f"{row['rss_after_mb']} MB | {row['kb_per_subscriber']} KB |"
        )
    following = result["follow"]
    lines += [
        "",
        f"One subscriber, {WRITERS} writers for {FOLLOW_SECONDS:g} s: "
        f"{following['written']:,} changes written ({following['written_per_second']:,}/s), "
        f"{following['received']:,} received ({following['received_per_second']:,}/s), the "
        f"last {following['last_delivery_after_writes_ms']} ms after the last write. A second "
        f"subscriber from the first change's cursor caught up on the {following['backlog']:,} "
        f"after it at {following['caught_up_per_second']:,} changes/s.",
    ]
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], about: dict[str, str], command: str) -> str:
    text = markdown(result, about, command)
    Path(OUT / "subscriptions.json").write_bytes(
        orjson.dumps({"result": result, "machine": about, "command": command})
    )
    (OUT / "subscriptions.md").write_text(text)
    return text
