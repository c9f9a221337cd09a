"""docs/partners.md's feed client works: run over HTTP against the API (served by uvicorn on a
free port), before and after the corpus changes, its copy is the live corpus."""

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import uvicorn
from sqlalchemy.engine import URL

from api.settings import PROJECT_ROOT, Settings
from tests.feed.conftest import live_nodes
from tests.schema.conftest import serving

GUIDE = PROJECT_ROOT / "docs" / "partners.md"


def documented_client() -> dict[str, Any]:
    """The namespace of the guide's Python client (its functions; `__main__` does not run)."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### 2. Following the feed") :].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)[:1]
    namespace: dict[str, Any] = {"__name__": "follow"}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    return namespace


@pytest.fixture
async def api_url(seeded_url: URL) -> AsyncIterator[str]:
    """The API served over HTTP on a free port of the loopback (listening before uvicorn
    starts, so that a request never comes too early)."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        async with serving(Settings(), seeded_url) as app:
            server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
            task = asyncio.create_task(server.serve(sockets=[listening]))
            try:
                yield f"http://127.0.0.1:{port}/graphql"
            finally:
                server.should_exit = True
                await task


async def test_the_guides_client_keeps_a_copy_of_the_corpus(
    api_url: str, sql: asyncpg.Connection
) -> None:
    client = documented_client()
    copy: dict[str, Any] = {}
    cursor = await asyncio.to_thread(client["follow"], api_url, None, None, copy)
    assert client["live"](copy) == await live_nodes(sql)
    await sql.execute("UPDATE events SET title = 'Renamed' WHERE slug LIKE 'xi-%'")
    await sql.execute(
        "DELETE FROM statements WHERE id = (SELECT id FROM statements ORDER BY id LIMIT 1)"
    )
    cursor = await asyncio.to_thread(client["follow"], api_url, None, cursor, copy)
    assert client["live"](copy) == await live_nodes(sql)
    assert any(change["op"] == "DELETE" for change in copy.values())
    before = dict(copy)
    await asyncio.to_thread(client["follow"], api_url, None, cursor, copy)
    assert copy == before
