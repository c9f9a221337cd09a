"""Lookups: global IDs, slugs, names by language, treaty status, relations, counts, budget."""

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.schema.conftest import MEETING, GraphQLClient, seed_objects

UNKNOWN_IDS = [
    "not base64 at all!",
    "RXZlbnQ6bm90LWEtdXVpZA==",  # "Event:not-a-uuid"
    "TmVidWxhOjEyMzQ1Njc4LTEyMzQtMTIzNC0xMjM0LTEyMzQ1Njc4OTAxMg==",  # an unknown type
    "RXZlbnQ6MTIzNDU2NzgtMTIzNC0xMjM0LTEyMzQtMTIzNDU2Nzg5MDEy",  # an Event that is not there
]


async def test_every_type_round_trips_through_node_and_nodes(client: GraphQLClient) -> None:
    data = await client.data(
        """
        query ($slug: String!) {
          event(slug: $slug) {
            id
            statements(first: 1) { nodes { id } }
            topics { id }
            treaties { id }
            sources { id }
            participants { participant { id } }
          }
        }""",
        slug=MEETING,
    )
    event = data["event"]
    ids = {
        "Event": event["id"],
        "Statement": event["statements"]["nodes"][0]["id"],
        "Topic": event["topics"][0]["id"],
        "Treaty": event["treaties"][0]["id"],
        "Source": event["sources"][0]["id"],
        "Participant": event["participants"][0]["participant"]["id"],
    }
    found = await client.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        ids=[*ids.values(), *UNKNOWN_IDS],
    )
    expected = [{"__typename": name, "id": key} for name, key in ids.items()]
    assert found["nodes"] == expected + [None] * len(UNKNOWN_IDS)
    for name, key in ids.items():
        one = await client.data("query ($id: ID!) { node(id: $id) { __typename id } }", id=key)
        assert one["node"] == {"__typename": name, "id": key}


@pytest.mark.parametrize("unknown", UNKNOWN_IDS)
async def test_an_unknown_or_malformed_id_is_null(client: GraphQLClient, unknown: str) -> None:
    data = await client.data(
        """query ($id: ID!) {
          node(id: $id) { id } event(id: $id) { id } statement(id: $id) { id }
          source(id: $id) { id }
        }""",
        id=unknown,
    )
    assert data == {"node": None, "event": None, "statement": None, "source": None}


async def test_an_id_of_another_type_finds_nothing(client: GraphQLClient) -> None:
    event = await client.data("query ($slug: String!) { event(slug: $slug) { id } }", slug=MEETING)
    data = await client.data(
        "query ($id: ID!) { participant(id: $id) { slug } event(id: $id) { slug } }",
        id=event["event"]["id"],
    )
    assert data == {"participant": None, "event": {"slug": MEETING}}


async def test_an_unknown_slug_is_null(client: GraphQLClient) -> None:
    data = await client.data(
        """{
          event(slug: "no-such-event") { id }
          participant(slug: "no-such-person") { id }
          treaty(slug: "no-such-treaty") { id }
          topic(slug: "no-such-topic") { id }
        }"""
    )
    assert data == {"event": None, "participant": None, "treaty": None, "topic": None}
    assert await client.error_codes("{ event { id } }") == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("language", "putin", "treaty"),
    [
        (None, "Vladimir Putin", "New START"),
        ("en", "Vladimir Putin", "New START"),
        ("fr", "Vladimir Poutine", "START-III"),
        ("fr-CA", "Vladimir Poutine", "START-III"),
        ("FR", "Vladimir Poutine", "START-III"),
        ("de", "Vladimir Putin", "New START"),
        ("ru", "Владимир Путин", "СНВ-III"),
        ("zh", "弗拉基米尔·普京", "New START"),
    ],
)
async def test_names_in_a_language_fall_back_to_the_primary_name(
    client: GraphQLClient, language: str | None, putin: str, treaty: str
) -> None:
    data = await client.data(
        """query ($language: String) {
          participant(slug: "vladimir-putin") { name(language: $language) }
          treaty(slug: "new-start") { name(language: $language) }
          topic(slug: "nuclear-arms-control") { label(language: $language) }
        }""",
        language=language,
    )
    assert data["participant"]["name"] == putin
    assert data["treaty"]["name"] == treaty
    french = language is not None and language.lower().startswith("fr")
    expected_label = "Maîtrise des armements nucléaires" if french else "Nuclear arms control"
    assert data["topic"]["label"] == expected_label


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2010-04-07", "PROPOSED"),
        ("2010-04-08", "SIGNED"),
        ("2011-02-04", "SIGNED"),
        ("2011-02-05", "IN_FORCE"),
        ("2021-02-03", "IN_FORCE"),
        ("2026-02-04", "IN_FORCE"),
        ("2026-02-05", "EXPIRED"),
        ("2030-01-01", "EXPIRED"),
    ],
)
async def test_treaty_status_around_its_milestones(
    client: GraphQLClient, as_of: str, status: str
) -> None:
    data = await client.data(
        'query ($day: Date) { treaty(slug: "new-start") { status(asOf: $day) } }', day=as_of
    )
    assert data["treaty"]["status"] == status


async def test_treaty_status_defaults_to_today(client: GraphQLClient) -> None:
    data = await client.data(
        '{ treaty(slug: "new-start") { status milestones { kind date event { slug } } } }'
    )
    treaty = data["treaty"]
    assert treaty["status"] == ("EXPIRED" if date.today() >= date(2026, 2, 5) else "IN_FORCE")
    assert [m["kind"] for m in treaty["milestones"]] == [
        "SIGNED",
        "ENTERED_INTO_FORCE",
        "EXTENDED",
        "EXPIRED",
    ]
    assert treaty["milestones"][3]["event"] == {"slug": "new-start-expiry-2026-02-05"}


