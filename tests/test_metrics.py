"""The Prometheus metrics: what a request records, GET /metrics, several worker processes, and
where /metrics is served (EVENTGRAPH_METRICS)."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy.engine import URL
from starlette.applications import Starlette
from starlette.routing import Route

from api.app import create_app
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
from api.settings import PROJECT_ROOT, Environment, Settings

EVENTGRAPH = str(Path(sys.executable).parent / "eventgraph")

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
        # On the API's port, the refusals summed over the keys; on a listener of its own, by key.
        assert samples[("eventgraph_rate_limited_requests_total", ())] == 2
        assert "Le Monde" not in (await metrics_http.get("/metrics")).text
        by_key = _samples(exposition(tmp_path).decode())
        assert by_key[("eventgraph_rate_limited_requests_total", (("key", "Le Monde"),))] == 2
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


def test_metrics_are_public_in_development_and_on_a_loopback_port_of_their_own_in_production() -> (
    None
):
    assert Settings(environment=Environment.DEVELOPMENT).metrics_place == "public"
    production = Settings(environment=Environment.PRODUCTION)
    assert production.metrics_address == ("127.0.0.1", 9464)
    assert Settings(metrics="off").metrics_address is None
    assert Settings(metrics="[::1]:9100").metrics_address == ("::1", 9100)
    with pytest.raises(ValidationError, match="expected public, off, or HOST:PORT"):
        Settings(metrics="everywhere")


@pytest.mark.parametrize(
    ("environment", "metrics", "status"),
    [
        (Environment.DEVELOPMENT, None, 200),
        (Environment.PRODUCTION, None, 404),
        (Environment.DEVELOPMENT, "off", 404),
        (Environment.PRODUCTION, "public", 200),
    ],
)
async def test_the_api_port_answers_metrics_only_when_they_are_public(
    database_url: URL, environment: Environment, metrics: str | None, status: int
) -> None:
    app = create_app(Settings(environment=environment, metrics=metrics), database_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://eventgraph.test"
        ) as http,
    ):
        assert (await http.get("/metrics")).status_code == status


def test_production_serves_metrics_on_their_own_port_added_up_over_the_workers(
    database_url: URL, tmp_path: Path
) -> None:
    port, metrics_port = _free_port(), _free_port()
    environment = {
        **os.environ,
        "EVENTGRAPH_ENVIRONMENT": "production",
        "EVENTGRAPH_PORT": str(port),
        "EVENTGRAPH_METRICS": f"127.0.0.1:{metrics_port}",
        "EVENTGRAPH_DATABASE_URL": database_url.render_as_string(hide_password=False),
        "EVENTGRAPH_DATA_DIR": str(tmp_path / "postgres"),
    }
    server = subprocess.Popen(
        [EVENTGRAPH, "serve", "--workers", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        with httpx.Client(timeout=10) as http:
            for _ in range(240):
                try:
                    http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.25)
            api = f"http://127.0.0.1:{port}"
            assert http.get(f"{api}/metrics").status_code == 404
            refused = [
                http.post(f"{api}/graphql", json={"query": "{ __typename }"}) for _ in range(6)
            ]
            assert {response.status_code for response in refused} == {401}
            response = http.get(f"http://127.0.0.1:{metrics_port}/metrics")
            assert http.get(f"http://127.0.0.1:{metrics_port}/other").status_code == 404
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, output = server.communicate(timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = _samples(response.text)
    assert samples[("eventgraph_requests_total", (("operation", "query"), ("status", "401")))] == 6
    assert f"metrics: 127.0.0.1:{metrics_port}" in output


def test_a_busy_metrics_port_is_reported_before_any_database_work(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        metrics_port = taken.getsockname()[1]
        done = subprocess.run(
            [EVENTGRAPH, "serve"],
            env={
                **os.environ,
                "EVENTGRAPH_PORT": str(_free_port()),
                "EVENTGRAPH_METRICS": f"127.0.0.1:{metrics_port}",
                "EVENTGRAPH_DATA_DIR": str(tmp_path / "postgres"),
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert (done.returncode, done.stderr) == (
        1,
        f"cannot listen on 127.0.0.1:{metrics_port} (Address already in use): stop what uses "
        "it, or choose another port with EVENTGRAPH_METRICS\n",
    )
    assert not (tmp_path / "postgres").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
