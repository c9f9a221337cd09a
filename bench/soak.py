"""The soak: `eventgraph serve --workers 2` under mixed load for minutes, watched for drift
(its figures and verdicts: bench/soak_report.py).

On a generated corpus (kept in bench/out/, as the requests benchmark's), the API runs as
production does (every setting at its default but the environment) on a loopback port. Clients
in several roles send requests until the time is up or the request cap is reached:

- partners: keys with a large budget, each used by fewer clients than a key may run at once,
  sending the benchmark's documents (bench/queries/) with the corpus's variable sets: each must
  be answered 200 without errors;
- a flooder: one key used by more clients than a process lets a key run at once: refused with
  429 RATE_LIMITED when over the cap, answered otherwise;
- a thrifty key: a budget of a few points a second, spent quickly: refused with 429
  RATE_LIMITED when empty;
- bad requests: no key, an unknown key, a body that is no JSON, a document that does not parse,
  an unknown field, a selection nested too deep: each refused with its own status and code.

Anything else is an error (a 5xx, a refusal where an answer was due or with another code, a
connection error, a timeout): the soak passes with none. Every interval it reads each worker's
RSS from /proc and the latencies of the partners' queries (p50, p99). It passes when, after
the warm-up, each worker's RSS stays within 10 % of what it was at the end of the warm-up, and
the p99 of the last third of the intervals is at most 1.5 times that of the first third.
"""

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.keys import Scope, create_key
from bench.harness import Bench
from bench.servers import ServerSpec, api_server, free_port, running
from bench.soak_report import summary
from bench.variables import Case, choose_cases

WORKERS = 2
REQUEST_TIMEOUT_SECONDS = 30.0
PARTNERS = 3
CLIENTS_PER_PARTNER = 2
FLOODER_CLIENTS = 10
THRIFTY_CLIENTS = 2
BAD_CLIENTS = 2
THINK_SECONDS = (0.005, 0.05)
"""Each client waits a random time in this range between requests: a steady load that leaves
the shared machine some room, not a saturation test."""

TOO_DEEP = (
    "{ events { nodes { participants { participant { events { nodes { participants "
    "{ participant { events { nodes { participants { participant { id } } } } } } } } } } } } }"
)
UNKNOWN_KEY = "eg_live_00000000_" + "0" * 40


@dataclass(frozen=True)
class BadRequest:
    """A request refused with its own status and code; sent with a partner's key unless
    `key` says otherwise ("none", or "unknown": a well-formed key that does not exist)."""

    body: bytes
    status: int
    code: str
    key: str = "partner"


BAD_REQUESTS = {
    "no key": BadRequest(b'{"query": "{ __typename }"}', 401, "UNAUTHENTICATED", key="none"),
    "unknown key": BadRequest(
        b'{"query": "{ __typename }"}', 401, "UNAUTHENTICATED", key="unknown"
    ),
    "not json": BadRequest(b"{not json", 400, "BAD_USER_INPUT"),
    # A document refused before it runs is a GraphQL answer: 200, with the error's code.
    "unparsable": BadRequest(b'{"query": "{ events { "}', 200, "GRAPHQL_PARSE_FAILED"),
    "unknown field": BadRequest(
        b'{"query": "{ events { nodes { colour } } }"}', 200, "GRAPHQL_VALIDATION_FAILED"
    ),
    "too deep": BadRequest(orjson.dumps({"query": TOO_DEEP}), 200, "QUERY_TOO_COMPLEX"),
}


@dataclass(frozen=True)
class Options:
    minutes: float
    interval_seconds: float
    warm_up_minutes: float
    events: int
    max_requests: int
    port: int | None


@dataclass
class Interval:
    """What one interval saw."""

    started: float
    outcomes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    rss_mb: dict[int, float] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def percentile(self, fraction: float) -> float | None:
        if len(self.latencies) < 2:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


@dataclass
class Soak:
    options: Options
    base_url: str
    cases: list[Case]
    deadline: float
    intervals: list[Interval] = field(default_factory=list)
    sent: int = 0

    @property
    def current(self) -> Interval:
        return self.intervals[-1]

    def over(self) -> bool:
        return time.monotonic() >= self.deadline or self.sent >= self.options.max_requests

    def error(self, kind: str, what: str) -> None:
        self.current.errors[f"{kind}: {what}"] += 1


def document_body(case: Case, rng: random.Random) -> bytes:
    variables = rng.choice(list(case.variable_sets))
    return orjson.dumps({"query": case.document.text, "variables": variables})


def code_of(answer: Any) -> str | None:
    try:
        return str(answer["errors"][0]["extensions"]["code"])
    except (KeyError, IndexError, TypeError):
        return None


async def send(
    soak: Soak, http: httpx.AsyncClient, key: str | None, body: bytes
) -> tuple[int, Any, float] | None:
    """POST /graphql; None (an error recorded) on a transport failure."""
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    soak.sent += 1
    started = time.perf_counter()
    try:
        response = await http.post("/graphql", content=body, headers=headers)
    except httpx.HTTPError as failure:
        soak.error("transport", type(failure).__name__)
        return None
    seconds = time.perf_counter() - started
    try:
        answer = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        answer = None
    return response.status_code, answer, seconds


