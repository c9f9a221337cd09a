"""wrk, the HTTP load generator: installed from Debian's packages when missing, driven by a Lua
script that cycles through a case's request bodies and reports in one JSON line.

Each of wrk's connections is one client sending its next request when the last one is answered
(a closed loop). Latencies are wrk's, from sending a request to the end of its response. A
response counts as an error when its status is not 200 or it carries GraphQL errors.
"""

import asyncio
import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

RESULT_MARK = "BENCH-RESULT "
TIMEOUT_SECONDS = 30
THREADS = 1
"""One wrk thread drives every connection: it keeps up with these servers, and leaves the
machine's other core to the server and PostgreSQL."""

LUA_TEMPLATE = """
local bodies = {
%(bodies)s
}
local count = #bodies
local sent = 0
errors = 0  -- global: done() reads it from each thread
local threads = {}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(headers)s

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  sent = offset
end

function request()
  sent = sent + 1
  return wrk.format(nil, "/graphql", nil, bodies[(sent %% count) + 1])
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
  end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "errors": %%d, "socket_errors": %%d, ' ..
    '"timeouts": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"mean_us": %%.1f}\\n',
    summary.requests, summary.duration, failed, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


@dataclass(frozen=True)
class Run:
    """One wrk run: `clients` connections for `seconds`."""

    clients: int
    requests: int
    seconds: float
    errors: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        return self.errors + self.socket_errors + self.timeouts


def ensure_wrk(console: Console) -> str:
    """The path of wrk, installed with apt-get (Debian's package) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    console.print("wrk is missing: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed (apt-get install -y wrk)")
    return found


def _long_string(text: str) -> str:
    """`text` as a Lua long string, with a bracket level it does not contain."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    equals = "=" * level
    return f"[{equals}[{text}]{equals}]"


def lua_script(bodies: Sequence[bytes], headers: Sequence[tuple[str, str]] = ()) -> str:
    listed = ",\n".join(f"  {_long_string(body.decode())}" for body in bodies)
    # Header names and values are plain ASCII (an API key): a quoted Lua string holds them.
    sent = "\n".join(f'wrk.headers["{name}"] = "{value}"' for name, value in headers)
    return LUA_TEMPLATE % {"bodies": listed, "headers": sent, "mark": RESULT_MARK}


async def run(
    wrk: str, base_url: str, script: Path, clients: int, seconds: float, log: Path
) -> Run:
    """Drive `base_url` with `clients` connections for `seconds`; wrk's output goes to `log`."""
    command = [
        wrk,
        f"--threads={min(THREADS, clients)}",
        f"--connections={clients}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        "--latency",
        f"--script={script}",
        f"{base_url}/graphql",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    with log.open("a", encoding="utf-8") as file:
        file.write(f"$ {' '.join(command)}\n{text}\n")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}); see {log}")
    line = next((line for line in text.splitlines() if line.startswith(RESULT_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result; see {log}")
    values = json.loads(line.removeprefix(RESULT_MARK))
    return Run(
        clients=clients,
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        errors=values["errors"],
        socket_errors=values["socket_errors"],
        timeouts=values["timeouts"],
        p50_ms=values["p50_us"] / 1000,
        p90_ms=values["p90_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        mean_ms=values["mean_us"] / 1000,
    )
