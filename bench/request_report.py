"""The requests benchmark's report: the targets of the compiled read path met or missed, the
measurements as Markdown tables, and everything as JSON, in bench/out/.

The targets are reported, never asserted (a shared machine varies by ±20 %):

- Q1–Q4 at the most clients: the API's req/s at least 50 % of the faster floor's;
- every case the peer answers, at the most clients: the API's req/s at least 2× PostGraphile
  5's (issue 16; the peer only counts once its answers were found equal to the API's);
- p50 at the fewest clients at most 2× the faster floor's;
- Q2, Q3, Q4, Q6: p50 on the largest corpus at most 1.5× p50 on the smallest;
- p99 at most 3× p50, at each client count;
- peak RSS of the API's worker under 250 MB;
- after the heavy query, the API's RSS back within 20 % of its level before it.

With `--baseline` (an earlier requests-*.json), the API's numbers are also shown beside that
run's: every step of the read path against the one before, on the same machine.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.peer import NAME as PEER
from bench.requests import CaseResult, Options, ServerResult, SizeResult, to_json
from bench.wrk import Run

THROUGHPUT_CASES = ("Q1", "Q1 long", "Q2", "Q3", "Q4")
SCALE_CASES = ("Q2", "Q3", "Q4", "Q6")
THROUGHPUT_SHARE = 0.5
PEER_RATIO = 2.0
LATENCY_RATIO = 2.0
SCALE_RATIO = 1.5
TAIL_RATIO = 3.0
RSS_LIMIT_MB = 250.0
MET, MISSED, NOT_MEASURED = "✓", "✗", "—"
API = "api"


@dataclass(frozen=True)
class Verdict:
    """One target on one case: the value shown, and whether it was met (None: not measured)."""

    target: str
    shown: str
    met: bool | None


def _mark(met: bool | None) -> str:
    return NOT_MEASURED if met is None else (MET if met else MISSED)


def _cell(verdict: Verdict) -> str:
    """The value and its mark; a value shown without a mark is no target for that case."""
    if verdict.met is None:
        return verdict.shown or NOT_MEASURED
    return f"{verdict.shown} {_mark(verdict.met)}"


def _floors(case: CaseResult) -> list[ServerResult]:
    return [result for name, result in case.servers.items() if name not in (API, PEER)]


def _run(result: ServerResult, clients: int) -> Run | None:
    return result.runs.get(clients)


def throughput(case: CaseResult, clients: int) -> Verdict:
    name = f"req/s ×{clients} vs faster floor (≥ {THROUGHPUT_SHARE:.0%})"
    api = _run(case.servers[API], clients)
    floors = [run.per_second for f in _floors(case) if (run := _run(f, clients))]
    if api is None or not floors or not max(floors):
        return Verdict(name, "", None)
    share = api.per_second / max(floors)
    met = share >= THROUGHPUT_SHARE if case.case in THROUGHPUT_CASES else None
    return Verdict(name, f"{share:.0%}", met)


def peer_ratio(case: CaseResult, clients: int) -> Verdict:
    """The API's req/s over PostGraphile 5's (not measured when the peer was not timed)."""
    name = f"req/s ×{clients}: API ÷ PostGraphile 5 (≥ {PEER_RATIO:g}×)"
    api = _run(case.servers[API], clients)
    found = case.servers.get(PEER)
    other = None if found is None or found.difference else _run(found, clients)
    if api is None or other is None or not other.per_second:
        return Verdict(name, "", None)
    ratio = api.per_second / other.per_second
    return Verdict(name, f"{ratio:.2f}×", ratio >= PEER_RATIO)


def latency(case: CaseResult, clients: int) -> Verdict:
    name = f"p50 ×{clients} vs faster floor (≤ {LATENCY_RATIO:g}×)"
    api = _run(case.servers[API], clients)
    floors = [run.p50_ms for f in _floors(case) if (run := _run(f, clients))]
    if api is None or not floors or not min(floors):
        return Verdict(name, "", None)
    ratio = api.p50_ms / min(floors)
    return Verdict(name, f"{ratio:.1f}×", ratio <= LATENCY_RATIO)


def tail(case: CaseResult) -> Verdict:
    name = f"p99 / p50 (≤ {TAIL_RATIO:g}×)"
    runs = sorted(case.servers[API].runs.items())
    ratios = [(clients, run.p99_ms / run.p50_ms) for clients, run in runs if run.p50_ms]
    if not ratios:
        return Verdict(name, "", None)
    shown = ", ".join(f"×{clients} {ratio:.1f}" for clients, ratio in ratios)
    return Verdict(name, shown, all(ratio <= TAIL_RATIO for _, ratio in ratios))


def peak_rss(case: CaseResult) -> Verdict:
    name = f"peak RSS (< {RSS_LIMIT_MB:.0f} MB)"
    peak = case.servers[API].peak_rss_mb
    if peak is None:
        return Verdict(name, "", None)
    return Verdict(name, f"{peak:.0f} MB", peak < RSS_LIMIT_MB)


def scale(sizes: Sequence[SizeResult], case: str, clients: int) -> Verdict:
    """p50 on the largest corpus over p50 on the smallest, with the faster floor's beside it."""
    name = f"p50 ×{clients} at largest / smallest corpus (≤ {SCALE_RATIO:g}×)"
    if len(sizes) < 2:
        return Verdict(name, "", None)
    first, last = (
        next((c for c in s.cases if c.case == case), None) for s in (sizes[0], sizes[-1])
    )
    if first is None or last is None:
        return Verdict(name, "", None)

    def ratio(server: str) -> float | None:
        small, large = _run(first.servers[server], clients), _run(last.servers[server], clients)
        if small is None or large is None or not small.p50_ms:
            return None
        return large.p50_ms / small.p50_ms

    api = ratio(API)
    if api is None:
        return Verdict(name, "", None)
    floors = [r for server in first.servers if server != API and (r := ratio(server)) is not None]
    shown = f"{api:.1f}×" + (f" (floor {min(floors):.1f}×)" if floors else "")
    return Verdict(name, shown, api <= SCALE_RATIO if case in SCALE_CASES else None)