async def keyed_client(soak: Soak, role: str, key: str, seed: int, refusable: bool) -> None:
    """A client of `key`: queries, each answered; refused (429) only when `refusable`."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=soak.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        while not soak.over():
            case = rng.choice(soak.cases)
            sent = await send(soak, http, key, document_body(case, rng))
            if sent is not None:
                status, answer, seconds = sent
                if status == 200 and answer is not None and "errors" not in answer:
                    soak.current.outcomes[f"{role} answered"] += 1
                    if role == "partner":
                        soak.current.latencies.append(seconds)
                elif refusable and status == 429 and code_of(answer) == "RATE_LIMITED":
                    soak.current.outcomes[f"{role} refused (429 RATE_LIMITED)"] += 1
                else:
                    soak.error(role, f"{status} {code_of(answer)}")
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def bad_client(soak: Soak, key: str, seed: int) -> None:
    """Requests each refused with a status and code of their own."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=soak.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        while not soak.over():
            kind = rng.choice(list(BAD_REQUESTS))
            bad = BAD_REQUESTS[kind]
            given = {"none": None, "unknown": UNKNOWN_KEY}.get(bad.key, key)
            sent = await send(soak, http, given, bad.body)
            if sent is not None:
                if (sent[0], code_of(sent[1])) == (bad.status, bad.code):
                    soak.current.outcomes[f"bad: {kind} ({bad.status} {bad.code})"] += 1
                else:
                    soak.error(f"bad: {kind}", f"{sent[0]} {code_of(sent[1])}")
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))


def workers_of(supervisor: int) -> list[int]:
    """The worker processes of `eventgraph serve` (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if parent == supervisor and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def watch(soak: Soak, supervisor: int, console: Any) -> None:
    """Close an interval every `interval_seconds`: read the workers' RSS, print a line."""
    workers = workers_of(supervisor)
    while True:
        await asyncio.sleep(soak.options.interval_seconds)
        interval = soak.current
        now = workers_of(supervisor)
        if now != workers:
            interval.errors[f"workers changed: {workers} -> {now}"] += 1
            workers = now
        interval.rss_mb = {pid: value for pid in now if (value := rss_mb(pid)) is not None}
        console.print(line_of(len(soak.intervals), interval))
        if soak.over():
            return
        soak.intervals.append(Interval(time.monotonic()))


def line_of(number: int, interval: Interval) -> str:
    p50, p99 = interval.percentile(0.5), interval.percentile(0.99)
    rss = ", ".join(f"{value:.1f}" for value in interval.rss_mb.values())
    return (
        f"interval {number:>3}: {sum(interval.outcomes.values()):>6} expected outcomes, "
        f"{sum(interval.errors.values())} errors, partner p50 {p50 or 0:.1f} ms "
        f"p99 {p99 or 0:.1f} ms, worker RSS {rss} MB"
    )


async def make_keys(database: URL) -> tuple[list[str], str, str]:
    suffix = uuid.uuid4().hex[:8]
    connection = await asyncpg.connect(to_asyncpg_dsn(database))
    try:

        async def key(name: str, capacity: int, restore: float) -> str:
            created = await create_key(
                connection,
                f"soak-{name}-{suffix}",
                {Scope.READ},
                budget_capacity=capacity,
                budget_restore_per_second=restore,
            )
            return created.secret

        partners = [await key(f"partner{i}", 2_000_000_000, 1e9) for i in range(PARTNERS)]
        flooder = await key("flooder", 2_000_000_000, 1e9)
        thrifty = await key("thrifty", 200, 20.0)
    finally:
        await connection.close()
    return partners, flooder, thrifty


def api_spec(database: URL, port: int) -> ServerSpec:
    """The API as the requests benchmark starts it, with two workers and the default cap of
    requests a key may run at once (the flooder must meet it)."""
    spec = api_server(database, port, key="")
    environment = {
        name: value
        for name, value in spec.environment.items()
        if name != "EVENTGRAPH_MAX_CONCURRENT_REQUESTS_PER_CLIENT"
    }
    command = (*spec.command, "--workers", str(WORKERS))
    return replace(spec, name="api-soak", command=command, environment=environment, headers=())


async def run(bench: Bench, options: Options) -> dict[str, Any]:
    database = await bench.loaded_database(options.events)
    cases = await choose_cases(to_asyncpg_dsn(database))
    partners, flooder, thrifty = await make_keys(database)
    spec = api_spec(database, options.port or free_port())
    log = bench.out / "serve-api-soak.log"
    log.unlink(missing_ok=True)
    async with running(spec, log) as server:
        # /healthz answers once one worker is up: give the other its start too (the first
        # intervals are the warm-up in any case).
        await asyncio.sleep(5)
        if len(workers_of(server.process.pid)) != WORKERS:
            raise RuntimeError(f"not {WORKERS} workers: {workers_of(server.process.pid)}")
        soak = Soak(
            options,
            spec.base_url,
            cases,
            time.monotonic() + options.minutes * 60,
            [Interval(time.monotonic())],
        )
        bench.console.print(
            f"soak: {options.minutes:g} min on {options.events:,} events, "
            f"workers {workers_of(server.process.pid)}, {spec.base_url}"
        )
        clients = [
            *(
                keyed_client(soak, "partner", partners[i % PARTNERS], i, refusable=False)
                for i in range(PARTNERS * CLIENTS_PER_PARTNER)
            ),
            *(
                keyed_client(soak, "flooder", flooder, 100 + i, True)
                for i in range(FLOODER_CLIENTS)
            ),
            *(
                keyed_client(soak, "thrifty", thrifty, 200 + i, True)
                for i in range(THRIFTY_CLIENTS)
            ),
            *(bad_client(soak, partners[0], 300 + i) for i in range(BAD_CLIENTS)),
        ]
        await asyncio.gather(watch(soak, server.process.pid, bench.console), *clients)
    return summary(soak)
