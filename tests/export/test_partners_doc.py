"""The export client of docs/partners.md ("Keeping in sync", "1. Export") runs as printed, over
HTTP against a production server, and gets the live corpus and the feed cursor."""

import asyncio
import re
from typing import Any

import httpx
import orjson
from sqlalchemy.engine import URL

from api.settings import PROJECT_ROOT
from api.store.changes import FeedPosition
from api.store.entities import Entity
from tests.export.corpus import live_corpus
from tests.security.production import new_key, seeded
from tests.security.served import served

GUIDE = PROJECT_ROOT / "docs" / "partners.md"


def documented_client() -> dict[str, Any]:
    section = GUIDE.read_text().split("### 1. Export", 1)[1].split("\n### ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    return namespace


async def test_the_documented_client_exports_the_live_corpus(database_url: URL) -> None:
    await seeded(database_url)
    key = await new_key(database_url, "partner")
    export = documented_client()["export"]
    async with served(database_url) as base_url:
        nodes, cursor = await asyncio.to_thread(export, base_url, key)
        # What `curl --compressed` gets: gzip, the same lines.
        async with httpx.AsyncClient(base_url=base_url) as http:
            response = await http.get(
                "/export",
                params={"types": "EVENT,STATEMENT"},
                headers={"authorization": f"Bearer {key}", "accept-encoding": "gzip"},
            )
    assert response.headers["content-encoding"] == "gzip"
    *lines, last = (orjson.loads(line) for line in response.text.splitlines())
    assert {line["id"] for line in lines} == set(nodes)
    assert FeedPosition.of_cursor(last["cursor"]).xid >= FeedPosition.of_cursor(cursor).xid
    live = await live_corpus(database_url, [Entity.EVENT, Entity.STATEMENT])
    assert {node["id"] for node in nodes.values()} == set(nodes)
    assert len(nodes) == len(live)
    assert FeedPosition.of_cursor(cursor).seen is not None
