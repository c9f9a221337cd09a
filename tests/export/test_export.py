"""GET /export over real HTTP (a uvicorn process, production settings) on a real PostgreSQL:
the export is the live corpus, filtered, compressed, resumable, refused with a code when asked
wrongly, for the read scope only, and charged by its documented rule."""

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import orjson
import pytest
from sqlalchemy.engine import URL

from api.export import BATCH_LINES, cost_of
from api.fixtures.generate import generate_corpus
from api.fixtures.load import load_fixtures
from api.security.keys import Scope, revoke_key
from api.store.changes import FeedPosition
from api.store.entities import ENTITIES, Entity
from api.store.errors import StoreInputError
from api.store.export import ExportPosition
from api.store.owned import OWNED_LISTS
from tests.export.corpus import (
    comparable,
    connect,
    decompressed,
    export,
    live_corpus,
    owned_lists,
    parse_export,
)
from tests.security.production import SEED, new_key
from tests.security.served import served

CAPACITY = 1_000_000
NO_REFILL = 1e-6


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of a few thousand lines: statements alone fill several batches."""
    return generate_corpus(
        tmp_path_factory.mktemp("export"), events=150, seed=7, statements_per_event=10
    ).directory


@pytest.fixture
async def api(database_url: URL, generated: Path) -> AsyncIterator[httpx.AsyncClient]:
    await load_fixtures(database_url, [SEED, generated])
    async with (
        served(database_url, access_cache_seconds="0") as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        yield http


@pytest.fixture
async def key(database_url: URL) -> str:
    return await new_key(
        database_url, "partner", budget_capacity=CAPACITY, budget_restore_per_second=NO_REFILL
    )


async def test_the_export_is_the_live_corpus_each_node_once_at_its_version(
    api: httpx.AsyncClient, key: str, database_url: URL
) -> None:
    response = await export(api, key)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert "content-encoding" not in response.headers
    exported = parse_export(response.content)
    live = await live_corpus(database_url)
    assert len(exported.lines) > 2 * BATCH_LINES
    assert comparable(exported.corpus()) == comparable(live)
    # Referenced types come first, each by id.
    types = [line["type"] for line in exported.lines]
    assert types == sorted(
        types, key=["SOURCE", "PARTICIPANT", "TOPIC", "TREATY", "EVENT", "STATEMENT"].index
    )
    # The last line is the feed position of the export's snapshot: nothing changed since.
    position = FeedPosition.of_cursor(exported.cursor)
    connection = await connect(database_url)
    try:
        last_xid = await connection.fetchval("SELECT max(xid) FROM changes")
    finally:
        await connection.close()
    assert position.seen is not None
    assert last_xid < position.seen.xmax


async def test_gzip_when_the_client_accepts_it(api: httpx.AsyncClient, key: str) -> None:
    plain = await export(api, key, types="EVENT,TOPIC")
    response = await export(api, key, compressed=True, types="EVENT,TOPIC")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    body = decompressed(response)
    assert comparable(parse_export(body).corpus()) == comparable(
        parse_export(plain.content).corpus()
    )
    assert len(response.content) < len(body) / 3


async def test_types_choose_what_is_exported(
    api: httpx.AsyncClient, key: str, database_url: URL
) -> None:
    response = await export(api, key, types="STATEMENT, TREATY")
    exported = parse_export(response.content)
    assert {line["type"] for line in exported.lines} == {"STATEMENT", "TREATY"}
    assert comparable(exported.corpus()) == comparable(
        await live_corpus(database_url, [Entity.STATEMENT, Entity.TREATY])
    )


@pytest.mark.parametrize("cut", [1, BATCH_LINES, BATCH_LINES + 17])
async def test_after_resumes_after_the_last_line_received_with_the_first_cursor(
    api: httpx.AsyncClient, key: str, cut: int
) -> None:
    whole = parse_export((await export(api, key, types="EVENT,STATEMENT")).content)
    received = whole.lines[:cut]
    rest = parse_export((await export(api, key, after=received[-1]["after"])).content)
    assert received + rest.lines == whole.lines
    # The feed position stays the first snapshot's, so that the feed misses nothing.
    assert rest.cursor == whole.cursor
    again = await export(api, key, types="STATEMENT,EVENT", after=received[-1]["after"])
    assert parse_export(again.content).lines == rest.lines


@pytest.mark.parametrize(
    ("parameters", "wrong"),
    [
        ({"types": "EVENT,MEETING"}, "`types`"),
        ({"types": ""}, "`types`"),
        ({"types": "event"}, "`types`"),
        ({"after": "nonsense"}, "`after`"),
        ({"after": "eyJ4Ijox.00000000000000000000000000000000"}, "`after`"),
        ({"after": FeedPosition(5, 6).cursor()}, "`after`"),
    ],
)
async def test_bad_types_or_after_are_400_with_a_code(
    api: httpx.AsyncClient, key: str, parameters: dict[str, str], wrong: str
) -> None:
    response = await export(api, key, types=parameters.get("types"), after=parameters.get("after"))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert wrong in error["message"]


async def test_after_with_other_types_is_400(api: httpx.AsyncClient, key: str) -> None:
    first = parse_export((await export(api, key, types="TOPIC")).content).lines[0]
    response = await export(api, key, types="EVENT", after=first["after"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 401, "UNAUTHENTICATED"),
        ("Bearer eg_live_00000000_" + "A" * 43, 401, "UNAUTHENTICATED"),
        ("Basic dXNlcjpwYXNz", 401, "UNAUTHENTICATED"),
    ],
)
async def test_a_missing_or_wrong_key_is_refused(
    api: httpx.AsyncClient, authorization: str | None, status: int, code: str
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    response = await api.get("/export", headers=headers)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert b"cursor" not in response.content


async def test_the_export_costs_a_point_per_hundred_lines_from_the_key_s_budget(
    api: httpx.AsyncClient, key: str
) -> None:
    exported = parse_export((await export(api, key, types="STATEMENT")).content)
    cost = cost_of(len(exported.lines))
    response = await export(api, key, types="TOPIC")
    topics = parse_export(response.content)
    assert int(response.headers["x-ratelimit-remaining"]) == CAPACITY - cost - cost_of(
        len(topics.lines)
    )
    assert cost == -(-len(exported.lines) // 100) > 10


async def test_a_head_is_answered_without_reading_or_charging_the_export(
    api: httpx.AsyncClient, key: str
) -> None:
    authorization = {"authorization": f"Bearer {key}"}
    head = await api.head("/export", params={"types": "STATEMENT"}, headers=authorization)
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("application/x-ndjson")
    assert head.content == b""
    response = await export(api, key, types="TOPIC")
    topics = parse_export(response.content)
    assert int(response.headers["x-ratelimit-remaining"]) == CAPACITY - cost_of(len(topics.lines))
    refused = await api.head("/export", params={"types": "NOPE"}, headers=authorization)
    assert refused.status_code == 400


async def test_a_budget_that_runs_out_mid_stream_ends_it_with_an_error_line(
    api: httpx.AsyncClient, database_url: URL
) -> None:
    small = await new_key(
        database_url, "small", budget_capacity=15, budget_restore_per_second=NO_REFILL
    )
    response = await export(api, small, types="STATEMENT")
    assert response.status_code == 200
    *lines, last = (orjson.loads(line) for line in response.content.splitlines())
    assert len(lines) == BATCH_LINES  # 10 points a batch: the second finds 5 left
    assert last["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    again = await export(api, small, types="STATEMENT", after=lines[-1]["after"])
    assert again.status_code == 429
    assert again.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_key_without_budget_left_is_refused_before_the_stream(
    api: httpx.AsyncClient, key: str, database_url: URL
) -> None:
    cost = cost_of(len(parse_export((await export(api, key, types="TOPIC")).content).lines))
    poor = await new_key(
        database_url, "poor", budget_capacity=cost, budget_restore_per_second=NO_REFILL
    )
    assert (await export(api, poor, types="TOPIC")).status_code == 200
    response = await export(api, poor, types="TOPIC")
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert response.headers["x-ratelimit-remaining"] == "0"


async def test_anonymous_exports_only_where_anonymous_reads_are_allowed(
    database_url: URL, generated: Path
) -> None:
    await load_fixtures(database_url, [SEED])
    async with (
        served(database_url, anonymous_reads="true") as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        response = await export(http, None, types="TOPIC")
    assert response.status_code == 200
    assert comparable(parse_export(response.content).corpus()) == comparable(
        await live_corpus(database_url, [Entity.TOPIC])
    )


async def test_the_owned_lists_are_the_change_log_s(database_url: URL) -> None:
    connection = await connect(database_url)
    try:
        triggers = await owned_lists(connection)
    finally:
        await connection.close()
    declared = {
        ENTITIES[entity].table.name: sorted(
            (owned.table.name, owned.owner_column, field) for field, owned in lists.items()
        )
        for entity, lists in OWNED_LISTS.items()
        if lists
    }
    assert declared == {table: sorted(lists) for table, lists in triggers.items()}


async def test_a_revoked_key_is_refused_and_an_admin_key_may_export(
    api: httpx.AsyncClient, database_url: URL
) -> None:
    revoked = await new_key(database_url, "gone")
    connection = await connect(database_url)
    try:
        await revoke_key(connection, "gone")
    finally:
        await connection.close()
    response = await export(api, revoked, types="SOURCE")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    admin = await new_key(database_url, "admin", Scope.ADMIN)
    assert (await export(api, admin, types="SOURCE")).status_code == 200


def test_a_token_keeps_the_first_snapshot_the_types_and_the_last_node() -> None:
    start = FeedPosition.of_snapshot("10:20:12,15")
    node = uuid4()
    position = ExportPosition(start, (Entity.SOURCE, Entity.EVENT), Entity.EVENT, node)
    token = position.token_prefix(Entity.EVENT) + node.hex
    assert ExportPosition.of_token(token) == position
    assert len(token) < 70  # it is on every line
    header = token.split(".")[0]
    for wrong in (header, f"{header}.{node.hex}.x", f"{header}x.{node.hex}", f"{header}.xyz"):
        with pytest.raises(StoreInputError):
            ExportPosition.of_token(wrong)


async def test_exports_are_counted_in_the_metrics(database_url: URL) -> None:
    await load_fixtures(database_url, [SEED])
    key = await new_key(database_url, "partner")
    async with (
        served(database_url, metrics="public") as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        assert (await export(http, key, types="TOPIC")).status_code == 200
        assert (await export(http, key, types="NOPE")).status_code == 400
        text = (await http.get("/metrics")).text
    assert 'eventgraph_requests_total{operation="export",status="200"} 1.0' in text
    assert 'eventgraph_requests_total{operation="export",status="400"} 1.0' in text
    assert 'eventgraph_errors_total{code="BAD_USER_INPUT"} 1.0' in text
