"""The export benchmark's floor reads what the API exports: the same lines, less the tokens,
which name each its own snapshot; so that the ratio `make bench` reports compares like with like.
"""

import httpx
import orjson
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from bench.export import ExportResult, Run, floor_export, markdown
from tests.security.production import new_key, seeded
from tests.security.served import served

# One line per object of the seed corpus: 29 sources, 48 participants, 49 topics, 3 treaties,
# 28 events, 98 statements.
LINES = 255


async def test_the_floor_reads_the_lines_the_api_sends(database_url: URL) -> None:
    await seeded(database_url)
    key = await new_key(database_url, "bench")
    async with (
        served(database_url) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        response = await http.get("/export", headers={"authorization": f"Bearer {key}"})
    *lines, _ = (orjson.loads(line) for line in response.text.splitlines())
    floor = await floor_export(to_asyncpg_dsn(database_url))
    assert floor.lines == len(lines) == LINES
    sent = len(response.content) - len(response.text.splitlines()[-1]) - 1
    assert abs(floor.body_bytes - sent) <= 2 * len(lines)  # the tokens' digits may differ
    api = Run("api", "identity", len(lines), sent, 1.0, 100.0, 101.0)
    table = markdown([ExportResult(1, {}, [api, floor])], {"cpus": "2"}, "python -m bench export")
    assert f"| 1 | {LINES} | api | identity |" in table
