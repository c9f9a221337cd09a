"""The API's Prometheus metrics, and GET /metrics in the text exposition format.

Several worker processes are served through prometheus-client's multiprocess mode: with
PROMETHEUS_MULTIPROC_DIR set in the environment before the process starts (an empty folder
writable by every worker), each process writes its values to files there and /metrics, in any
worker, adds up the files of all of them. Without it, a process exposes its own values only,
which is right for a single process. Gauges count only live processes: each worker calls
`forget_dead_processes` at start, which drops the gauges that a worker gone before left behind.
"""

import os
import re
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.requests import Request
from starlette.responses import Response

MULTIPROCESS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


class OperationKind(Enum):
    """The `operation` label: the GraphQL operation's kind, or `none` for a request refused
    before an operation was known (unparseable, unauthenticated, over its budget…)."""

    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"
    NONE = "none"


REQUESTS = Counter(
    "eventgraph_requests",
    "GraphQL requests answered, by operation kind and HTTP status.",
    ["operation", "status"],
)
REQUEST_SECONDS = Histogram(
    "eventgraph_request_duration_seconds",
    "Time from request to response, by operation kind.",
    ["operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter("eventgraph_errors", "GraphQL errors sent, by their extensions.code.", ["code"])
QUERY_COST = Histogram(
    "eventgraph_query_cost",
    "The cost of each query that was executed.",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000),
)
SQL_STATEMENTS = Histogram(
    "eventgraph_sql_statements_per_request",
    "SQL statements one request ran.",
    buckets=(0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50),
)
POOL_IN_USE = Gauge(
    "eventgraph_pool_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "eventgraph_pool_waiting_requests",
    "Requests waiting for a database connection.",
    multiprocess_mode="livesum",
)
RATE_LIMITED = Counter(
    "eventgraph_rate_limited_requests",
    "Requests refused for want of budget, by key name (`anonymous` for clients without one).",
    ["key"],
)
FALLBACKS = Counter(
    "eventgraph_fallback_executions",
    "Requests the compiled execution path could not run, run by the general one instead.",
)


def record_request(
    kind: OperationKind,
    status: int,
    seconds: float,
    *,
    cost: int | None = None,
    sql_statements: int | None = None,
    error_codes: Iterable[str] = (),
) -> None:
    """Everything one answered request counts for: call once per request, when it is done."""
    REQUESTS.labels(operation=kind.value, status=str(status)).inc()
    REQUEST_SECONDS.labels(operation=kind.value).observe(seconds)
    for code in error_codes:
        ERRORS.labels(code=code).inc()
    if cost is not None:
        QUERY_COST.observe(cost)
    if sql_statements is not None:
        SQL_STATEMENTS.observe(sql_statements)


def set_pool_usage(in_use: int, waiting: int) -> None:
    POOL_IN_USE.set(in_use)
    POOL_WAITING.set(waiting)


def record_rate_limited(key_name: str) -> None:
    RATE_LIMITED.labels(key=key_name).inc()


def record_fallback() -> None:
    FALLBACKS.inc()


def multiprocess_directory() -> Path | None:
    value = os.environ.get(MULTIPROCESS_DIRECTORY_VARIABLE)
    return Path(value) if value else None


def forget_dead_processes(directory: Path) -> list[int]:
    """Drop the live-gauge files of processes no longer running; returns their ids."""
    dead = []
    for path in directory.glob("gauge_live*.db"):
        match = LIVE_GAUGE_FILE.match(path.name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
            dead.append(pid)
        except PermissionError:
            continue  # running, as another user
    return sorted(set(dead))


def exposition(directory: Path | None) -> bytes:
    """The metrics in the text format: of every process writing to `directory`, or of this
    process when None."""
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry)


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics for Prometheus."""
    return Response(exposition(multiprocess_directory()), media_type=CONTENT_TYPE_LATEST)
