"""The Prometheus metrics: what a request records, GET /metrics, several worker processes."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.routing import Route

from api.metrics import (
    MULTIPROCESS_DIRECTORY_VARIABLE,
    OperationKind,
    exposition,
    forget_dead_processes,
    metrics_endpoint,
    record_fallback,
    record_rate_limited,
    record_request,
    set_pool_usage,
)
from api.settings import PROJECT_ROOT

# A worker: records `requests` queries and sets the pool gauges, then waits for a line on stdin
# when asked to stay alive.
WORKER = """
import sys
from api.metrics import (
    OperationKind, record_fallback, record_rate_limited, record_request, set_pool_usage,
)
requests, in_use, stay = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "stay"
for _ in range(requests):
    record_request(OperationKind.QUERY, 200, 0.01, cost=5, sql_statements=3)
record_request(OperationKind.NONE, 429, 0.001, error_codes=["RATE_LIMITED"])
set_pool_usage(in_use, 1)
record_rate_limited("Le Monde")
record_fallback()
print("ready", flush=True)
if stay:
    sys.stdin.readline()
"""


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_request_counts_in_every_instrument_it_concerns() -> None:
    watched: list[tuple[str, dict[str, str]]] = [
        ("eventgraph_requests_total", {"operation": "query", "status": "200"}),
        ("eventgraph_request_duration_seconds_count", {"operation": "query"}),
        ("eventgraph_request_duration_seconds_bucket", {"operation": "query", "le": "0.05"}),
        ("eventgraph_errors_total", {"code": "TIMEOUT"}),
        ("eventgraph_query_cost_sum", {}),
        ("eventgraph_sql_statements_per_request_bucket", {"le": "3.0"}),
    ]
    before = [_sample(name, labels) for name, labels in watched]

    record_request(OperationKind.QUERY, 200, 0.03, cost=40, sql_statements=3)
    record_request(OperationKind.QUERY, 200, 0.5, cost=2, sql_statements=7, error_codes=["TIMEOUT"])

    after = [_sample(name, labels) for name, labels in watched]
    assert [now - then for now, then in zip(after, before, strict=True)] == [2, 2, 1, 1, 42, 1]


def test_gauges_counters_of_refusals_and_fallbacks() -> None:
    refused = _sample("eventgraph_rate_limited_requests_total", {"key": "anonymous"})
    fallbacks = _sample("eventgraph_fallback_executions_total")
    set_pool_usage(4, 2)
    record_rate_limited("anonymous")
    record_fallback()
    record_fallback()
    assert _sample("eventgraph_pool_connections_in_use") == 4
    assert _sample("eventgraph_pool_waiting_requests") == 2
    assert _sample("eventgraph_rate_limited_requests_total", {"key": "anonymous"}) == refused + 1
    assert _sample("eventgraph_fallback_executions_total") == fallbacks + 2


@pytest.fixture
async def metrics_http() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Route("/metrics", metrics_endpoint, methods=["GET"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eventgraph.test") as http:
        yield http


async def test_get_metrics_answers_the_text_format(metrics_http: httpx.AsyncClient) -> None:
    record_request(OperationKind.MUTATION, 400, 0.01, error_codes=["BAD_USER_INPUT"])
    response = await metrics_http.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = _samples(response.text)
    assert (
        samples[("eventgraph_requests_total", (("operation", "mutation"), ("status", "400")))] >= 1
    )
    assert ("eventgraph_pool_connections_in_use", ()) in samples


def _worker(directory: Path, requests: int, in_use: int, *, stay: bool) -> subprocess.Popen[str]:
    environment = {**os.environ, MULTIPROCESS_DIRECTORY_VARIABLE: str(directory)}
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(requests), str(in_use), "stay" if stay else "exit"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


async def test_several_processes_are_added_up_and_dead_ones_leave_the_gauges(
    tmp_path: Path, metrics_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    staying = _worker(tmp_path, 3, in_use=2, stay=True)
    leaving = _worker(tmp_path, 4, in_use=5, stay=False)
    leaving.communicate(timeout=30)
    assert leaving.returncode == 0
    try:
        monkeypatch.setenv(MULTIPROCESS_DIRECTORY_VARIABLE, str(tmp_path))
        samples = _samples((await metrics_http.get("/metrics")).text)
        query_200 = ("eventgraph_requests_total", (("operation", "query"), ("status", "200")))
        assert samples[query_200] == 7
        assert samples[("eventgraph_errors_total", (("code", "RATE_LIMITED"),))] == 2
        assert samples[("eventgraph_query_cost_count", ())] == 7
        assert samples[("eventgraph_sql_statements_per_request_sum", ())] == 21
        refused = ("eventgraph_rate_limited_requests_total", (("key", "Le Monde"),))
        assert samples[refused] == 2
        assert samples[("eventgraph_fallback_executions_total", ())] == 2
        assert samples[("eventgraph_pool_connections_in_use", ())] == 7
        assert samples[("eventgraph_pool_waiting_requests", ())] == 2

        assert forget_dead_processes(tmp_path) == [leaving.pid]
        after = _samples(exposition(tmp_path).decode())
        assert after[("eventgraph_pool_connections_in_use", ())] == 2
        assert after[("eventgraph_pool_waiting_requests", ())] == 1
        assert after[query_200] == 7  # counters keep what dead processes counted
    finally:
        staying.communicate("done\n", timeout=30)
    assert staying.returncode == 0
