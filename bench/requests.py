"""GraphQL requests over HTTP: the API against its floor, on 1, 10 and 100 thousand events.

For each corpus size (generated with a fixed seed, loaded once and kept, see `Bench`):

1. the cases of bench/variables.py are chosen from the corpus: Q1 (a typical meeting and the
   largest ones) to Q6, each with up to 16 variable sets;
2. four servers start on the loaded database, each one process: the API as production runs it
   (bench/servers.py), the two floors (bench/floor.py) and the peer, PostGraphile 5
   (bench/peer.py; when `make bench-peer` has installed it, else the run goes on without it);
3. the check: every variable set of every case is sent once to each server to warm it, then
   three times more, sequentially, while pg_stat_statements counts the SQL statements and their
   time; every floor answer must equal the API's (bench/check.py), or the run fails at the end;
   so must the peer's, in the API's shape (bench/peer.py), on the cases it has a document for;
   a peer answering differently is not timed;
4. the timing: for each case, each server in turn is warmed with wrk, then driven by wrk at each
   client count, cycling through the case's variable sets; its peak RSS (VmHWM, reset before
   the case) and CPU time are read from /proc;
5. the memory check: the API's RSS before and after one heavy query (bench/queries/heavy.graphql
   or --heavy-query).

Results go to bench/out/requests-latest.{json,md} (and a copy stamped with the time); the
Markdown table, with the targets met or missed, is printed.
"""

import asyncio
import re
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from bench import peer, wrk
from bench.check import api_data, first_difference, graphql_problem
from bench.documents import QUERIES, read_document
from bench.floor import VARIANTS
from bench.harness import Bench
from bench.servers import (
    Fleet,
    Server,
    api_server,
    bench_key,
    floor_server,
    free_port,
    postgraphile_server,
)
from bench.variables import Case, Variables, choose_cases

DEFAULT_EVENTS = (1_000, 10_000, 100_000)
QUICK_EVENTS = (1_000,)
HEAVY_QUERY = QUERIES / "heavy.graphql"
REQUEST_TIMEOUT_SECONDS = 120.0
SETTLE_SECONDS = 2.0
"""How long the API is left alone after the heavy query before its RSS is read again."""
COUNTED_PASSES = 3


@dataclass(frozen=True)
class Options:
    events: tuple[int, ...]
    seconds: float
    warm_up_seconds: float
    clients: tuple[int, ...]
    heavy_query: Path
    port: int | None
    """The first of four consecutive ports (API, floor-sql, floor-rows, PostGraphile); None: any
    free ones."""
    cases: tuple[str, ...]
    """Only these cases ("Q1", "Q1 long", …); empty: all."""
    quick: bool
    baseline: Path | None = None
    """An earlier run's requests-*.json, to show the API's numbers beside."""


@dataclass
class ServerResult:
    """One server on one case."""

    server: str
    statements_per_request: float
    postgres_ms_per_request: float
    difference: str | None = None
    """How its answers differ from the API's (floors and peer), or None."""
    runs: dict[int, wrk.Run] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    cpu_ms_per_request: float | None = None


@dataclass
class CaseResult:
    case: str
    document: str
    about: str
    variable_sets: int
    notes: dict[str, int | str]
    servers: dict[str, ServerResult]


@dataclass
class MemoryCheck:
    query: str
    before_mb: float
    peak_mb: float
    after_mb: float
    seconds: float
    response_bytes: int
    problem: str | None
    """Why the heavy query failed, or None."""

    @property
    def returned(self) -> bool:
        """RSS came back to within 20 % of its level before the heavy query."""
        return self.after_mb <= 1.2 * self.before_mb


@dataclass
class SizeResult:
    events: int
    rows: dict[str, int]
    servers: dict[str, str]
    """Each server's event loop and HTTP parser, as loaded."""
    cases: list[CaseResult]
    memory: MemoryCheck | None
    restarts: list[str] = field(default_factory=list)
    """Servers stopped from outside during the run, and started again."""


# ---------------------------------------------------------------- counting statements


