"""`python -m bench load|requests [options]`: run one benchmark (`make bench` runs them all).

- `load [--events N ...] [--profile]`: `eventgraph fixtures load` of a generated corpus, timed
  against its floor, a COPY of the same rows into the same tables (bench/load.py);
- `requests [--quick] [--events N ...] [--seconds S] [--clients N ...] [--case Q ...]
  [--heavy-query FILE] [--port P] [--baseline FILE]`: GraphQL over HTTP, the API against its floor
  (bench/requests.py); `--quick` is the smoke run of `make bench-quick`;
- `soak [--minutes M] [--interval S] [--warm-up M] [--events N] [--max-requests N] [--port P]`:
  `eventgraph serve --workers 2` under mixed load (bench/soak.py; `make soak`);
- `export [--events N ...]`: `GET /export` of a whole corpus against its floor, lines per second
  and the server's peak RSS (bench/export.py);
- `subscriptions`: the change feed pushed over WebSocket, fanned out to 1, 100 and 1,000
  subscribers of one process, and followed by one (bench/subscriptions.py; `make bench` runs it
  after `requests`);
- `report RESULTS [--baseline FILE]`: the Markdown of an earlier `requests` run, again.
"""

import argparse
import asyncio
import shlex
import sys
from dataclasses import replace
from pathlib import Path

import orjson

from bench import (
    export,
    load,
    mutations,
    request_report,
    requests,
    soak,
    soak_report,
    subscriptions,
)
from bench.harness import OUT, Bench, Result, bench_server, machine, report

QUICK_SECONDS, SECONDS = 3.0, 8.0
QUICK_WARM_UP, WARM_UP = 1.0, 2.0
QUICK_CLIENTS, CLIENTS = (16,), (1, 16)
QUICK_EVENTS_TEXT = " and ".join(f"{events:,}" for events in requests.QUICK_EVENTS)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated corpora")
    commands = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")

    loading = commands.add_parser("load", help="time loading generated corpora")
    loading.add_argument(
        "--events", type=int, action="append", help="corpus size, in events (repeatable)"
    )
    loading.add_argument("--profile", action="store_true", help="profile with cProfile")

    serving = commands.add_parser("requests", help="GraphQL over HTTP: the API and its floor")
    serving.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: {QUICK_EVENTS_TEXT} events, {QUICK_CLIENTS[0]} clients, "
        f"{QUICK_SECONDS:g} s per run",
    )
    serving.add_argument(
        "--events", type=int, action="append", help="corpus size, in events (repeatable)"
    )
    serving.add_argument("--seconds", type=float, help="seconds per timed run")
    serving.add_argument("--warm-up", type=float, help="seconds of warm-up per case and server")
    serving.add_argument(
        "--clients", type=int, action="append", help="concurrent clients (repeatable)"
    )
    serving.add_argument(
        "--case", action="append", default=[], help='only this case ("Q3", "Q1 long"; repeatable)'
    )
    serving.add_argument(
        "--heavy-query",
        type=Path,
        default=requests.HEAVY_QUERY,
        help="the GraphQL file of the memory check",
    )
    serving.add_argument(
        "--port", type=int, help="first of four consecutive ports (default: any free ones)"
    )
    serving.add_argument(
        "--baseline",
        type=Path,
        help="an earlier run's bench/out/requests-*.json: show the API's numbers beside it",
    )
    soaking = commands.add_parser(
        "soak", help="eventgraph serve --workers 2 under mixed load, watched for drift"
    )
    soaking.add_argument("--minutes", type=float, default=30.0, help="how long the load runs")
    soaking.add_argument(
        "--interval", type=float, help="seconds per interval (default: a thirtieth of the run)"
    )
    soaking.add_argument(
        "--warm-up", type=float, help="minutes of warm-up (default: a sixth of the run)"
    )
    soaking.add_argument("--events", type=int, default=1_000, help="corpus size, in events")
    soaking.add_argument(
        "--max-requests", type=int, default=2_000_000, help="stop after this many requests"
    )
    soaking.add_argument("--port", type=int, help="the API's port (default: any free one)")
    mutating = commands.add_parser(
        "mutations", help="statementUpdate per second at 1 and 16 clients: the API and its floor"
    )
    mutating.add_argument("--events", type=int, default=1_000, help="corpus size, in events")
    mutating.add_argument("--seconds", type=float, default=10.0, help="seconds per timed run")
    exporting = commands.add_parser("export", help="GET /export of a whole corpus, and its floor")
    exporting.add_argument(
        "--events", type=int, action="append", help="corpus size, in events (repeatable)"
    )
    commands.add_parser(
        "subscriptions", help="the change feed over WebSocket: fan-out latency, memory, following"
    )
    rendering = commands.add_parser(
        "report", help="print the Markdown of an earlier requests run (requests-*.json)"
    )
    rendering.add_argument("results", type=Path, help="bench/out/requests-….json")
    rendering.add_argument(
        "--baseline", type=Path, help="another requests-*.json: the API's numbers beside"
    )
    arguments = parser.parse_args(argv)
    for name in ("results", "baseline"):
        _check_results(parser, getattr(arguments, name, None))
    return arguments


