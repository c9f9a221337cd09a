"""Every rule a mutation answers with userErrors, for every mutation: the code, the path of the
field, and nothing written (no row, no change in the log, no version raised)."""

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.store.entities import ENTITIES, Entity
from schema.global_ids import encode_global_id
from tests.write.conftest import Admin
from tests.write.examples import (
    EXAMPLES,
    create_mutation,
    delete_mutation,
    singular,
    update_mutation,
)


async def _logged(url: URL) -> int:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM changes")
        return count
    finally:
        await connection.close()


async def refused(
    admin: Admin, url: URL, query: str, path: str, **variables: Any
) -> list[tuple[list[str] | None, str]]:
    """The (field, code) of each userError of a mutation that must write nothing."""
    before = await _logged(url)
    body = await admin.post(query, **variables)
    payload = body["data"][path]
    assert payload["userErrors"], payload
    assert all(value is None for name, value in payload.items() if name != "userErrors")
    assert await _logged(url) == before, "a refused mutation wrote to the change log"
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


def _with(entity: Entity, **changed: Any) -> dict[str, Any]:
    return {**EXAMPLES[entity].create, **changed}


@dataclass(frozen=True)
class CreateCase:
    entity: Entity
    input: dict[str, Any]
    errors: list[tuple[list[str], str]]
    first: list[dict[str, Any]] = field(default_factory=list)
    """Inputs of the same entity created first."""


def _every_entity(make: Any) -> list[Any]:
    return [pytest.param(make(entity), id=f"{entity.name}") for entity in ENTITIES]


CREATE_CASES = [
    *[
        pytest.param(
            CreateCase(entity, _with(entity, slug="Not a slug"), [(["input", "slug"], "INVALID")]),
            id=f"{entity.name}-slug-format",
        )
        for entity in ENTITIES
    ],
    *[
        pytest.param(
            CreateCase(
                entity,
                _with(entity, slug=EXAMPLES[entity].seed_slug),
                [(["input", "slug"], "DUPLICATE")],
            ),
            id=f"{entity.name}-duplicate-slug",
        )
        for entity in ENTITIES
    ],
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, endDate="2026-02-01"),
            [(["input", "endDate"], "INVALID")],
        ),
        id="event-end-before-start",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, participants=[{"participant": "nobody"}]),
            [(["input", "participants", "0", "participant"], "INVALID")],
        ),
        id="event-unknown-participant",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, topics=["energy", "energy"]),
            [(["input", "topics", "1"], "INVALID")],
        ),
        id="event-topic-twice",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, related=[{"kind": "PRECEDES", "event": "example-summit"}]),
            [(["input", "related", "0"], "INVALID")],
        ),
        id="event-related-to-itself",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, title="x" * 3_000),
            [(["input", "title"], "INVALID")],
        ),
        id="event-title-too-long-for-its-index",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, location={"name": "Geneva", "country": "xi-jinping"}),
            [(["input", "location", "country"], "INVALID")],
        ),
        id="event-location-country-not-a-country",
    ),
    pytest.param(
        CreateCase(
            Entity.EVENT,
            _with(Entity.EVENT, language="english"),
            [(["input", "language"], "INVALID")],
        ),
        id="event-language-tag",
    ),
    pytest.param(
        CreateCase(
            Entity.STATEMENT,
            _with(Entity.STATEMENT, speaker="nobody"),
            [(["input", "speaker"], "INVALID")],
        ),
        id="statement-unknown-speaker",
    ),
    pytest.param(
        CreateCase(
            Entity.STATEMENT,
            _with(Entity.STATEMENT, position=0),
            [(["input", "position"], "DUPLICATE")],
        ),
        id="statement-position-taken",
    ),
    pytest.param(
        CreateCase(
            Entity.STATEMENT,
            _with(Entity.STATEMENT, text="a\x00b"),
            [(["input", "text"], "INVALID")],
        ),
        id="statement-text-not-storable",
    ),
    pytest.param(
        CreateCase(
            Entity.PARTICIPANT,
            _with(Entity.PARTICIPANT, country="xi-jinping"),
            [(["input", "country"], "INVALID")],
        ),
        id="participant-country-not-a-country",
    ),
    pytest.param(
        CreateCase(
            Entity.PARTICIPANT,
            _with(
                Entity.PARTICIPANT,
                roles=[{"title": "Envoy", "startDate": "2020-01-01", "endDate": "2019-01-01"}],
            ),
            [(["input", "roles", "0", "endDate"], "INVALID")],
        ),
        id="participant-role-ends-before-it-starts",
    ),
    pytest.param(
        CreateCase(
            Entity.PARTICIPANT,
            _with(
                Entity.PARTICIPANT,
                names=[
                    {"value": "A", "language": "en", "primary": True},
                    {"value": "B", "language": "fr", "primary": True},
                ],
            ),
            [(["input", "names"], "INVALID")],
        ),
        id="participant-two-primary-names",
    ),
    pytest.param(
        CreateCase(
            Entity.TREATY,
            _with(Entity.TREATY, effectiveOn="2019-01-01"),
            [(["input", "effectiveOn"], "INVALID")],
        ),
        id="treaty-effective-before-signed",
    ),
    pytest.param(
        CreateCase(
            Entity.TREATY,
            _with(Entity.TREATY, parties=["nobody"]),
            [(["input", "parties", "0"], "INVALID")],
        ),
        id="treaty-unknown-party",
    ),
    pytest.param(
        CreateCase(
            Entity.TREATY,
            _with(
                Entity.TREATY,
                milestones=[
                    {"kind": "SIGNED", "date": "2020-01-01"},
                    {"kind": "SIGNED", "date": "2020-01-01"},
                ],
            ),
            [(["input", "milestones", "1"], "INVALID")],
        ),
        id="treaty-milestone-twice",
    ),
    pytest.param(
        CreateCase(
            Entity.TOPIC,
            _with(Entity.TOPIC, parent="nothing"),
            [(["input", "parent"], "INVALID")],
        ),
        id="topic-unknown-parent",
    ),
    pytest.param(
        CreateCase(
            Entity.TOPIC,
            _with(Entity.TOPIC, parent="example-topic"),
            [(["input", "parent"], "INVALID")],
        ),
        id="topic-its-own-parent",
    ),
    pytest.param(
        CreateCase(
            Entity.SOURCE,
            _with(Entity.SOURCE, url="ftp://example.org"),
            [(["input", "url"], "INVALID")],
        ),
        id="source-url-format",
    ),
    pytest.param(
        CreateCase(
            Entity.SOURCE,
            _with(Entity.SOURCE, slug="another-article"),
            [(["input", "url"], "DUPLICATE")],
            first=[EXAMPLES[Entity.SOURCE].create],
        ),
        id="source-url-taken",
    ),
]