class StatementCounter:
    """pg_stat_statements totals of one database, read and reset from the maintenance database
    (so that these reads are not counted)."""

    def __init__(self, connection: asyncpg.Connection, database_oid: int) -> None:
        self.connection = connection
        self.database_oid = database_oid

    @classmethod
    async def open(cls, server_url: URL, database: str) -> "StatementCounter":
        connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
        oid: int = await connection.fetchval(
            "SELECT oid FROM pg_database WHERE datname = $1", database
        )
        return cls(connection, oid)

    async def reset(self) -> None:
        await self.connection.execute(
            "SELECT pg_stat_statements_reset(0::oid, $1::oid, 0::bigint)", self.database_oid
        )

    async def totals(self) -> tuple[int, float]:
        """Statements executed, and the milliseconds PostgreSQL spent executing them."""
        row = await self.connection.fetchrow(
            "SELECT coalesce(sum(calls), 0)::bigint AS calls,"
            " coalesce(sum(total_exec_time), 0)::float8 AS ms"
            " FROM pg_stat_statements WHERE dbid = $1::oid",
            self.database_oid,
        )
        assert row is not None
        return int(row["calls"]), float(row["ms"])

    async def close(self) -> None:
        await self.connection.close()


# ---------------------------------------------------------------- the run


def request_body(case: Case, variables: Variables) -> bytes:
    return orjson.dumps({"query": case.document.text, "variables": variables})


def request_bodies(case: Case, server: Server) -> list[bytes] | None:
    """What `server` is sent for `case`: the case's document, or the peer's own for it (None
    when the peer has none)."""
    if server.name != peer.NAME:
        return [request_body(case, variables) for variables in case.variable_sets]
    document = peer.DOCUMENTS.get(case.document.name)
    if document is None:
        return None
    return [
        orjson.dumps({"query": document.text, "variables": variables})
        for variables in case.variable_sets
    ]


def peer_difference(case: Case, variables: Variables, expected: bytes, actual: bytes) -> str | None:
    """How the peer's answer differs from the API's, once both are in the API's shape."""
    problem = graphql_problem(actual)
    if problem:
        return problem
    shaped = peer.peer_data(case.document.name, orjson.loads(actual), variables)
    return first_difference(peer.canonical(api_data(expected)), peer.canonical(shaped))


async def post(client: httpx.AsyncClient, server: Server, body: bytes) -> bytes:
    response = await client.post(
        f"{server.spec.base_url}/graphql",
        content=body,
        headers={"content-type": "application/json", **dict(server.spec.headers)},
    )
    return response.content


async def count_statements(
    server: Server, bodies: Sequence[bytes], counter: StatementCounter
) -> tuple[list[bytes], ServerResult]:
    """Warm `server` with every body, then count its statements over more passes, one request
    at a time; the answers of the last pass.

    Statements per request are the most any pass counted (every pass should count the same);
    PostgreSQL's time is the least of the passes, the one a busy neighbour disturbed least."""
    answers: list[bytes] = []
    passes = []
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS) as client:
        for body in bodies:
            await post(client, server, body)
        for _ in range(COUNTED_PASSES):
            await counter.reset()
            answers = [await post(client, server, body) for body in bodies]
            passes.append(await counter.totals())
    result = ServerResult(
        server.name,
        max(calls for calls, _ in passes) / len(bodies),
        min(milliseconds for _, milliseconds in passes) / len(bodies),
    )
    return answers, result


async def check_case(
    case: Case, fleet: Fleet, counter: StatementCounter, out: Path
) -> dict[str, ServerResult]:
    """Count each server's statements on the case, and compare every floor answer, and the
    peer's, with the API's (the first server's)."""
    answers: dict[str, list[bytes]] = {}
    results: dict[str, ServerResult] = {}
    for index, server in enumerate(list(fleet.servers)):
        bodies = request_bodies(case, server)
        if bodies is None:
            continue

        async def count(
            server: Server, bodies: list[bytes] = bodies
        ) -> tuple[list[bytes], ServerResult]:
            return await count_statements(server, bodies, counter)

        answers[server.name], results[server.name] = await fleet.again(
            index, f"the check of {case.key}", count
        )
    api, *others = answers
    for variables, expected in zip(case.variable_sets, answers[api], strict=True):
        problem = graphql_problem(expected)
        if problem:
            results[api].difference = f"variables {orjson.dumps(variables).decode()}: {problem}"
            break
    for floor in others:
        for variables, expected, actual in zip(
            case.variable_sets, answers[api], answers[floor], strict=True
        ):
            if floor == peer.NAME:
                difference = peer_difference(case, variables, expected, actual)
            else:
                difference = graphql_problem(actual) or first_difference(
                    api_data(expected), orjson.loads(actual)
                )
            if difference:
                shown = orjson.dumps(variables).decode()
                results[floor].difference = f"variables {shown}: {difference}"
                path = out / f"mismatch-{_slug(case.key)}-{floor}.json"
                path.write_bytes(
                    orjson.dumps(
                        {
                            "variables": variables,
                            "api": orjson.loads(expected),
                            floor: orjson.loads(actual),
                        },
                        option=orjson.OPT_INDENT_2,
                    )
                )
                break
    return results


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