def _check_results(parser: argparse.ArgumentParser, path: Path | None) -> None:
    """Refuse, before anything runs, a results file that is not one."""
    if path is None:
        return
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        parser.error(f"{path}: {error}")
    if not isinstance(document, dict) or "sizes" not in document:
        parser.error(f"{path}: not the results of python -m bench requests")


def _options(arguments: argparse.Namespace) -> requests.Options:
    quick: bool = arguments.quick
    default_events = requests.QUICK_EVENTS if quick else requests.DEFAULT_EVENTS
    return requests.Options(
        events=tuple(arguments.events or default_events),
        seconds=arguments.seconds or (QUICK_SECONDS if quick else SECONDS),
        warm_up_seconds=arguments.warm_up or (QUICK_WARM_UP if quick else WARM_UP),
        clients=tuple(arguments.clients or (QUICK_CLIENTS if quick else CLIENTS)),
        heavy_query=arguments.heavy_query,
        port=arguments.port,
        cases=tuple(arguments.case),
        quick=quick,
        baseline=arguments.baseline,
    )


async def _load(bench: Bench, arguments: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    for events in arguments.events or load.DEFAULT_EVENTS:
        results += await load.run(bench, events)
    return results


def _report(arguments: argparse.Namespace) -> int:
    document = orjson.loads(arguments.results.read_bytes())
    options = replace(requests.options_from_json(document["options"]), baseline=arguments.baseline)
    baseline = None if options.baseline is None else orjson.loads(options.baseline.read_bytes())
    sizes = requests.sizes_from_json(document["sizes"])
    print(
        request_report.markdown(sizes, options, document["machine"], document["command"], baseline)
    )
    return 0


def _soak(
    bench: Bench, arguments: argparse.Namespace, about: dict[str, str], argv: list[str]
) -> int:
    minutes: float = arguments.minutes
    options = soak.Options(
        minutes=minutes,
        interval_seconds=arguments.interval or max(5.0, minutes * 60 / 30),
        warm_up_minutes=minutes / 6 if arguments.warm_up is None else arguments.warm_up,
        events=arguments.events,
        max_requests=arguments.max_requests,
        port=arguments.port,
    )
    result = asyncio.run(soak.run(bench, options))
    command = shlex.join(["python", "-m", "bench", *argv])
    print(soak_report.write(OUT, result, about, command))
    return 0 if all(result["passed"].values()) else 1


def main(argv: list[str]) -> int:
    arguments = _arguments(argv)
    if arguments.benchmark == "report":
        return _report(arguments)
    OUT.mkdir(parents=True, exist_ok=True)
    with bench_server(OUT / "postgres") as server_url:
        bench = Bench(server_url, seed=arguments.seed, profile=getattr(arguments, "profile", False))
        about = asyncio.run(machine(server_url))
        if arguments.benchmark == "load":
            report(bench.console, asyncio.run(_load(bench, arguments)), about)
            return 0
        if arguments.benchmark == "soak":
            return _soak(bench, arguments, about, argv)
        if arguments.benchmark == "mutations":
            result = asyncio.run(mutations.measure(bench, arguments.events, arguments.seconds))
            command = shlex.join(["python", "-m", "bench", *argv])
            print(mutations.write(OUT, result, command, about))
            return 0
        if arguments.benchmark == "export":
            events = tuple(arguments.events or export.DEFAULT_EVENTS)
            results = asyncio.run(export.run_all(bench, events))
            command = shlex.join(["python", "-m", "bench", *argv])
            print(export.write(OUT, results, about, command))
            return 0
        if arguments.benchmark == "subscriptions":
            fanned = asyncio.run(subscriptions.run(bench))
            print(subscriptions.write(fanned, about, shlex.join(["python", "-m", "bench", *argv])))
            return 0
        options = _options(arguments)
        sizes = asyncio.run(requests.run_all(bench, options))
    command = shlex.join(["python", "-m", "bench", *argv])
    print(request_report.write(OUT, sizes, options, about, command))
    found = request_report.differences(sizes)
    if found:
        bench.console.print(f"[red]{len(found)} case(s) answered differently from the API")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
