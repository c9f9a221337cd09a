"""Benchmarks of eventgraph: `python -m bench load|requests [options]` (bench/__main__.py).

- `load` (bench/load.py): loading generated corpora of 10,000 and 100,000 events, timed;
- `requests` (bench/requests.py, `make bench` and `make bench-quick`): GraphQL over HTTP with
  wrk, the API against its floor (bench/floor.py), on 1,000 to 100,000 events;
- `soak` (bench/soak.py, `make soak`): `eventgraph serve --workers 2` under mixed load for
  30 minutes, its workers' RSS, errors and p99 per interval.

`Bench` (bench/harness.py) gives them generated corpora (cached in bench/out/), fresh or loaded
databases on one embedded PostgreSQL with pg_stat_statements, and a profiler. Results are printed
and kept in bench/out/; the ones worth keeping are recorded by hand in docs/benchmarks.md.
Tests never assert a time.
"""