async def time_server(
    bench: Bench, server: Server, script: Path, options: Options, wrk_path: str
) -> tuple[dict[int, wrk.Run], float | None, float | None]:
    """Warm `server` with wrk, then drive it at each client count: the runs, CPU ms per
    request, and the peak RSS (None when /proc refuses to reset it)."""
    log = bench.out / "wrk.log"
    peak_known = server.reset_peak()
    await wrk.run(
        wrk_path, server.spec.base_url, script, max(options.clients), options.warm_up_seconds, log
    )
    server.ensure_alive()
    cpu = server.cpu_seconds()
    runs: dict[int, wrk.Run] = {}
    for clients in options.clients:
        runs[clients] = await wrk.run(
            wrk_path, server.spec.base_url, script, clients, options.seconds, log
        )
        server.ensure_alive()
    requests = sum(run.requests for run in runs.values())
    cpu_ms = 1000 * (server.cpu_seconds() - cpu) / requests if requests else None
    return runs, cpu_ms, server.peak_rss_mb() if peak_known else None


async def time_case(
    bench: Bench,
    case: Case,
    fleet: Fleet,
    results: dict[str, ServerResult],
    options: Options,
    wrk_path: str,
) -> None:
    """Each server in turn: warmed by wrk, then driven at each client count. The peer is left
    out of a case it has no document for, or answered differently."""
    for index, server in enumerate(list(fleet.servers)):
        bodies = request_bodies(case, server)
        result = results.get(server.name)
        if bodies is None or result is None or (server.name == peer.NAME and result.difference):
            continue
        script = bench.out / f"wrk-{_slug(case.key)}-{server.name}.lua"
        script.write_text(wrk.lua_script(bodies, server.spec.headers), encoding="utf-8")

        async def drive(
            server: Server, script: Path = script
        ) -> tuple[dict[int, wrk.Run], float | None, float | None]:
            return await time_server(bench, server, script, options, wrk_path)

        result.runs, result.cpu_ms_per_request, result.peak_rss_mb = await fleet.again(
            index, f"the timing of {case.key}", drive
        )
        for clients, run in result.runs.items():
            bench.console.print(
                f"  {case.key:8} {server.name:10} {clients:>2} clients: "
                f"{run.per_second:8.1f} req/s, p50 {run.p50_ms:7.1f} ms, p99 {run.p99_ms:7.1f} ms"
                + (f", {run.failures} failed" if run.failures else "")
            )


async def memory_check(bench: Bench, api: Server, heavy_query: Path) -> MemoryCheck:
    """The API's RSS before one heavy query, at its peak, and after it, once settled."""
    document = read_document(heavy_query)
    before = api.rss_mb()
    api.reset_peak()
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS * 5) as client:
        body = await post(client, api, orjson.dumps({"query": document.text}))
    seconds = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    check = MemoryCheck(
        query=heavy_query.name,
        before_mb=before,
        peak_mb=api.peak_rss_mb(),
        after_mb=api.rss_mb(),
        seconds=seconds,
        response_bytes=len(body),
        problem=graphql_problem(body),
    )
    bench.console.print(
        f"  memory check ({heavy_query.name}, {seconds:.1f} s, {len(body):,} bytes): RSS "
        f"{check.before_mb:.0f} MB before, {check.peak_mb:.0f} MB peak, "
        f"{check.after_mb:.0f} MB after" + (f"; {check.problem}" if check.problem else "")
    )
    return check


def ports(options: Options) -> list[int]:
    """The API's, each floor's, and the peer's."""
    if options.port is None:
        return [free_port() for _ in range(2 + len(VARIANTS))]
    return [options.port + offset for offset in range(2 + len(VARIANTS))]


