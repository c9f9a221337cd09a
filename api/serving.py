"""Serving the API the way production does: uvicorn with uvloop and httptools, N workers.

`eventgraph serve` binds the port first (a busy port is reported before any database work),
prepares the database, then hands the bound socket to uvicorn, whose workers each build the app
with `application()`; on SIGINT or SIGTERM the socket stops listening at once
(`stop_listening`). Uvicorn configures each process's logging from `log_config` (the format
chosen once, here: one for it and the app); what else a process needs once happens when its app has
started: the garbage collector tuned, and the objects built at start-up frozen out of its view.
"""

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api.db.server import to_async_url
from api.logs import chosen_format, log_config
from api.metrics import MULTIPROCESS_DIRECTORY_VARIABLE, forget_dead_processes, serve_metrics
from api.settings import Settings

log = logging.getLogger(__name__)

# A GraphQL response allocates many short-lived objects; generation-0 collections at the
# default threshold (700) kept walking them, and raising the thresholds bought 36-46 %
# throughput at 16 clients before the compiled path. The long-lived start-up objects (schema,
# caches, the app) are frozen out of the collector's view once the app has started.
GC_THRESHOLDS = (50_000, 50, 100)
GRACEFUL_SHUTDOWN_SECONDS = 10


class PortInUseError(Exception):
    pass


def bind(host: str, port: int, setting: str = "EVENTGRAPH_PORT") -> socket.socket:
    """A listening socket on host:port, or PortInUseError saying what to do (`setting` is the
    variable that chose the port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        advice = "PORT=… (make run) or EVENTGRAPH_PORT" if setting == "EVENTGRAPH_PORT" else setting
        raise PortInUseError(
            f"cannot listen on {host}:{port} ({error.strerror}): stop what uses it, or choose "
            f"another port with {advice}"
        ) from None
    # Accepted connections inherit this. uvicorn sets no TCP_NODELAY on a socket it is handed:
    # without it, a response written in two parts waits ~40 ms for the client's delayed ACK
    # (Nagle's algorithm), on every request.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def application() -> Starlette:
    """The app of one worker process, from its environment (see `serve`)."""
    from api.app import create_app

    settings = Settings()
    directory = os.environ.get(MULTIPROCESS_DIRECTORY_VARIABLE)
    if directory:
        forget_dead_processes(Path(directory))
    assert settings.database_url is not None, "serve passes the database URL to its workers"
    return create_app(
        settings, to_async_url(settings.database_url), on_started=tune_garbage_collector
    )


def stop_listening(listener: socket.socket) -> None:
    """Refuse new connections from now on, in every process sharing `listener`.

    On Linux, shutting a listening socket down takes it out of the listening state for every
    descriptor of it, in every process: new connections are refused at once, instead of being
    completed by the kernel into a backlog that nobody accepts from any more and reset when the
    last process exits (which a load balancer does not retry for a POST). Connections already
    accepted are untouched and finish within the grace period.
    """
    with contextlib.suppress(OSError):  # not listening (any more): nothing to stop
        listener.shutdown(socket.SHUT_RD)


class DrainingServer(uvicorn.Server):
    """uvicorn's server, which stops listening the moment it is told to stop (one worker)."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        super().__init__(config)
        self.listener = listener

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        stop_listening(self.listener)
        super().handle_exit(sig, frame)


def stop_listening_on(signals: tuple[signal.Signals, ...], listener: socket.socket) -> None:
    """Before the handlers installed for `signals` run, stop listening (the supervisor of
    several workers: it tells them to stop only at its next check, up to half a second later)."""
    for number in signals:
        previous = signal.getsignal(number)

        def handler(sig: int, frame: FrameType | None, previous: object = previous) -> None:
            stop_listening(listener)
            if callable(previous):
                previous(sig, frame)

        signal.signal(number, handler)


def serve(
    listener: socket.socket,
    database_url: str,
    settings: Settings,
    workers: int,
    metrics_listener: socket.socket | None = None,
) -> None:
    """Serve on the bound `listener` until interrupted; in-flight requests finish first, and
    from the signal on, new connections are refused. /metrics is served on `metrics_listener`
    when there is one (EVENTGRAPH_METRICS=HOST:PORT)."""
    os.environ["EVENTGRAPH_DATABASE_URL"] = database_url
    if workers > 1 and MULTIPROCESS_DIRECTORY_VARIABLE not in os.environ:
        # prometheus-client adds up the workers' metrics from files in this folder.
        os.environ[MULTIPROCESS_DIRECTORY_VARIABLE] = tempfile.mkdtemp(prefix="eventgraph-metrics-")
    if metrics_listener is not None:
        serve_metrics(metrics_listener)
    config = uvicorn.Config(
        "api.serving:application",
        factory=True,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_config=log_config(
            settings.log_level, *chosen_format(settings.log_format, settings.is_development)
        ),
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    # What uvicorn.run does with a bound socket, with the listening stopped at the signal.
    if workers > 1:
        supervisor = Multiprocess(config, sockets=[listener])
        stop_listening_on((signal.SIGINT, signal.SIGTERM), listener)
        supervisor.run()
        return
    server = DrainingServer(config, listener)
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(STARTUP_FAILURE)
