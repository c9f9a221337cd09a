"""An object of each entity to create through the API over the seed corpus, a change to make to
it, and the selection to read it back with: the data the tests of tests/write run on."""

from dataclasses import dataclass
from typing import Any

from api.store.entities import ENTITIES, Entity


@dataclass(frozen=True)
class Example:
    create: dict[str, Any]
    update: dict[str, Any]
    selection: str
    """What to read of the object, covering its fields and lists."""
    seed_slug: str
    """The slug of an object of the kind in the seed corpus."""


NAMES = [{"value": "Example", "language": "en", "primary": True}]

EXAMPLES: dict[Entity, Example] = {
    Entity.EVENT: Example(
        {
            "slug": "example-summit",
            "title": "Example summit",
            "language": "en",
            "kind": "SUMMIT",
            "status": "PLANNED",
            "startDate": "2026-03-01",
            "endDate": "2026-03-02",
            "location": {"name": "Geneva", "country": "china"},
            "participants": [{"participant": "xi-jinping", "role": "HOST"}],
            "topics": ["energy"],
            "treaties": ["new-start"],
            "sources": ["euronews-fr-2026-02-04-xi-putin"],
            "related": [{"kind": "FOLLOWS", "event": "xi-putin-meeting-beijing-2025-09"}],
        },
        {"title": "Example summit, renamed", "topics": ["energy", "bilateral-relations"]},
        "slug title endDate location { name country { slug } } "
        "participants { participant { slug } role } topics { slug } treaties { slug } "
        "sources { slug } relatedEvents { kind event { slug } }",
        "xi-putin-video-call-2026-02-04",
    ),
    Entity.STATEMENT: Example(
        {
            "slug": "example-quote",
            "text": "Un exemple",
            "language": "fr",
            "kind": "DIRECT_QUOTE",
            "speaker": "xi-jinping",
            "source": "euronews-fr-2026-02-04-xi-putin",
            "event": "xi-putin-video-call-2026-02-04",
            "topics": ["energy"],
            "mentions": ["vladimir-putin"],
            "treaties": ["new-start"],
        },
        {"text": "Un autre exemple", "mentions": []},
        "text speaker { slug } event { slug } topics { slug } mentions { slug } "
        "treaties { slug } source { slug }",
        "putin-reaffirms-strategic-rapprochement",
    ),
    Entity.PARTICIPANT: Example(
        {
            "slug": "example-person",
            "kind": "PERSON",
            "names": NAMES,
            "country": "china",
            "roles": [{"title": "Envoy", "organization": "china", "startDate": "2020-01-01"}],
        },
        {"names": [{"value": "Exemple", "language": "fr", "primary": True}]},
        "slug name names { value language } country { slug } roles { title }",
        "xi-jinping",
    ),
    Entity.TREATY: Example(
        {
            "slug": "example-treaty",
            "names": NAMES,
            "signedOn": "2020-01-01",
            "parties": ["china", "russia"],
            "milestones": [{"kind": "SIGNED", "date": "2020-01-01"}],
        },
        {"parties": ["china"], "summary": "An example."},
        "slug name summary signedOn parties { slug } milestones { kind date }",
        "new-start",
    ),
    Entity.TOPIC: Example(
        {"slug": "example-topic", "labels": NAMES, "parent": "international-relations"},
        {"description": "An example."},
        "slug label description parent { slug }",
        "energy",
    ),
    Entity.SOURCE: Example(
        {
            "slug": "example-article",
            "title": "An example",
            "publisher": "Example Press",
            "language": "en",
            "url": "https://example.org/article",
            "publishedAt": "2026-02-05T10:00:00+00:00",
        },
        {"title": "An example, corrected"},
        "slug title publisher url publishedAt",
        "euronews-fr-2026-02-04-xi-putin",
    ),
}


def singular(entity: Entity) -> str:
    """The entity's name in mutation names: event, statement…"""
    return ENTITIES[entity].type_name[0].lower() + ENTITIES[entity].type_name[1:]


def create_mutation(entity: Entity, selection: str = "id version") -> str:
    name, type_name = singular(entity), ENTITIES[entity].type_name
    return (
        f"mutation ($input: {type_name}CreateInput!, $key: String) {{ "
        f"{name}Create(input: $input, idempotencyKey: $key) {{ {name} {{ {selection} }} "
        "userErrors { field code message } } }"
    )


def update_mutation(entity: Entity, selection: str = "id version") -> str:
    name, type_name = singular(entity), ENTITIES[entity].type_name
    return (
        f"mutation ($id: ID!, $input: {type_name}UpdateInput!, $version: Int, $key: String) {{ "
        f"{name}Update(id: $id, input: $input, expectedVersion: $version, "
        f"idempotencyKey: $key) {{ {name} {{ {selection} }} "
        "userErrors { field code message } } }"
    )


def delete_mutation(entity: Entity) -> str:
    name = singular(entity)
    return (
        "mutation ($id: ID!, $version: Int, $key: String) { "
        f"{name}Delete(id: $id, expectedVersion: $version, idempotencyKey: $key) {{ "
        "deletedId userErrors { field code message } } }"
    )
