"""GraphQL requests: requests per second and milliseconds per request, in-process and over HTTP.

Two queries, the ones `tests/schema/test_statement_counts.py` pins:

- "meeting": one meeting of the seed corpus with its participants, 100 quotes (speakers with
  their French name, reporters, topics) and its topics;
- "events page": 20 events of the generated corpus of `events` events, each with participants,
  topics and its first 5 quotes with their speakers.

"in-process" posts them one after the other through httpx's ASGITransport to `create_app` (no
socket, no server: the cost of the application itself). "http" starts `eventgraph serve` (one
uvicorn worker, on a loopback port) in a subprocess and drives it with 1 and 16 concurrent
httpx clients, a fixed number of requests per run (or until the run's time limit), and keeps
the median of 3 runs, interleaved. Every response is checked to carry data and no error.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import URL

from api.app import create_app
from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT, Settings
from bench.harness import Bench, Result

DEFAULT_EVENTS = (10_000,)

SEED = PROJECT_ROOT / "fixtures" / "seed"
SEED_DATABASE = "bench_seed"
MEETING_QUERY = """{ event(slug: "xi-putin-video-call-2026-02-04") { title
  participants { role participant { name } } statements(first: 100) { totalCount nodes { text
  kind speaker { name(language: "fr") } reportedBy { name } topics { label } } } topics { label } }
}"""
EVENTS_QUERY = """{ events(first: 20) { nodes { title participants { participant { name } }
  topics { label } statements(first: 5) { nodes { text speaker { name } } } } } }"""

WARM_UP = 20
IN_PROCESS_REQUESTS = 200
HTTP_REQUESTS = 240
RUN_SECONDS = 30.0
RUNS = 3
CONCURRENCY = (1, 16)
SERVER_START_SECONDS = 60.0


@dataclass
class Case:
    name: str
    url: URL
    events: int
    query: str


@dataclass
class Timing:
    """`requests` requests in `seconds` of wall time, with each one's latency."""

    requests: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def notes(self, concurrency: int) -> dict[str, float | int | str]:
        ordered = sorted(self.latencies)
        return {
            "requests": self.requests,
            "concurrency": concurrency,
            "req/s": round(self.per_second, 1),
            "ms/request": round(1000 * self.seconds / self.requests, 2),
            "p50 ms": round(1000 * ordered[len(ordered) // 2], 1),
            "p95 ms": round(1000 * ordered[int(len(ordered) * 0.95)], 1),
        }


async def run(bench: Bench, events: int) -> list[Result]:
    seed_url = await seed_database(bench)
    generated_url = await bench.loaded_database(events)
    cases = [
        Case("meeting", seed_url, await bench.count(seed_url, "events") or 0, MEETING_QUERY),
        Case("events page", generated_url, events, EVENTS_QUERY),
    ]
    results: list[Result] = []
    for case in cases:
        bench.console.print(f"in-process: {case.name} ({case.events:,} events)")
        timing = await in_process(bench, case)
        results.append(
            Result(
                "requests",
                f"{case.name}, in-process",
                case.events,
                timing.seconds,
                0,
                timing.notes(1),
            )
        )
    results += await over_http(bench, cases)
    return results


async def seed_database(bench: Bench) -> URL:
    """A database holding the seed corpus (loaded afresh: it takes a second)."""
    url = await bench.fresh_database(SEED_DATABASE)
    await load_fixtures(url, [SEED])
    return url


def check(body: dict[str, Any]) -> None:
    if body.get("errors") or not body.get("data"):
        raise RuntimeError(f"the query failed: {str(body)[:500]}")


# ---------------------------------------------------------------- in-process


async def in_process(bench: Bench, case: Case) -> Timing:
    app = create_app(Settings(), case.url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(WARM_UP):
                check((await client.post("/graphql", json={"query": case.query})).json())
            latencies = []
            slug = case.name.replace(" ", "-")
            with bench.profiled(f"requests-{slug}-{case.events}"):
                started = time.perf_counter()
                for _ in range(IN_PROCESS_REQUESTS):
                    sent = time.perf_counter()
                    response = await client.post("/graphql", json={"query": case.query})
                    latencies.append(time.perf_counter() - sent)
                    check(response.json())
                seconds = time.perf_counter() - started
    return Timing(IN_PROCESS_REQUESTS, seconds, latencies)


# ---------------------------------------------------------------- over HTTP


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def server(bench: Bench, url: URL) -> AsyncIterator[str]:
    """`eventgraph serve` on `url`, one worker on a loopback port; yields its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "EVENTGRAPH_DATABASE_URL": url.render_as_string(hide_password=False),
        "EVENTGRAPH_HOST": "127.0.0.1",
        "EVENTGRAPH_PORT": str(port),
    }
    log_path = bench.out / "requests-serve.log"
    executable = Path(sys.executable).with_name("eventgraph")
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(executable), "serve", env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_until_up(process, base, log_path)
            yield base
        finally:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_until_up(process: asyncio.subprocess.Process, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"eventgraph serve exited; see {log_path}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"eventgraph serve did not start in {SERVER_START_SECONDS} s")


async def drive(base: str, query: str, concurrency: int, requests: int) -> Timing:
    """`requests` requests from `concurrency` clients (fewer if the time limit comes first)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    remaining = requests
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        for _ in range(2):  # warm the connections and the server's caches
            check((await client.post("/graphql", json={"query": query})).json())
        started = time.perf_counter()
        deadline = started + RUN_SECONDS

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                sent = time.perf_counter()
                response = await client.post("/graphql", json={"query": query})
                latencies.append(time.perf_counter() - sent)
                check(response.json())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Timing(len(latencies), seconds, latencies)


async def over_http(bench: Bench, cases: list[Case]) -> list[Result]:
    results: list[Result] = []
    for case in cases:
        async with server(bench, case.url) as base:
            # Warm the server: the first requests parse, validate and fill the pool.
            await drive(base, case.query, 16, 32)
            runs: dict[int, list[Timing]] = {concurrency: [] for concurrency in CONCURRENCY}
            for number in range(RUNS):
                for concurrency in CONCURRENCY:
                    timing = await drive(base, case.query, concurrency, HTTP_REQUESTS)
                    bench.console.print(
                        f"http: {case.name}, {concurrency} clients, run {number + 1}: "
                        f"{timing.per_second:.1f} req/s"
                    )
                    runs[concurrency].append(timing)
        for concurrency, timings in runs.items():
            median = sorted(timings, key=lambda timing: timing.per_second)[len(timings) // 2]
            notes = median.notes(concurrency)
            notes["runs req/s"] = " ".join(f"{timing.per_second:.1f}" for timing in timings)
            results.append(
                Result(
                    "requests",
                    f"{case.name}, http x{concurrency}",
                    case.events,
                    median.seconds,
                    0,
                    notes,
                )
            )
    return results
