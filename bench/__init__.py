"""Benchmarks of eventgraph: `make bench`, or `python -m bench [NAME ...] [--events N ...]`.

A benchmark is a module of this package with

    DEFAULT_EVENTS: tuple[int, ...]                     # the corpus sizes `make bench` runs
    async def run(bench: Bench, events: int) -> list[Result]

registered in `bench.__main__.BENCHMARKS`. `Bench` (bench/harness.py) gives it generated corpora
(cached in bench/out/), fresh or loaded databases on one embedded PostgreSQL, and a profiler.
Results are printed as a table and appended to bench/out/results.jsonl; the ones worth keeping
are recorded by hand in docs/benchmarks.md. Tests never assert a time.
"""