async def measure(bench: Bench, options: Options, events: int, wrk_path: str) -> SizeResult:
    """Every case on the corpus of `events` events, on every server."""
    url = await bench.loaded_database(events)
    assert url.database is not None
    cases = await choose_cases(to_asyncpg_dsn(url))
    if options.cases:
        cases = [case for case in cases if case.key in options.cases]
    api_port, *floor_ports, peer_port = ports(options)
    specs = [
        api_server(url, api_port, await bench_key(url)),
        *(floor_server(v, url, port) for v, port in zip(VARIANTS, floor_ports, strict=True)),
    ]
    if peer.installed():
        specs.append(postgraphile_server(url, peer_port))
    else:
        bench.console.print("[yellow]PostGraphile 5 is not installed (make bench-peer): left out")
    results: list[CaseResult] = []
    async with AsyncExitStack() as stack:
        fleet = Fleet(stack, bench.out, str(events), bench.console)
        await fleet.start(specs)
        counter = await StatementCounter.open(bench.server_url, url.database)
        stack.push_async_callback(counter.close)
        bench.console.print(f"{events:,} events: checking {len(cases)} cases on each server")
        checked = {case.key: await check_case(case, fleet, counter, bench.out) for case in cases}
        for case in cases:
            for result in checked[case.key].values():
                if result.difference:
                    bench.console.print(f"  [red]{case.key} {result.server}: {result.difference}")
        bench.console.print(f"{events:,} events: timing")
        for case in cases:
            await time_case(bench, case, fleet, checked[case.key], options, wrk_path)
            results.append(
                CaseResult(
                    case=case.key,
                    document=case.document.name,
                    about=case.about,
                    variable_sets=len(case.variable_sets),
                    notes=case.notes,
                    servers=checked[case.key],
                )
            )

        async def check_memory(api: Server) -> MemoryCheck:
            return await memory_check(bench, api, options.heavy_query)

        memory = await fleet.again(0, "the memory check", check_memory)
        loops = {server.name: server.event_loop() for server in fleet.servers}
    return SizeResult(events, bench.corpus_rows(events), loops, results, memory, fleet.restarts)


async def run_all(bench: Bench, options: Options) -> list[SizeResult]:
    wrk_path = wrk.ensure_wrk(bench.console)
    (bench.out / "wrk.log").unlink(missing_ok=True)
    return [await measure(bench, options, events, wrk_path) for events in options.events]


def to_json(value: Any) -> Any:
    """Results as plain JSON values (dataclasses as dicts, with each run's req/s)."""
    if isinstance(value, wrk.Run):
        return {**value.__dict__, "per_second": round(value.per_second, 1)}
    if isinstance(value, MemoryCheck):
        return {**value.__dict__, "returned": value.returned}
    if hasattr(value, "__dataclass_fields__"):
        return {name: to_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _known(cls: type, value: dict[str, Any]) -> dict[str, Any]:
    """The items of `value` that are fields of the dataclass `cls` (not derived ones)."""
    names = {item.name for item in fields(cls)}
    return {key: item for key, item in value.items() if key in names}


def options_from_json(value: dict[str, Any]) -> Options:
    return Options(
        events=tuple(value["events"]),
        seconds=value["seconds"],
        warm_up_seconds=value["warm_up_seconds"],
        clients=tuple(value["clients"]),
        heavy_query=Path(value["heavy_query"]),
        port=value["port"],
        cases=tuple(value["cases"]),
        quick=value["quick"],
        baseline=None if value.get("baseline") is None else Path(value["baseline"]),
    )


def sizes_from_json(values: list[dict[str, Any]]) -> list[SizeResult]:
    """The results of a requests-*.json back as dataclasses (`to_json` reversed)."""

    def server(value: dict[str, Any]) -> ServerResult:
        runs = {int(key): wrk.Run(**_known(wrk.Run, run)) for key, run in value["runs"].items()}
        return ServerResult(**{**_known(ServerResult, value), "runs": runs})

    def case(value: dict[str, Any]) -> CaseResult:
        servers = {name: server(item) for name, item in value["servers"].items()}
        return CaseResult(**{**_known(CaseResult, value), "servers": servers})

    return [
        SizeResult(
            **{
                **_known(SizeResult, value),
                "cases": [case(item) for item in value["cases"]],
                "memory": None
                if value["memory"] is None
                else MemoryCheck(**_known(MemoryCheck, value["memory"])),
            }
        )
        for value in values
    ]
