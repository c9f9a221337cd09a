"""The mutations write issue 14's fields as the fixture format has them (their inputs are derived
from the fixture models): a source's kind, reprint and bases, a statement's renderings, links and
claims; and refuse what `fixtures validate` refuses, at the input's field."""

from typing import Any

import asyncpg

from api.store.entities import Entity
from tests.write.conftest import Admin
from tests.write.examples import create_mutation, delete_mutation, update_mutation

SEED_SOURCE = "euronews-fr-2026-02-04-xi-putin"

WIRE = {
    "slug": "wire-2026-02-04-example",
    "kind": "WIRE_STORY",
    "title": "A wire story",
    "publisher": "Example Wire",
    "language": "en",
}
REPRINT = {
    "slug": "reprint-2026-02-04-example",
    "title": "A reprint",
    "publisher": "Example Daily",
    "language": "fr",
    "reprintOf": WIRE["slug"],
    "basedOn": [SEED_SOURCE],
    "note": "date uncertain",
}
STATEMENT = {
    "slug": "example-rendered-quote",
    "text": "Un exemple",
    "language": "fr",
    "kind": "DIRECT_QUOTE",
    "speaker": "xi-jinping",
    "source": SEED_SOURCE,
    "translation": "TRANSLATION",
    "renderings": [
        {
            "text": "An example",
            "language": "en",
            "kind": "DIRECT_QUOTE",
            "source": WIRE["slug"],
            "translation": "ORIGINAL",
        },
        {
            "text": "Un exemple, dit-il",
            "language": "fr",
            "kind": "PARAPHRASE",
            "source": REPRINT["slug"],
            "distortion": "a paraphrase given as a quote",
        },
    ],
    "mayBeSameAs": ["putin-reaffirms-strategic-rapprochement"],
    "claims": [
        {"field": "speaker", "value": "xi-jinping", "source": WIRE["slug"]},
        {"field": "speaker", "value": "vladimir-putin", "source": REPRINT["slug"]},
    ],
}


async def _create(admin: Admin, entity: Entity, name: str, given: dict[str, Any]) -> Any:
    body = await admin.post(create_mutation(entity), input=given)
    payload = body["data"][f"{name}Create"]
    assert payload["userErrors"] == [], payload
    return payload[name]


async def test_sources_and_a_statement_with_renderings_links_and_claims_are_written(
    admin: Admin, connection: asyncpg.Connection
) -> None:
    await _create(admin, Entity.SOURCE, "source", WIRE)
    await _create(admin, Entity.SOURCE, "source", REPRINT)
    await _create(admin, Entity.STATEMENT, "statement", STATEMENT)

    source = await connection.fetchrow(
        "SELECT s.kind, w.slug AS reprint_of, s.note, array(SELECT b.slug FROM source_based_on x "
        "JOIN sources b ON b.id = x.based_on_id WHERE x.source_id = s.id) AS based_on "
        "FROM sources s JOIN sources w ON w.id = s.reprint_of_id WHERE s.slug = $1",
        REPRINT["slug"],
    )
    assert source is not None
    assert dict(source) == {
        "kind": "REPORT",
        "reprint_of": WIRE["slug"],
        "note": "date uncertain",
        "based_on": [SEED_SOURCE],
    }
    statement = "(SELECT id FROM statements WHERE slug = 'example-rendered-quote')"
    renderings = await connection.fetch(
        "SELECT r.text, r.language, r.kind, s.slug AS source, r.translation, r.distortion, "
        f"r.position FROM statement_renderings r JOIN sources s ON s.id = r.source_id "
        f"WHERE r.statement_id = {statement} ORDER BY r.position"
    )
    assert [tuple(row) for row in renderings] == [
        ("An example", "en", "DIRECT_QUOTE", WIRE["slug"], "ORIGINAL", None, 0),
        (
            "Un exemple, dit-il",
            "fr",
            "PARAPHRASE",
            REPRINT["slug"],
            "UNKNOWN",
            "a paraphrase given as a quote",
            1,
        ),
    ]
    claims = await connection.fetch(
        "SELECT c.field, c.value, c.qualifier, s.slug AS source FROM statement_claims c "
        f"JOIN sources s ON s.id = c.source_id WHERE c.statement_id = {statement} "
        "ORDER BY c.position"
    )
    assert [tuple(row) for row in claims] == [
        ("speaker", "xi-jinping", "EXACT", WIRE["slug"]),
        ("speaker", "vladimir-putin", "EXACT", REPRINT["slug"]),
    ]
    linked = await connection.fetchval(
        "SELECT array_agg(o.slug) FROM statement_may_be_same_as l "
        f"JOIN statements o ON o.id = l.may_be_same_as_id WHERE l.statement_id = {statement}"
    )
    assert linked == ["putin-reaffirms-strategic-rapprochement"]
    translation = await connection.fetchval(
        f"SELECT translation FROM statements WHERE id = {statement}"
    )
    assert translation == "TRANSLATION"


async def test_claims_given_replace_the_stored_ones_and_are_checked(
    admin: Admin, connection: asyncpg.Connection
) -> None:
    await _create(admin, Entity.SOURCE, "source", WIRE)
    await _create(admin, Entity.SOURCE, "source", REPRINT)
    created = await _create(admin, Entity.STATEMENT, "statement", STATEMENT)

    only_putin = [{"field": "speaker", "value": "vladimir-putin", "source": WIRE["slug"]}]
    refused = await admin.post(
        update_mutation(Entity.STATEMENT), id=created["id"], input={"claims": only_putin}
    )
    assert refused["data"]["statementUpdate"]["userErrors"] == [
        {
            "field": ["input", "speaker"],
            "code": "INVALID",
            "message": "speaker holds 'xi-jinping', which none of its claims gives "
            "('vladimir-putin'): a field with claims holds the value chosen among them",
        }
    ]
    unknown = [{"field": "speaker", "value": "nobody-at-all", "source": WIRE["slug"]}]
    refused = await admin.post(
        update_mutation(Entity.STATEMENT), id=created["id"], input={"claims": unknown}
    )
    [error] = refused["data"]["statementUpdate"]["userErrors"]
    assert error["field"] == ["input", "claims", "0", "value"]
    assert "unknown participant 'nobody-at-all'" in error["message"]

    updated = await admin.post(
        update_mutation(Entity.STATEMENT),
        id=created["id"],
        input={"speaker": "vladimir-putin", "claims": only_putin},
    )
    assert updated["data"]["statementUpdate"]["userErrors"] == []
    left = await connection.fetchval(
        "SELECT count(*) FROM statement_claims c JOIN statements s ON s.id = c.statement_id "
        "WHERE s.slug = 'example-rendered-quote'"
    )
    assert left == 1


async def test_a_reprint_of_a_report_in_the_input_is_refused(admin: Admin) -> None:
    await _create(admin, Entity.SOURCE, "source", {**WIRE, "kind": "REPORT"})
    body = await admin.post(create_mutation(Entity.SOURCE), input=REPRINT)
    [error] = body["data"]["sourceCreate"]["userErrors"]
    assert error["field"] == ["input", "reprintOf"]


async def test_a_wire_story_its_reprints_name_is_not_deleted(admin: Admin) -> None:
    wire = await _create(admin, Entity.SOURCE, "source", WIRE)
    await _create(admin, Entity.SOURCE, "source", REPRINT)
    body = await admin.post(delete_mutation(Entity.SOURCE), id=wire["id"], version=1)
    [error] = body["data"]["sourceDelete"]["userErrors"]
    assert error["code"] == "REFERENCED"
