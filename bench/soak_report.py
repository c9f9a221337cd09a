"""The soak's figures, verdicts and report (bench/soak.py runs it)."""

import statistics
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from bench.soak import Soak

RSS_TOLERANCE = 0.10
P99_TOLERANCE = 1.5


def summary(soak: "Soak") -> dict[str, Any]:
    """The figures and the verdicts (see the module's docstring for the rules)."""
    options = soak.options
    warm = max(1, round(options.warm_up_minutes * 60 / options.interval_seconds))
    after = soak.intervals[warm - 1 :] if len(soak.intervals) > warm else soak.intervals[-1:]
    baseline = after[0].rss_mb
    drift = {
        pid: max(abs(interval.rss_mb.get(pid, start) - start) / start for interval in after)
        for pid, start in baseline.items()
    }
    p99s = [value for interval in after[1:] if (value := interval.percentile(0.99)) is not None]
    third = max(1, len(p99s) // 3)
    first, last = p99s[:third], p99s[-third:]
    p99_ratio = statistics.median(last) / statistics.median(first) if p99s else None
    outcomes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for interval in soak.intervals:
        outcomes.update(interval.outcomes)
        errors.update(interval.errors)
    return {
        "options": options.__dict__,
        "requests": soak.sent,
        "outcomes": dict(outcomes.most_common()),
        "errors": dict(errors.most_common()),
        "intervals": [
            {
                "at_seconds": round(interval.started - soak.intervals[0].started),
                "requests": sum(interval.outcomes.values()) + sum(interval.errors.values()),
                "errors": sum(interval.errors.values()),
                "p50_ms": interval.percentile(0.5),
                "p99_ms": interval.percentile(0.99),
                "rss_mb": {str(pid): round(value, 1) for pid, value in interval.rss_mb.items()},
            }
            for interval in soak.intervals
        ],
        "warm_up_intervals": warm,
        "rss_drift": {str(pid): round(value, 4) for pid, value in drift.items()},
        "p99_last_third_over_first": round(p99_ratio, 3) if p99_ratio else None,
        "passed": {
            "no errors": not errors,
            f"RSS within {RSS_TOLERANCE:.0%} after warm-up": all(
                value <= RSS_TOLERANCE for value in drift.values()
            ),
            f"p99 stable (last third <= {P99_TOLERANCE}x first)": p99_ratio is not None
            and p99_ratio <= P99_TOLERANCE,
        },
    }


def markdown(result: dict[str, Any], about: dict[str, str], command: str) -> str:
    lines = [
        f"Command: `{command}`  ",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in about.items()) + "  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| interval | at (s) | requests | errors | partner p50 (ms) | partner p99 (ms) | "
        "worker RSS (MB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for number, interval in enumerate(result["intervals"], start=1):
        rss = ", ".join(f"{value:.1f}" for value in interval["rss_mb"].values())
        lines.append(
            f"| {number} | {interval['at_seconds']} | {interval['requests']:,} | "
            f"{interval['errors']} | {interval['p50_ms'] or 0:.1f} | {interval['p99_ms'] or 0:.1f} "
            f"| {rss} |"
        )
    lines += ["", f"{result['requests']:,} requests. Outcomes:", ""]
    lines += [f"- {kind}: {count:,}" for kind, count in result["outcomes"].items()]
    lines += [
        "",
        "Errors: " + (", ".join(f"{k}: {v}" for k, v in result["errors"].items()) or "none"),
    ]
    drift = ", ".join(f"{value:.1%}" for value in result["rss_drift"].values())
    lines += [
        f"RSS drift of each worker after the warm-up ({result['warm_up_intervals']} "
        f"interval(s)): {drift}; p99 of the last third over the first: "
        f"{result['p99_last_third_over_first']}",
        "",
    ]
    lines += [f"- {'PASS' if ok else 'FAIL'}: {rule}" for rule, ok in result["passed"].items()]
    return "\n".join(lines) + "\n"


def write(out: Path, result: dict[str, Any], about: dict[str, str], command: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = markdown(result, about, command)
    document = {**result, "machine": about, "command": command}
    for name in (f"soak-{stamp}", "soak-latest"):
        (out / f"{name}.json").write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        (out / f"{name}.md").write_text(text, encoding="utf-8")
    return text
