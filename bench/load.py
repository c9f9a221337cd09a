"""Loading a generated corpus into a fresh database: `eventgraph fixtures load`, end to end.

Times the two steps the command runs, on the real code, in an empty migrated database:
"validate" is `validate_paths` (read the YAML, check each object with the models, check the
corpus as a whole), "database" is `load_corpus` (COPY into staging tables, upsert, child tables,
with every index, constraint and trigger in place), "total" both: the end-to-end figure.
"""

import time

from api.fixtures.load import load_corpus
from api.fixtures.validate import validate_paths
from bench.harness import Bench, Result

DEFAULT_EVENTS = (10_000, 100_000)


async def run(bench: Bench, events: int) -> list[Result]:
    directory, generate_seconds = bench.corpus(events)
    rows = bench.corpus_rows(events)
    statements = rows["statements"]
    results = []
    if generate_seconds is not None:
        results.append(Result("load", "generate", events, generate_seconds, statements))
    url = await bench.fresh_database(f"bench_load_{events}")
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
    results += [
        Result("load", "validate", events, validated - started, statements),
        Result("load", "database", events, loaded - validated, statements),
        Result("load", "total", events, loaded - started, statements),
    ]
    return results