RELATED = """
query ($slug: String!, $kind: EventRelationKind) {
  event(slug: $slug) { relatedEvents(kind: $kind) { kind event { slug } } }
}"""


async def _related(client: GraphQLClient, slug: str, kind: str | None = None) -> set[Any]:
    data = await client.data(RELATED, slug=slug, kind=kind)
    return {(r["kind"], r["event"]["slug"]) for r in data["event"]["relatedEvents"]}


async def test_related_events_read_from_both_ends(client: GraphQLClient) -> None:
    from_the_call = await _related(client, MEETING)
    # Stored on the call:
    assert ("PRECEDES", "putin-visit-to-china-2026-h1") in from_the_call
    assert ("PRECEDES", "xi-trump-phone-call-2026-02-04") in from_the_call
    # Stored on the Beijing meeting as "meeting PRECEDES call", read here as its inverse:
    assert ("FOLLOWS", "xi-putin-meeting-beijing-2025-09") in from_the_call
    assert await _related(client, "putin-visit-to-china-2026-h1", "FOLLOWS") == {
        ("FOLLOWS", MEETING)
    }
    # The phone call (issue 14: the follow-ups put it after the video call, which the seed had
    # as CONCURRENT): its own relation, and the inverses of two stored on other events.
    assert await _related(client, "xi-trump-phone-call-2026-02-04") == {
        ("FOLLOWS", MEETING),
        ("FOLLOWS", "trump-xi-meeting-busan-2025-10-30"),
        ("PRECEDES", "trump-visit-to-china-2026-04"),
    }
    assert await _related(client, MEETING, "FOLLOWS") == {
        ("FOLLOWS", "xi-putin-meeting-beijing-2025-09"),
        ("FOLLOWS", "larijani-visit-to-moscow-2026-01-30"),
        ("FOLLOWS", "russia-china-diplomats-meeting-beijing-2026-02-03"),
        ("FOLLOWS", "china-russia-strategic-partnership-established-1996"),
    }
    # CONCURRENT is symmetric: stored once, on the Beijing meeting, read the same from both ends.
    parade = "military-parade-beijing-2025-09"
    assert await _related(client, "xi-putin-meeting-beijing-2025-09", "CONCURRENT") == {
        ("CONCURRENT", parade)
    }
    assert await _related(client, parade) == {("CONCURRENT", "xi-putin-meeting-beijing-2025-09")}


def _expected_counts(group_by: str) -> Counter[str]:
    events = seed_objects("events")
    if group_by == "YEAR":
        return Counter(str(e["start_date"].year) for e in events)
    if group_by == "MONTH":
        return Counter(e["start_date"].strftime("%Y-%m") for e in events)
    if group_by == "TOPIC":
        return Counter(topic for e in events for topic in e.get("topics", []))
    if group_by == "PARTICIPANT":
        return Counter(p["participant"] for e in events for p in e.get("participants", []))
    field = group_by.lower()
    defaults = {"format": "UNKNOWN"}
    return Counter(str(e.get(field, defaults.get(field))) for e in events)


@pytest.mark.parametrize(
    "group_by", ["YEAR", "MONTH", "KIND", "FORMAT", "STATUS", "TOPIC", "PARTICIPANT"]
)
async def test_event_counts_per_dimension(client: GraphQLClient, group_by: str) -> None:
    data = await client.data(
        "query ($by: EventGroupBy!) { eventCounts(groupBy: $by) { key label count } }",
        by=group_by,
    )
    buckets = data["eventCounts"]
    assert {b["key"]: b["count"] for b in buckets} == dict(_expected_counts(group_by))
    if group_by in {"YEAR", "MONTH"}:
        assert [b["key"] for b in buckets] == sorted(b["key"] for b in buckets)
    else:
        counts = [b["count"] for b in buckets]
        assert counts == sorted(counts, reverse=True)


async def test_event_counts_by_country_and_with_a_filter(client: GraphQLClient) -> None:
    data = await client.data(
        """{
          countries: eventCounts(groupBy: COUNTRY) { key label count }
          months2026: eventCounts(groupBy: MONTH, filter: {startDate: {gte: "2026-01-01"}}) {
            key label count
          }
        }"""
    )
    countries = {b["key"]: (b["label"], b["count"]) for b in data["countries"]}
    assert countries["china"][0] == "China"
    assert countries["china"][1] >= countries["russia"][1] > 0
    assert all(b["key"] >= "2026-01" for b in data["months2026"])
    assert {"key": "2026-02", "label": "February 2026", "count": 6} in data["months2026"]


async def test_the_rate_limit_shows_this_querys_cost(client: GraphQLClient) -> None:
    data = await client.data(
        """{
          events(first: 10) { nodes { statements(first: 5) { totalCount } } }
          rateLimit { limit cost remaining resetAt }
        }"""
    )
    limit = data["rateLimit"]
    # events: 1 request, then one statements request per event of the page: 1 + 10.
    assert limit["cost"] == 11
    # An anonymous caller on the loopback address, in development: charged nothing
    # (tests/security/test_exploring.py shows it, and the metered budget elsewhere).
    assert limit["remaining"] == limit["limit"] == 5_000
    # Full: it was full when the query ran.
    assert datetime.fromisoformat(limit["resetAt"]) <= datetime.now(UTC)
