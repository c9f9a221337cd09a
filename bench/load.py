"""Loading a generated corpus into a fresh database: `eventgraph fixtures load` against its floor.

Times the two steps the command runs, on the real code, in an empty migrated database:
"validate" is `validate_paths` (read the YAML, check each object with the models, check the
corpus as a whole), "database" is `load_corpus` (COPY into staging tables, upsert, child tables,
with every index, constraint and trigger in place), "total" both: the end-to-end figure.

Then the floor, in another empty migrated database: a COPY of the same rows (built beforehand,
untimed, by the loader's own `records`) into the same tables, with every index, foreign key and
trigger in place, in one transaction: the least the database can do to hold the corpus. The
ratio is the floor's time over the loader's total, i.e. the loader's rate as a share of the
floor's.
"""

import time

import asyncpg
from sqlalchemy.engine import URL

from api.db.change_log import ACTOR_SETTING
from api.db.server import drop_database, to_asyncpg_dsn
from api.fixtures.corpus import Corpus
from api.fixtures.load import load_actor, load_corpus
from api.fixtures.load.ids import IdFactory, Ids
from api.fixtures.load.rows import records
from api.fixtures.mapping import FIXTURES
from api.fixtures.validate import validate_paths
from bench.harness import Bench, Result

DEFAULT_EVENTS = (10_000, 100_000)


async def run(bench: Bench, events: int) -> list[Result]:
    directory, generate_seconds = bench.corpus(events)
    statements = bench.corpus_rows(events)["statements"]
    results = []
    if generate_seconds is not None:
        results.append(Result("load", "generate", events, generate_seconds, statements))
    name = f"bench_load_{events}"
    url = await bench.fresh_database(name)
    bench.console.print(f"loading {events} events ({statements} statements) from {directory}")
    with bench.profiled(f"load-{events}"):
        started = time.perf_counter()
        validation = validate_paths([directory])
        validated = time.perf_counter()
        if not validation.ok:
            problems = "\n".join(str(problem) for problem in validation.problems[:20])
            raise RuntimeError(f"the generated corpus is invalid:\n{problems}")
        await load_corpus(url, validation.corpus)
        loaded = time.perf_counter()
    stored = await bench.count(url, "statements")
    if stored != statements:
        raise RuntimeError(f"{stored} statements stored, {statements} expected")
    # A 100,000-event database takes gigabytes: the measurement is all it was for.
    await drop_database(bench.server_url, name)

    floor_name = f"bench_load_floor_{events}"
    floor_url = await bench.fresh_database(floor_name)
    bench.console.print(f"copying the same rows into {floor_name} (the floor)")
    floor_seconds = await _copy_floor(floor_url, validation.corpus)
    await drop_database(bench.server_url, floor_name)

    total = loaded - started
    share: dict[str, float | int | str] = {"of floor": f"{floor_seconds / total:.0%}"}
    results += [
        Result("load", "validate", events, validated - started, statements),
        Result("load", "database", events, loaded - validated, statements),
        Result("load", "total", events, total, statements, share),
        Result("load", "floor (COPY)", events, floor_seconds, statements),
    ]
    return results


async def _copy_floor(url: URL, corpus: Corpus) -> float:
    """The seconds of a COPY of the corpus's rows into the tables, in one committed
    transaction; the rows are built first, untimed."""
    new_id = IdFactory()
    ids = {
        kind: Ids({}, (item.slug for item in getattr(corpus, kind)), new_id) for kind in FIXTURES
    }
    rows = records(corpus, ids, FIXTURES)
    # Entities first, in the mapping's order, then their lists: each after what it refers to.
    tables = [mapping.entity for mapping in FIXTURES.values()]
    tables += [child for mapping in FIXTURES.values() for child in mapping.children]
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        started = time.perf_counter()
        async with connection.transaction():
            await connection.execute("SELECT set_config($1, $2, true)", ACTOR_SETTING, load_actor())
            for table in tables:
                await connection.copy_records_to_table(
                    table.name, records=rows.pop(table.name), columns=table.columns
                )
        return time.perf_counter() - started
    finally:
        await connection.close()
