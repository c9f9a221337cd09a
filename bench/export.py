"""The bulk export (`GET /export`) against its floor, on a generated corpus.

- **API**: `eventgraph serve` as production runs it (`api_server`, a key whose budget no run
  exhausts) streams the whole corpus, every type, once as sent (identity) and once gzip; this
  process reads the body as it comes and counts its lines. Its peak RSS is the process's VmHWM,
  restarted (`reset_peak`) just before each export: the memory an export takes, whatever the
  corpus, next to the body's size.
- **floor**: the same SQL (`api.store.export.export_lines`, compiled as the API compiles it)
  sent by hand over asyncpg from this process, as the API sends it: one REPEATABLE READ READ
  ONLY transaction, one server-side cursor per type, 1,000 rows a fetch, each batch joined into
  bytes. What the API adds to it is HTTP, the budget's debits, the event loop and the client.

The figure is lines per second, and the API's as a ratio of the floor's in the same run.
"""

import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
import httpx
import orjson

from api.db.server import to_asyncpg_dsn
from api.export import BATCH_LINES
from api.store.changes import FeedPosition
from api.store.export import EXPORT_ORDER, ExportPosition, export_lines
from api.store.statements import compile_statement
from bench.harness import Bench
from bench.servers import Server, api_server, bench_key, free_port, running

DEFAULT_EVENTS = (100_000,)
TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Run:
    """One whole export: who served it, how, and what it took."""

    server: str
    encoding: str
    lines: int
    body_bytes: int
    seconds: float
    rss_before_mb: float | None = None
    rss_peak_mb: float | None = None

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds


@dataclass(frozen=True)
class ExportResult:
    events: int
    rows: dict[str, int]
    runs: list[Run]


async def api_export(server: Server, gzip: bool) -> Run:
    """GET /export of every type from `server`, the body read and its lines counted."""
    headers = dict(server.spec.headers)
    headers["Accept-Encoding"] = "gzip" if gzip else "identity"
    inflate = zlib.decompressobj(31) if gzip else None
    lines = body_bytes = 0
    before = server.rss_mb()
    server.reset_peak()
    started = time.perf_counter()
    async with (
        httpx.AsyncClient(base_url=server.spec.base_url, timeout=TIMEOUT_SECONDS) as client,
        client.stream("GET", "/export", headers=headers) as response,
    ):
        response.raise_for_status()
        last = b""
        async for chunk in response.aiter_raw():
            body_bytes += len(chunk)
            text = inflate.decompress(chunk) if inflate is not None else chunk
            lines += text.count(b"\n")
            last = (last + text)[-200:]
    seconds = time.perf_counter() - started
    if b'{"cursor"' not in last:
        raise RuntimeError(f"the export ended without its cursor line: {last!r}")
    return Run(
        "api",
        "gzip" if gzip else "identity",
        lines - 1,
        body_bytes,
        seconds,
        before,
        server.peak_rss_mb(),
    )


async def floor_export(dsn: str) -> Run:
    """The export's SQL sent by hand: one snapshot, a cursor per type, 1,000 rows a fetch."""
    connection = await asyncpg.connect(dsn, server_settings={"TimeZone": "UTC"})
    lines = body_bytes = 0
    started = time.perf_counter()
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_current_snapshot()::text")
            position = ExportPosition(FeedPosition.of_snapshot(snapshot), EXPORT_ORDER)
            for entity in EXPORT_ORDER:
                statement = compile_statement(export_lines(entity, resumed=False))
                arguments = statement.arguments([position.token_prefix(entity), None])
                cursor = await connection.cursor(statement.sql, *arguments)
                while rows := await cursor.fetch(BATCH_LINES):
                    body = b"".join(row[0].encode() + b"\n" for row in rows)
                    lines += len(rows)
                    body_bytes += len(body)
    finally:
        await connection.close()
    return Run("floor", "identity", lines, body_bytes, time.perf_counter() - started)


async def run(bench: Bench, events: int) -> ExportResult:
    url = await bench.loaded_database(events)
    spec = api_server(url, free_port(), await bench_key(url))
    runs: list[Run] = []
    log = bench.out / f"serve-export-{events}.log"
    log.unlink(missing_ok=True)
    async with running(spec, log) as server:
        # A first, untimed pass warms PostgreSQL's cache for both: the floor runs after it too.
        bench.console.print(f"{events:,} events: warming up (one export, untimed)")
        await floor_export(to_asyncpg_dsn(url))
        for gzip in (False, True):
            runs.append(await api_export(server, gzip))
            _print(bench, runs[-1])
        runs.append(await floor_export(to_asyncpg_dsn(url)))
        _print(bench, runs[-1])
    return ExportResult(events, bench.corpus_rows(events), runs)


def _print(bench: Bench, run_: Run) -> None:
    memory = (
        f", RSS {run_.rss_before_mb:.0f} MB before, {run_.rss_peak_mb:.0f} MB peak"
        if run_.rss_peak_mb is not None
        else ""
    )
    bench.console.print(
        f"  {run_.server:5} {run_.encoding:8}: {run_.lines:,} lines in {run_.seconds:.1f} s, "
        f"{run_.lines_per_second:,.0f} lines/s, {run_.body_bytes / 1e6:,.0f} MB{memory}"
    )


def markdown(results: list[ExportResult], about: dict[str, str], command: str) -> str:
    """The results as docs/benchmarks.md shows them."""
    rows = [
        "| events | lines | server | encoding | lines/s | × floor | body | RSS before → peak |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        floor = next(item for item in result.runs if item.server == "floor")
        for item in result.runs:
            memory = (
                f"{item.rss_before_mb:.0f} → {item.rss_peak_mb:.0f} MB"
                if item.rss_before_mb is not None and item.rss_peak_mb is not None
                else "(in the bench)"
            )
            rows.append(
                f"| {result.events:,} | {item.lines:,} | {item.server} | {item.encoding} | "
                f"{item.lines_per_second:,.0f} | "
                f"{item.lines_per_second / floor.lines_per_second:.2f} | "
                f"{item.body_bytes / 1e6:,.0f} MB | {memory} |"
            )
    machine = ", ".join(f"{key}: {value}" for key, value in about.items())
    return "\n".join([f"`{command}` ({machine})", "", *rows])


def write(out: Path, results: list[ExportResult], about: dict[str, str], command: str) -> str:
    """Keep the results (bench/out/export-<time>.json) and return their Markdown."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    document = {
        "command": command,
        "machine": about,
        "results": [
            {**asdict(result), "runs": [asdict(item) for item in result.runs]} for result in results
        ],
    }
    (out / f"export-{stamp}.json").write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return markdown(results, about, command)


async def run_all(bench: Bench, events: tuple[int, ...]) -> list[ExportResult]:
    return [await run(bench, size) for size in events]
