"""Who may run mutations and how: admin keys only (403 for a read key, 401 without a key in
production), POST only (405 over GET), charged to the budget like queries, counted as
mutations, and logged under the key's name."""

import asyncpg
import httpx
from prometheus_client import REGISTRY
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.security.access import ANONYMOUS_AUTHOR
from api.security.keys import Scope
from api.settings import Settings
from api.store.entities import Entity
from schema.execution.cost import MUTATION_COST
from tests.schema.conftest import serving
from tests.security.production import Production, codes, headers, new_key
from tests.write.conftest import ADMIN, Admin
from tests.write.examples import EXAMPLES, create_mutation

CREATE_TOPIC = create_mutation(Entity.TOPIC)
TOPIC = {"input": EXAMPLES[Entity.TOPIC].create}


async def _topics_named(url: URL, slug: str) -> int:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM topics WHERE slug = $1", slug)
        return count
    finally:
        await connection.close()


async def test_a_read_key_is_forbidden(api: Production, reader: str, seed: URL) -> None:
    response = await api.post(CREATE_TOPIC, TOPIC, key=reader)
    assert response.status_code == 403
    assert codes(response) == ["FORBIDDEN"]
    assert await _topics_named(seed, "example-topic") == 0


async def test_production_refuses_anonymous_writes(api: Production, seed: URL) -> None:
    response = await api.post(CREATE_TOPIC, TOPIC)
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]
    assert await _topics_named(seed, "example-topic") == 0


async def test_a_mutation_over_get_is_refused(seed: URL) -> None:
    """In development, where GET runs query texts, a mutation over GET is still refused."""
    async with (
        serving(Settings(), seed) as app,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://eventgraph.test"
        ) as http,
    ):
        assert (
            await http.get("/graphql", params={"query": "{ topics { totalCount } }"})
        ).is_success
        response = await http.get(
            "/graphql",
            params={"query": 'mutation { topicDelete(id: "x") { deletedId } }'},
            headers=headers(),
        )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_development_writes_anonymously_under_its_own_name(seed: URL) -> None:
    async with (
        serving(Settings(), seed) as app,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://eventgraph.test"
        ) as http,
    ):
        response = await http.post("/graphql", json={"query": CREATE_TOPIC, "variables": TOPIC})
    assert response.json()["data"]["topicCreate"]["userErrors"] == []
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        actor = await connection.fetchval(
            "SELECT actor FROM changes JOIN topics ON topics.id = changes.node_id "
            "WHERE topics.slug = 'example-topic'"
        )
    finally:
        await connection.close()
    assert actor == ANONYMOUS_AUTHOR


async def test_the_change_log_names_the_key(admin: Admin, seed: URL) -> None:
    body = await admin.post(create_mutation(Entity.EVENT), input=EXAMPLES[Entity.EVENT].create)
    assert body["data"]["eventCreate"]["userErrors"] == []
    connection = await asyncpg.connect(to_asyncpg_dsn(seed))
    try:
        actors = await connection.fetch(
            "SELECT DISTINCT actor FROM changes WHERE xid = "
            "(SELECT xid FROM changes c JOIN events e ON e.id = c.node_id "
            "WHERE e.slug = 'example-summit')"
        )
    finally:
        await connection.close()
    # The event, and the event its FOLLOWS relation is stored under, logged by one write.
    assert [row["actor"] for row in actors] == [ADMIN]


async def test_mutations_are_charged_and_counted_as_mutations(api: Production, seed: URL) -> None:
    """A key whose budget holds 36 points, regaining almost nothing: a mutation (10 points),
    then one reading a list in its payload (11) pass; two more in one request (20) do not."""
    key = await new_key(
        seed, "Small desk", Scope.ADMIN, budget_capacity=36, budget_restore_per_second=0.001
    )

    def counted() -> float:
        labels = {"operation": "mutation", "status": "200"}
        return REGISTRY.get_sample_value("eventgraph_requests_total", labels) or 0.0

    def fallbacks() -> float:
        return REGISTRY.get_sample_value("eventgraph_fallback_executions_total") or 0.0

    before, fallbacks_before = counted(), fallbacks()
    first = await api.post(CREATE_TOPIC, TOPIC, key=key)
    cost = first.json()["extensions"]["cost"]
    # One mutation field, and its payload reads no list.
    assert cost["requestedQueryCost"] == MUTATION_COST
    assert cost["throttleStatus"]["currentlyAvailable"] == 36 - MUTATION_COST
    assert counted() == before + 1
    # Strawberry runs mutations by design: not counted as the compiled path's fallbacks.
    assert fallbacks() == fallbacks_before
    # What the payload reads is counted as a query's lists are (docs/partners.md).
    with_list = await api.post(
        create_mutation(Entity.TOPIC, "slug events { totalCount }"), TOPIC, key=key
    )
    assert with_list.json()["extensions"]["cost"]["requestedQueryCost"] == MUTATION_COST + 1
    second = await api.post(
        'mutation { a: topicDelete(id: "x") { deletedId } b: topicDelete(id: "y") { deletedId } }',
        key=key,
    )
    assert second.status_code == 429
    assert codes(second) == ["RATE_LIMITED"]
