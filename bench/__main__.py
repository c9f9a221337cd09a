"""`python -m bench [NAME ...] [--events N ...] [--seed S] [--profile]`: run benchmarks.

Without NAME, every benchmark runs; without --events, each runs on its default corpus sizes.
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from types import ModuleType

from bench import load, requests
from bench.harness import OUT, Bench, Result, machine, report

BENCHMARKS: dict[str, ModuleType] = {
    "load": load,
    "requests": requests,
}


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--events", type=int, action="append", help="corpus size, in events (repeatable)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated corpora")
    parser.add_argument("--profile", action="store_true", help="profile with cProfile")
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    return arguments


async def _run(bench: Bench, arguments: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    for name in arguments.names or list(BENCHMARKS):
        module = BENCHMARKS[name]
        run: Callable[[Bench, int], Awaitable[list[Result]]] = module.run
        for events in arguments.events or module.DEFAULT_EVENTS:
            results += await run(bench, events)
    return results


def main(argv: list[str]) -> None:
    arguments = _arguments(argv)
    from api.db.server import embedded_server

    OUT.mkdir(parents=True, exist_ok=True)
    with embedded_server(OUT / "postgres") as server_url:
        bench = Bench(server_url, seed=arguments.seed, profile=arguments.profile)
        results = asyncio.run(_run(bench, arguments))
        about = asyncio.run(machine(server_url))
    report(bench.console, results, about)


if __name__ == "__main__":
    main(sys.argv[1:])
