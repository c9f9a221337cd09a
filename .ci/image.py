"""The Docker image, replayed without Docker (no Docker engine runs on the build machines).

Reads the `Dockerfile` itself, so it cannot drift from it: the files its `COPY` lines take from
the build context, its `RUN pip install` lines, the final stage's `ENV`, `CMD` and
`HEALTHCHECK`. It lays out the image's /app in a temporary folder, installs the lock into a
fresh virtual environment exactly as the image does (`--require-hashes`), and then checks what
the image promises:

1. without `EVENTGRAPH_DATABASE_URL`, `CMD` refuses to start, with a message that names it;
2. with one (an embedded PostgreSQL started here), `CMD` serves: the `HEALTHCHECK` command
   passes once `/readyz` does, a key made with the image's `eventgraph keys create` reads the
   seed, an anonymous read is refused (production mode), and SIGTERM stops it.

What it cannot check is Docker's own part: the base image, the user, the layers.

Run by `.ci/run` as `.venv/bin/python .ci/image.py`.
"""

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from api.db.server import embedded_server, ensure_database, to_asyncpg_dsn

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
START_SECONDS = 90


def instructions(text: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions, (KEYWORD, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(index for index, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def environment_of(stage: list[tuple[str, str]], venv: Path) -> dict[str, str]:
    """The final stage's ENV, with the image's /opt/venv standing for `venv`."""
    env: dict[str, str] = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            for pair in shlex.split(arguments):
                name, _, value = pair.partition("=")
                env[name] = value.replace("/opt/venv", str(venv))
    env["PATH"] = env["PATH"].replace("$PATH", os.environ["PATH"])
    return env


def lay_out(steps: list[tuple[str, str]], app: Path) -> None:
    """Copy what the image's COPY lines take from the build context into `app` (its /app)."""
    for keyword, arguments in steps:
        if keyword != "COPY" or arguments.startswith("--from"):
            continue
        *sources, target = arguments.split()
        # WORKDIR is /app in both stages: a relative target is inside it too.
        destination = app / target.removeprefix("/app").lstrip("/").removeprefix("./")
        into_folder = target.endswith("/") or len(sources) > 1
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            elif into_folder:
                destination.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination / origin.name)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination)


def install(steps: list[tuple[str, str]], app: Path, venv: Path) -> None:
    """Run the image's `pip install` lines in `app`, into a fresh `venv`."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for keyword, arguments in steps:
        if keyword == "RUN" and "pip install" in arguments:
            command = arguments.replace("/opt/venv", str(venv))
            print(f"  RUN {command}", flush=True)
            subprocess.run(command, shell=True, cwd=app, check=True)


def healthy(probe: str, env: dict[str, str]) -> bool:
    """Whether the HEALTHCHECK command passes (its complaints while the server starts, hidden)."""
    done = subprocess.run(probe, shell=True, env=env, capture_output=True, check=False)
    return done.returncode == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(port: int, query: str, key: str | None) -> tuple[int, dict[str, object]]:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"  ok: {message}", flush=True)


def main() -> None:
    steps = instructions(DOCKERFILE.read_text())
    stage = final_stage(steps)
    (command,) = [json.loads(arguments) for keyword, arguments in stage if keyword == "CMD"]
    (healthcheck,) = [arguments for keyword, arguments in stage if keyword == "HEALTHCHECK"]
    probe = healthcheck.split(" CMD ", 1)[1]

    with tempfile.TemporaryDirectory(prefix="eventgraph-image-") as folder:
        app, venv = Path(folder) / "app", Path(folder) / "venv"
        app.mkdir()
        lay_out(steps, app)
        install(steps, app, venv)
        env = environment_of(stage, venv)
        port = free_port()
        env.update(EVENTGRAPH_PORT=str(port), HOME=folder)

        refused = subprocess.run(
            command, cwd=app, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        check(
            refused.returncode != 0 and "EVENTGRAPH_DATABASE_URL" in refused.stderr,
            f"without a database URL the image refuses to start: {refused.stderr.strip()!r}",
        )

        with embedded_server(Path(folder) / "postgres") as server:
            database = asyncio.run(ensure_database(server, "eventgraph"))
            env["EVENTGRAPH_DATABASE_URL"] = to_asyncpg_dsn(database)
            serving = subprocess.Popen([*command, "--load", "fixtures"], cwd=app, env=env)
            try:
                deadline = time.monotonic() + START_SECONDS
                while not healthy(probe, env):
                    if serving.poll() is not None:
                        raise SystemExit(f"FAIL: the image's command exited ({serving.returncode})")
                    if time.monotonic() > deadline:
                        raise SystemExit(f"FAIL: /readyz did not pass in {START_SECONDS} s")
                    time.sleep(1)
                check(True, "the HEALTHCHECK passes: /readyz answers 200")

                created = subprocess.run(
                    ["eventgraph", "keys", "create", "--name", "ci", "--scope", "read"],
                    cwd=app,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                key = created.stdout.strip()
                query = '{ event(slug: "xi-putin-video-call-2026-02-04") { title } }'
                status, answer = post(port, query, key)
                check(status == 200 and "errors" not in answer, f"a key reads the seed: {answer}")
                status, answer = post(port, query, None)
                check(status == 401, f"an anonymous read is refused in production: {status}")
            finally:
                serving.send_signal(signal.SIGTERM)
                code = serving.wait(timeout=30)
            # uvicorn re-raises the signal once it has shut down, as a process stopped by it.
            check(code == -signal.SIGTERM, f"SIGTERM stops the image's command (exit {code})")


if __name__ == "__main__":
    main()
