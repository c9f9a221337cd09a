"""Create, update and delete for every entity of the registry, over HTTP on the seed corpus: what
is written reads back as given, each write raises the version once, and the change log holds
each under the admin key's name."""

from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.store.entities import ENTITIES, Entity
from schema.global_ids import node_key
from tests.write.conftest import ADMIN, Admin
from tests.write.examples import (
    EXAMPLES,
    create_mutation,
    delete_mutation,
    singular,
    update_mutation,
)

EVERY_ENTITY = pytest.mark.parametrize("entity", list(ENTITIES), ids=lambda entity: entity.name)


def test_every_entity_has_an_example() -> None:
    assert set(EXAMPLES) == set(ENTITIES)


def _expected(given: dict[str, Any], read: dict[str, Any]) -> None:
    """Each given field reads back as given (lists of slugs as lists of objects)."""
    for name, value in given.items():
        if name not in read:
            continue
        got = read[name]
        if isinstance(value, list) and value and isinstance(value[0], str):
            assert sorted(item["slug"] for item in got) == sorted(value), name
        elif isinstance(value, str) and isinstance(got, dict):
            assert got["slug"] == value, name
        elif not isinstance(value, list | dict):
            assert got == value, name


async def changes_of(url: URL, node_id: str) -> list[asyncpg.Record]:
    key = node_key(node_id)
    assert key is not None
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        return await connection.fetch(
            "SELECT op, version, actor, fields FROM changes WHERE node_id = $1 ORDER BY id",
            key[1],
        )
    finally:
        await connection.close()


@EVERY_ENTITY
async def test_create_update_delete(admin: Admin, seed: URL, entity: Entity) -> None:
    example, name = EXAMPLES[entity], singular(entity)
    selection = f"id version {example.selection}"

    created = (await admin.post(create_mutation(entity, selection), input=example.create))["data"]
    payload = created[f"{name}Create"]
    assert payload["userErrors"] == []
    node = payload[name]
    assert node["version"] == 1
    _expected(example.create, node)

    type_name = ENTITIES[entity].type_name
    read = await admin.post(
        f'{{ node(id: "{node["id"]}") {{ ... on {type_name} {{ {selection} }} }} }}'
    )
    assert read["data"]["node"] == node

    updated = await admin.post(
        update_mutation(entity, selection), id=node["id"], input=example.update, version=1
    )
    payload = updated["data"][f"{name}Update"]
    assert payload["userErrors"] == []
    assert payload[name]["version"] == 2
    _expected(example.update, payload[name])
    # What the update leaves out is as it was.
    for field in set(example.create) - set(example.update):
        if field in node and not isinstance(node[field], list):
            assert payload[name][field] == node[field], field

    deleted = await admin.post(delete_mutation(entity), id=node["id"], version=2)
    assert deleted["data"][f"{name}Delete"] == {"deletedId": node["id"], "userErrors": []}
    gone = await admin.post(f'{{ node(id: "{node["id"]}") {{ id }} }}')
    assert gone["data"]["node"] is None

    logged = await changes_of(seed, node["id"])
    assert [(row["op"], row["version"], row["actor"]) for row in logged] == [
        ("CREATE", 1, ADMIN),
        ("UPDATE", 2, ADMIN),
        ("DELETE", 3, ADMIN),
    ]


@EVERY_ENTITY
async def test_an_update_that_changes_nothing_raises_no_version(
    admin: Admin, seed: URL, entity: Entity
) -> None:
    example, name = EXAMPLES[entity], singular(entity)
    created = await admin.post(create_mutation(entity), input=example.create)
    node = created["data"][f"{name}Create"][name]
    again = await admin.post(update_mutation(entity), id=node["id"], input=example.create)
    assert again["data"][f"{name}Update"] == {"userErrors": [], name: node}
    assert len(await changes_of(seed, node["id"])) == 1


async def test_a_list_given_replaces_the_stored_one_and_a_list_left_out_stays(
    admin: Admin,
) -> None:
    event = EXAMPLES[Entity.EVENT]
    selection = "id participants { participant { slug } role } topics { slug }"
    created = await admin.post(create_mutation(Entity.EVENT, selection), input=event.create)
    node = created["data"]["eventCreate"]["event"]
    new_cast = [{"participant": "vladimir-putin", "role": "GUEST"}]
    updated = await admin.post(
        update_mutation(Entity.EVENT, selection), id=node["id"], input={"participants": new_cast}
    )
    after = updated["data"]["eventUpdate"]["event"]
    assert after["participants"] == [{"participant": {"slug": "vladimir-putin"}, "role": "GUEST"}]
    assert after["topics"] == node["topics"]


async def test_an_events_relations_are_its_own_from_either_end(admin: Admin) -> None:
    """A FOLLOWS relation is stored as the other event's PRECEDES; replacing the list removes
    it all the same."""
    event = EXAMPLES[Entity.EVENT]
    selection = "id relatedEvents { kind event { slug } }"
    created = await admin.post(create_mutation(Entity.EVENT, selection), input=event.create)
    node = created["data"]["eventCreate"]["event"]
    assert node["relatedEvents"] == [
        {"kind": "FOLLOWS", "event": {"slug": "xi-putin-meeting-beijing-2025-09"}}
    ]
    cleared = await admin.post(
        update_mutation(Entity.EVENT, selection), id=node["id"], input={"related": []}
    )
    assert cleared["data"]["eventUpdate"]["event"]["relatedEvents"] == []


async def test_a_statement_created_without_a_position_comes_last_in_its_source(
    admin: Admin,
) -> None:
    statement = EXAMPLES[Entity.STATEMENT]
    created = await admin.post(
        create_mutation(Entity.STATEMENT, "id source { statements(last: 1) { nodes { text } } }"),
        input=statement.create,
    )
    source = created["data"]["statementCreate"]["statement"]["source"]
    assert source["statements"]["nodes"] == [{"text": "Un exemple"}]


async def test_the_payload_reads_nested_fields(admin: Admin) -> None:
    created = await admin.post(
        create_mutation(Entity.TOPIC, "id parent { slug children { slug } }"),
        input=EXAMPLES[Entity.TOPIC].create,
    )
    parent = created["data"]["topicCreate"]["topic"]["parent"]
    assert parent["slug"] == "international-relations"
    assert "example-topic" in [child["slug"] for child in parent["children"]]
