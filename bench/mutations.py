"""Mutations per second: the API against its floor, at 1 and 16 clients (`python -m bench
mutations`).

The workload is the admin's most common write: `statementUpdate` correcting a statement's text,
each client on statements of its own (so that the row locks measure the write, not a queue on
one row), over a database of its own holding the generated corpus (the read benchmarks' kept
databases are not changed).

The **floor** is the least a server can do for the same change, sent by hand with asyncpg from
this process at the same concurrency: one transaction that names the actor, locks the row,
updates the text and reads the row back (the change log's triggers run for both). The API adds
its HTTP and GraphQL layers, the key and budget, and the checks of the fixture rules (the stored
object read back as fixture fields, its references resolved, its slug and position checked).

Both are driven from this process (httpx for the API), which shares the machine's cores with
the server and PostgreSQL: compare the ratio, not the absolute numbers.
"""

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import URL

from api.db.change_log import ACTOR_SETTING
from api.db.server import to_asyncpg_dsn
from api.fixtures.load import load_fixtures
from api.security.keys import Scope, create_key
from bench.harness import Bench
from bench.servers import api_server, free_port, running
from schema.global_ids import encode_global_id

CLIENTS = (1, 16)
STATEMENTS_PER_CLIENT = 4
UPDATE = (
    "mutation ($id: ID!, $text: String!) { statementUpdate(id: $id, input: {text: $text}) "
    "{ statement { id version } userErrors { code message } } }"
)


@dataclass(frozen=True)
class Rate:
    clients: int
    mutations: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.mutations / self.seconds


@dataclass(frozen=True)
class MutationResult:
    events: int
    api: list[Rate]
    floor: list[Rate]


async def _admin_key(database: URL) -> str:
    connection = await asyncpg.connect(to_asyncpg_dsn(database))
    try:
        created = await create_key(
            connection,
            f"bench-admin-{uuid.uuid4().hex[:8]}",
            {Scope.ADMIN},
            budget_capacity=2_000_000_000,
            budget_restore_per_second=1_000_000_000.0,
        )
    finally:
        await connection.close()
    return created.secret


async def _driven(
    clients: int, seconds: float, mutate: Callable[[int, int], Awaitable[None]]
) -> Rate:
    """`clients` loops calling `mutate(client, n)` for `seconds`: how many completed."""
    deadline = time.perf_counter() + seconds
    done = [0] * clients

    async def client(number: int) -> None:
        for n in itertools.count():
            if time.perf_counter() >= deadline:
                return
            await mutate(number, n)
            done[number] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return Rate(clients, sum(done), time.perf_counter() - started)


async def measure(bench: Bench, events: int, seconds: float) -> MutationResult:
    directory, _ = bench.corpus(events)
    database = await bench.fresh_database("bench_mutations")
    bench.console.print(f"loading {events} events into bench_mutations")
    await load_fixtures(database, [directory])
    key = await _admin_key(database)
    connection = await asyncpg.connect(to_asyncpg_dsn(database))
    try:
        rows = await connection.fetch(
            "SELECT id FROM statements ORDER BY id LIMIT $1", max(CLIENTS) * STATEMENTS_PER_CLIENT
        )
    finally:
        await connection.close()
    ids: list[uuid.UUID] = [row["id"] for row in rows]

    def statement_of(client: int, n: int) -> uuid.UUID:
        return ids[client * STATEMENTS_PER_CLIENT + n % STATEMENTS_PER_CLIENT]

    api_rates: list[Rate] = []
    spec = api_server(database, free_port(), key)
    async with (
        running(spec, bench.out / "mutations-api.log") as server,
        httpx.AsyncClient(
            base_url=server.spec.base_url,
            headers=dict(server.spec.headers),
            timeout=60,
            limits=httpx.Limits(max_connections=max(CLIENTS)),
        ) as http,
    ):

        async def by_api(client: int, n: int) -> None:
            node = encode_global_id("Statement", statement_of(client, n))
            variables = {"id": node, "text": f"api {client} {n}"}
            response = await http.post("/graphql", json={"query": UPDATE, "variables": variables})
            payload = response.json()["data"]["statementUpdate"]
            assert not payload["userErrors"], payload

        await _driven(max(CLIENTS), 2.0, by_api)  # warm-up
        for clients in CLIENTS:
            api_rates.append(await _driven(clients, seconds, by_api))
            bench.console.print(f"api, {clients} clients: {api_rates[-1].per_second:.1f}/s")

    pool = await asyncpg.create_pool(
        to_asyncpg_dsn(database), min_size=max(CLIENTS), max_size=max(CLIENTS)
    )
    floor_rates: list[Rate] = []
    try:

        async def by_hand(client: int, n: int) -> None:
            statement_id = statement_of(client, n)
            async with pool.acquire() as held, held.transaction():
                await held.execute("SELECT set_config($1, $2, true)", ACTOR_SETTING, "bench")
                await held.fetchval(
                    "SELECT version FROM statements WHERE id = $1 FOR UPDATE", statement_id
                )
                await held.execute(
                    "UPDATE statements SET text = $2 WHERE id = $1",
                    statement_id,
                    f"floor {client} {n}",
                )
                await held.fetchrow(
                    "SELECT id, version, text FROM statements WHERE id = $1", statement_id
                )

        await _driven(max(CLIENTS), 2.0, by_hand)
        for clients in CLIENTS:
            floor_rates.append(await _driven(clients, seconds, by_hand))
            bench.console.print(f"floor, {clients} clients: {floor_rates[-1].per_second:.1f}/s")
    finally:
        await pool.close()
    return MutationResult(events, api_rates, floor_rates)


def markdown(result: MutationResult, command: str, about: dict[str, str]) -> str:
    lines = [
        f"Mutations (`statementUpdate` of a statement's text), {result.events:,} events; "
        f"`{command}`; {', '.join(f'{key}: {value}' for key, value in about.items())}.",
        "",
        "| clients | API mutations/s | floor mutations/s | API / floor |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for api, floor in zip(result.api, result.floor, strict=True):
        lines.append(
            f"| {api.clients} | {api.per_second:.1f} | {floor.per_second:.1f} | "
            f"{api.per_second / floor.per_second:.2f} |"
        )
    return "\n".join(lines)


def to_json(result: MutationResult) -> dict[str, Any]:
    return asdict(result)


def write(out: Path, result: MutationResult, command: str, about: dict[str, str]) -> str:
    text = markdown(result, command, about)
    (out / "mutations-latest.json").write_text(
        json.dumps({"result": to_json(result), "command": command, "machine": about}, indent=1)
    )
    (out / "mutations-latest.md").write_text(text + "\n")
    return text