@pytest.mark.parametrize("case", CREATE_CASES)
async def test_create_refusals(admin: Admin, seed: URL, case: CreateCase) -> None:
    name = singular(case.entity)
    for first in case.first:
        await admin.post(create_mutation(case.entity), input=first)
    errors = await refused(
        admin, seed, create_mutation(case.entity), f"{name}Create", input=case.input
    )
    assert errors == case.errors


async def _created(admin: Admin, entity: Entity) -> str:
    body = await admin.post(create_mutation(entity), input=EXAMPLES[entity].create)
    node_id: str = body["data"][f"{singular(entity)}Create"][singular(entity)]["id"]
    return node_id


async def test_an_update_is_checked_whole(admin: Admin, seed: URL) -> None:
    """The fields given are checked with the stored ones: an end date before the stored start."""
    node_id = await _created(admin, Entity.EVENT)
    errors = await refused(
        admin,
        seed,
        update_mutation(Entity.EVENT),
        "eventUpdate",
        id=node_id,
        input={"startDate": "2026-04-01"},
    )
    assert errors == [(["input", "endDate"], "INVALID")]


async def test_a_required_field_cannot_be_emptied(admin: Admin, seed: URL) -> None:
    node_id = await _created(admin, Entity.EVENT)
    errors = await refused(
        admin, seed, update_mutation(Entity.EVENT), "eventUpdate", id=node_id, input={"title": None}
    )
    assert errors == [(["input", "title"], "INVALID")]


async def test_an_update_to_a_taken_slug_is_a_duplicate(admin: Admin, seed: URL) -> None:
    node_id = await _created(admin, Entity.TOPIC)
    errors = await refused(
        admin,
        seed,
        update_mutation(Entity.TOPIC),
        "topicUpdate",
        id=node_id,
        input={"slug": "energy"},
    )
    assert errors == [(["input", "slug"], "DUPLICATE")]


async def test_a_topic_cycle_through_stored_topics_is_refused(admin: Admin, seed: URL) -> None:
    await _created(admin, Entity.TOPIC)  # example-topic, under international-relations
    above = await admin.post('{ topic(slug: "international-relations") { id } }')
    errors = await refused(
        admin,
        seed,
        update_mutation(Entity.TOPIC),
        "topicUpdate",
        id=above["data"]["topic"]["id"],
        input={"parent": "example-topic"},
    )
    assert errors == [(["input", "parent"], "INVALID")]


@pytest.mark.parametrize("operation", ["update", "delete"])
@pytest.mark.parametrize("entity", list(ENTITIES), ids=lambda entity: entity.name)
async def test_unknown_ids(admin: Admin, seed: URL, entity: Entity, operation: str) -> None:
    other = Entity.TOPIC if entity is not Entity.TOPIC else Entity.EVENT
    topic_id = await _created(admin, other)
    path = f"{singular(entity)}{operation.capitalize()}"
    for unknown in (
        encode_global_id(ENTITIES[entity].type_name, uuid4()),
        "not an id",
        topic_id,  # an object of another type
    ):
        variables: dict[str, Any] = {"input": {}} if operation == "update" else {}
        query = update_mutation(entity) if operation == "update" else delete_mutation(entity)
        errors = await refused(admin, seed, query, path, id=unknown, **variables)
        assert errors == [(["id"], "NOT_FOUND")]


@pytest.mark.parametrize("operation", ["update", "delete"])
@pytest.mark.parametrize("entity", list(ENTITIES), ids=lambda entity: entity.name)
async def test_a_stale_version_is_a_conflict(
    admin: Admin, seed: URL, entity: Entity, operation: str
) -> None:
    node_id = await _created(admin, entity)
    path = f"{singular(entity)}{operation.capitalize()}"
    query = update_mutation(entity) if operation == "update" else delete_mutation(entity)
    variables = {"input": EXAMPLES[entity].update} if operation == "update" else {}
    before = await _logged(seed)
    body = await admin.post(query, id=node_id, version=7, **variables)
    errors = body["data"][path]["userErrors"]
    assert [(error["field"], error["code"]) for error in errors] == [
        (["expectedVersion"], "VERSION_CONFLICT")
    ]
    assert "version 1" in errors[0]["message"]
    assert await _logged(seed) == before


async def test_an_object_others_refer_to_cannot_be_deleted(admin: Admin, seed: URL) -> None:
    speaker = await admin.post('{ participant(slug: "xi-jinping") { id } }')
    errors = await refused(
        admin,
        seed,
        delete_mutation(Entity.PARTICIPANT),
        "participantDelete",
        id=speaker["data"]["participant"]["id"],
    )
    assert errors == [(["id"], "REFERENCED")]
