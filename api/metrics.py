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
import socket
import threading
from collections.abc import Iterable, Iterator
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

MULTIPROCESS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


class OperationKind(Enum):
    """The `operation` label: the GraphQL operation's kind, `export` for GET /export, or `none`
    for a request refused before an operation was known (unparseable, unauthenticated, over its
    budget…)."""

    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"
    EXPORT = "export"
    NONE = "none"


REQUESTS = Counter(
    "eventgraph_requests",
    "Requests answered (GraphQL, and GET /export), by operation kind and HTTP status.",
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
RATE_LIMITED_NAME = "eventgraph_rate_limited_requests"
RATE_LIMITED = Counter(
    RATE_LIMITED_NAME,
    "Requests refused for want of budget, by key name (`anonymous` for clients without one).",
    ["key"],
)
FALLBACKS = Counter(
    "eventgraph_fallback_executions",
    "Requests the compiled execution path could not run, run by the general one instead.",
)

SUBSCRIPTIONS = Gauge(
    "eventgraph_subscriptions",
    "GraphQL subscriptions open (each with its queue of changes).",
    multiprocess_mode="livesum",
)
SUBSCRIPTION_TASKS = Gauge(
    "eventgraph_subscription_hub_tasks",
    "Tasks of the change hub running (its listener and its reader; none without subscriptions).",
    multiprocess_mode="livesum",
)
CHANGE_LISTENERS = Gauge(
    "eventgraph_change_listeners",
    "Connections listening for change notifications (one per process with subscriptions).",
    multiprocess_mode="livesum",
)
WEBSOCKETS = Gauge(
    "eventgraph_websocket_connections",
    "WebSocket connections open on /graphql.",
    multiprocess_mode="livesum",
)
DELIVERIES = Counter(
    "eventgraph_subscription_deliveries",
    "Changes sent to subscriptions' clients.",
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


def set_subscription_gauges(subscriptions: int, tasks: int, listeners: int) -> None:
    SUBSCRIPTIONS.set(subscriptions)
    SUBSCRIPTION_TASKS.set(tasks)
    CHANGE_LISTENERS.set(listeners)


def record_websocket(opened: bool) -> None:
    """A WebSocket connection opened (True) or closed (False)."""
    if opened:
        WEBSOCKETS.inc()
    else:
        WEBSOCKETS.dec()


def record_delivery() -> None:
    DELIVERIES.inc()


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


class WithoutKeyNames(Collector):
    """The metrics of `source`, with the requests refused for want of budget summed over the
    keys: what /metrics shows on the API's own port, where anyone may read it."""

    def __init__(self, source: Collector) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for family in self.source.collect():
            if family.name != RATE_LIMITED_NAME:
                yield family
                continue
            summed = Metric(family.name, family.documentation, family.type)
            total = sum(sample.value for sample in family.samples if sample.name.endswith("_total"))
            summed.add_sample(f"{family.name}_total", {}, total)
            yield summed


def exposition(directory: Path | None, *, key_names: bool = True) -> bytes:
    """The metrics in the text format: of every process writing to `directory`, or of this
    process when None; without partner key names unless `key_names`."""
    source: Collector = REGISTRY
    if directory is not None:
        source = CollectorRegistry()
        MultiProcessCollector(source, path=str(directory))  # type: ignore[no-untyped-call]
    if key_names:
        return generate_latest(source)
    public = CollectorRegistry(auto_describe=False)
    public.register(WithoutKeyNames(source))
    return generate_latest(public)


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics for Prometheus, on the API's own port (EVENTGRAPH_METRICS=public): without
    partner key names."""
    return Response(
        exposition(multiprocess_directory(), key_names=False), media_type=CONTENT_TYPE_LATEST
    )


class MetricsRequestHandler(BaseHTTPRequestHandler):
    """GET /metrics on a listener of its own (EVENTGRAPH_METRICS=HOST:PORT), the key names in:
    whoever reaches this address is the monitoring network."""

    def do_GET(self) -> None:
        if self.path.partition("?")[0] != "/metrics":
            self.send_error(404)
            return
        body = exposition(multiprocess_directory())
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Scrapes are routine: not logged."""


def serve_metrics(listener: socket.socket) -> ThreadingHTTPServer:
    """Serve GET /metrics on the bound `listener`, from a thread of this process (the supervisor
    of several workers, which adds up their files; or the one worker itself)."""
    host, port = listener.getsockname()[:2]
    server = ThreadingHTTPServer((host, port), MetricsRequestHandler, bind_and_activate=False)
    server.socket.close()
    server.socket = listener
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