def verdicts(sizes: Sequence[SizeResult], options: Options) -> dict[int, dict[str, list[Verdict]]]:
    """Every target for every case of every size (the scale target on the largest size only)."""
    few, many = min(options.clients), max(options.clients)
    table: dict[int, dict[str, list[Verdict]]] = {}
    for size in sizes:
        rows = table[size.events] = {}
        for case in size.cases:
            rows[case.case] = [
                throughput(case, many),
                peer_ratio(case, many),
                latency(case, few),
                tail(case),
                peak_rss(case),
                scale(sizes if size is sizes[-1] else (), case.case, few),
            ]
    return table


# ---------------------------------------------------------------- Markdown


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> str:
    aligns = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = [header, aligns, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def measurements_table(size: SizeResult, clients: Sequence[int]) -> str:
    header = ["case", "server"]
    for count in clients:
        header += [f"req/s ×{count}", f"p50 ms ×{count}", f"p99 ms ×{count}"]
    header += ["SQL / req", "PG ms / req", "CPU ms / req", "peak RSS MB"]
    rows = []
    for case in size.cases:
        for index, (name, result) in enumerate(case.servers.items()):
            row = [case.case if index == 0 else "", name]
            for count in clients:
                run = result.runs.get(count)
                failed = f" ({run.failures} failed)" if run and run.failures else ""
                row += [
                    (_number(run.per_second) + failed) if run else "",
                    _number(run.p50_ms if run else None),
                    _number(run.p99_ms if run else None),
                ]
            row += [
                _number(result.statements_per_request),
                _number(result.postgres_ms_per_request, 2),
                _number(result.cpu_ms_per_request),
                _number(result.peak_rss_mb, 0),
            ]
            rows.append(row)
    return _table(header, rows, right_from=2)


def cases_table(size: SizeResult) -> str:
    rows = [
        [case.case, f"`{case.document}.graphql`", case.about, str(case.variable_sets)]
        for case in size.cases
    ]
    return _table(["case", "document", "variable sets from the corpus", "sets"], rows, 3)


def targets_table(sizes: Sequence[SizeResult], options: Options) -> str:
    table = verdicts(sizes, options)
    header: list[str] | None = None
    rows = []
    for size in sizes:
        for case, found in table[size.events].items():
            if header is None:
                header = ["corpus", "case", *(verdict.target for verdict in found)]
            rows.append([f"{size.events:,}", case, *(_cell(verdict) for verdict in found)])
    if header is None:
        return ""
    for size in sizes:
        memory = size.memory
        if memory is None:
            continue
        shown = (
            f"RSS {memory.before_mb:.0f} → {memory.after_mb:.0f} MB "
            f"(peak {memory.peak_mb:.0f} MB, {memory.seconds:.1f} s)"
        )
        if memory.problem:
            shown += f", the query failed: {memory.problem}"
        met = None if memory.problem else memory.returned
        blank = [""] * (len(header) - 3)
        rows.append(
            [
                f"{size.events:,}",
                f"memory check (`{memory.query}`, back within 20 %)",
                f"{shown} {_mark(met)}",
                *blank,
            ]
        )
    return _table(header, rows, right_from=2)


def differences(sizes: Sequence[SizeResult]) -> list[str]:
    """Every answer that differs from the API's (or an API answer with errors)."""
    return [
        f"{size.events:,} events, {case.case}, {result.server}: {result.difference}"
        for size in sizes
        for case in size.cases
        for result in case.servers.values()
        if result.difference
    ]


def _api_numbers(document: dict[str, Any]) -> dict[tuple[int, str], dict[str, Any]]:
    """The API's result of each (corpus, case) in a results document (requests-*.json)."""
    return {
        (size["events"], case["case"]): case["servers"][API]
        for size in document["sizes"]
        for case in size["cases"]
    }


def _change(before: float | None, now: float | None, digits: int = 1) -> str:
    if before is None or now is None:
        return NOT_MEASURED
    shown = f"{before:,.{digits}f} → {now:,.{digits}f}"
    return shown + (f" (×{now / before:.2f})" if before else "")


def baseline_table(now: dict[str, Any], before: dict[str, Any], clients: Sequence[int]) -> str:
    """The API's numbers of this run beside those of an earlier one, case by case."""
    few, many = str(min(clients)), str(max(clients))
    earlier = _api_numbers(before)
    rows = []
    for key, result in _api_numbers(now).items():
        old = earlier.get(key)
        if old is None:
            continue

        def run_value(results: dict[str, Any], clients: str, name: str) -> float | None:
            run = results["runs"].get(clients)
            return None if run is None else float(run[name])

        rows.append(
            [
                f"{key[0]:,}",
                key[1],
                _change(run_value(old, many, "per_second"), run_value(result, many, "per_second")),
                _change(run_value(old, few, "p50_ms"), run_value(result, few, "p50_ms")),
                _change(old["statements_per_request"], result["statements_per_request"]),
                _change(old["peak_rss_mb"], result["peak_rss_mb"], 0),
            ]
        )
    header = [
        "corpus",
        "case",
        f"req/s ×{many}",
        f"p50 ms ×{few}",
        "SQL / req",
        "peak RSS MB",
    ]
    return _table(header, rows, right_from=2)


def markdown(
    sizes: Sequence[SizeResult],
    options: Options,
    about: dict[str, str],
    command: str,
    baseline: dict[str, Any] | None = None,
) -> str:
    clients = list(options.clients)
    runs = (
        f"{options.seconds:g} s per run after {options.warm_up_seconds:g} s of warm-up, "
        f"{' and '.join(str(count) for count in clients)} client(s)"
    )
    machine = (
        f"{about['cpus']} CPUs ({about['cpu']}), {about['memory']}, PostgreSQL "
        f"{about['postgresql']}, Python {about['python']}, {about['system']}"
        + (f", load average {about['load']} at the start" if "load" in about else "")
    )
    parts = [
        "## Requests: the API against its floor and PostGraphile 5",
        f"`{command}`: {runs}; {machine}.",
        "### Targets",
        targets_table(sizes, options),
        f"{MET} met, {MISSED} missed, {NOT_MEASURED} not measured in this run; a value without "
        "a mark is shown for comparison, no target for that case.",
    ]
    if baseline is not None:
        parts += [
            f"### The API against the baseline ({baseline['command']}, {baseline['at']})",
            baseline_table({"sizes": to_json(list(sizes))}, baseline, list(options.clients)),
        ]
    found = differences(sizes)
    if found:
        parts += [
            "**Answers that differ from the API's** (a floor's timed anyway, the peer's not; see "
            "bench/out/mismatch-*):",
            "\n".join(f"- {line}" for line in found),
        ]
    for size in sizes:
        statements = size.rows.get("statements", 0)
        servers = ", ".join(f"{name}: {loop}" for name, loop in size.servers.items())
        parts += [
            f"### {size.events:,} events ({statements:,} statements)",
            cases_table(size),
            measurements_table(size, clients),
            f"Servers: {servers}."
            + (
                f" Stopped from outside and restarted: {'; '.join(size.restarts)}."
                if size.restarts
                else ""
            ),
        ]
    return "\n\n".join(parts) + "\n"


def write(
    out: Path,
    sizes: Sequence[SizeResult],
    options: Options,
    about: dict[str, str],
    command: str,
) -> str:
    """Write requests-latest.{json,md} (and time-stamped copies) to `out`; return the Markdown."""
    baseline = None if options.baseline is None else orjson.loads(options.baseline.read_bytes())
    text = markdown(sizes, options, about, command, baseline)
    table = verdicts(sizes, options)
    document = {
        "command": command,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": about,
        "options": to_json(options),
        "sizes": to_json(list(sizes)),
        "targets": {
            str(events): {case: to_json(found) for case, found in cases.items()}
            for events, cases in table.items()
        },
        "differences": differences(sizes),
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    encoded = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    for name in ("requests-latest", f"requests-{stamp}"):
        (out / f"{name}.json").write_bytes(encoded)
        (out / f"{name}.md").write_text(text, encoding="utf-8")
    return text
