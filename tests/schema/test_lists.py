"""Lists: filters across relations, search, and pagination through cursors."""

from typing import Any

from tests.schema.conftest import MEETING, GraphQLClient, seed_objects


def _participant_slugs_with_name(fragment: str) -> set[str]:
    return {
        p["slug"]
        for p in seed_objects("participants")
        if any(fragment.lower() in name["value"].lower() for name in p["names"])
    }


async def test_statements_whose_speaker_is_named_poutine(client: GraphQLClient) -> None:
    query = """
    query ($name: String!) {
      statements(filter: {speaker: {name: {contains: $name}}}, first: 100) {
        totalCount nodes { speaker { slug } }
      }
    }"""
    speakers = _participant_slugs_with_name("poutine")
    expected = [s for s in seed_objects("statements") if s["speaker"] in speakers]
    for spelling in ("poutine", "POUTINE", "Poutine"):
        statements = (await client.data(query, name=spelling))["statements"]
        assert statements["totalCount"] == len(expected) > 0
        assert {node["speaker"]["slug"] for node in statements["nodes"]} == {"vladimir-putin"}


async def test_events_with_some_participant_named_trump(client: GraphQLClient) -> None:
    query = """{
      events(filter: {participants: {some: {name: {contains: "Trump"}}}}) {
        totalCount nodes { slug }
      }
    }"""
    trump = _participant_slugs_with_name("trump")
    expected = {
        e["slug"]
        for e in seed_objects("events")
        if any(p["participant"] in trump for p in e.get("participants", []))
    }
    events = (await client.data(query))["events"]
    assert {node["slug"] for node in events["nodes"]} == expected
    assert "xi-trump-phone-call-2026-02-04" in expected
    assert events["totalCount"] == len(expected)


async def test_filters_compose_with_and_or_not(client: GraphQLClient) -> None:
    query = """{
      events(first: 100, filter: {
        kind: {eq: STATE_VISIT}
        not: {status: {eq: PLANNED}}
        or: [{startDate: {gte: "2026-01-01"}}, {title: {contains: "macron"}}]
      }) { nodes { slug } }
    }"""
    expected = {
        e["slug"]
        for e in seed_objects("events")
        if e["kind"] == "STATE_VISIT"
        and e["status"] != "PLANNED"
        and (e["start_date"].isoformat() >= "2026-01-01" or "macron" in e["title"].lower())
    }
    nodes = (await client.data(query))["events"]["nodes"]
    assert {node["slug"] for node in nodes} == expected
    assert "macron-state-visit-to-china-2025" in expected


async def test_an_id_filter_takes_global_ids(client: GraphQLClient) -> None:
    found = await client.data(
        "{ events(first: 3, orderBy: [{field: TITLE}]) { nodes { id slug } }"
        " statements(first: 1, filter: {event: {}}) { nodes { id event { slug } } } }"
    )
    first, second, third = found["events"]["nodes"]
    query = """query ($eq: ID, $in: [ID!], $statement: ID!) {
      one: events(filter: {id: {eq: $eq}}) { totalCount nodes { slug } }
      two: events(filter: {id: {in: $in}}, orderBy: [{field: TITLE}]) { nodes { slug } }
      notThird: events(filter: {not: {id: {eq: $eq}}, id: {in: $in}}) { nodes { slug } }
      byStatement: events(filter: {statements: {some: {id: {eq: $statement}}}}) {
        nodes { slug } }
      statement: statements(filter: {id: {in: [$statement]}}) { nodes { id } }
    }"""
    ((statement, event),) = [(node["id"], node["event"]) for node in found["statements"]["nodes"]]
    data = await client.data(
        query, eq=first["id"], **{"in": [first["id"], third["id"]]}, statement=statement
    )
    assert data["one"] == {"totalCount": 1, "nodes": [{"slug": first["slug"]}]}
    assert data["two"]["nodes"] == [{"slug": first["slug"]}, {"slug": third["slug"]}]
    assert data["notThird"]["nodes"] == [{"slug": third["slug"]}]
    assert second["slug"] not in {node["slug"] for node in data["two"]["nodes"]}
    assert data["byStatement"]["nodes"] == [event]
    assert data["statement"]["nodes"] == [{"id": statement}]


async def test_filters_on_global_ids_take_the_ids_the_api_gives(client: GraphQLClient) -> None:
    meeting = (await client.data(f'{{ event(slug: "{MEETING}") {{ id }} }}'))["event"]["id"]
    other = (await client.data("{ events(first: 1) { nodes { id slug } } }"))["events"]["nodes"][0]
    query = """
    query ($one: ID!, $two: ID!) {
      one: events(filter: {id: {eq: $one}}) { nodes { slug } }
      both: events(filter: {id: {in: [$one, $two]}}) { totalCount }
      said: statements(filter: {event: {id: {eq: $one}}}) { totalCount }
    }"""
    data = await client.data(query, one=meeting, two=other["id"])
    assert data["one"]["nodes"] == [{"slug": MEETING}]
    assert data["both"]["totalCount"] == len({MEETING, other["slug"]})
    said = [s for s in seed_objects("statements") if s.get("event") == MEETING]
    assert data["said"]["totalCount"] == len(said) > 0


async def test_search_in_french_ignores_accents(client: GraphQLClient) -> None:
    query = """
    query ($text: String!) {
      statements(filter: {search: $text}, first: 100) { totalCount nodes { text } }
    }"""
    accented = (await client.data(query, text="stratégique"))["statements"]
    plain = (await client.data(query, text="strategique"))["statements"]
    assert accented == plain
    assert accented["totalCount"] > 0
    assert all("strat" in node["text"].lower() for node in accented["nodes"])


async def test_the_search_box_finds_every_kind_of_object(client: GraphQLClient) -> None:
    query = """
    query ($text: String!) {
      search(query: $text, first: 10) {
        __typename
        ... on Participant { slug }
        ... on Treaty { slug }
        ... on Statement { text }
      }
    }"""
    putin = (await client.data(query, text="Poutine"))["search"]
    assert {"__typename": "Participant", "slug": "vladimir-putin"} in putin
    treaty = (await client.data(query, text="traité de réduction des armes"))["search"]
    assert {"__typename": "Treaty", "slug": "new-start"} in treaty
    only_statements = await client.data(
        '{ search(query: "printemps", types: [STATEMENT]) { __typename } }'
    )
    assert {hit["__typename"] for hit in only_statements["search"]} == {"Statement"}


PAGE = """
query Page($slug: String!, $first: Int, $after: String, $last: Int, $before: String) {
  event(slug: $slug) {
    statements(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def _page(client: GraphQLClient, **arguments: Any) -> dict[str, Any]:
    data = await client.data(PAGE, slug=MEETING, **arguments)
    page: dict[str, Any] = data["event"]["statements"]
    return page


def _ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


async def test_paging_forwards_then_backwards_visits_every_statement_once(
    client: GraphQLClient,
) -> None:
    everything = _ids(await _page(client, first=100))
    assert len(everything) == 76

    forwards: list[str] = []
    after = None
    while True:
        page = await _page(client, first=10, after=after)
        forwards += _ids(page)
        assert page["totalCount"] == 76
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forwards == everything
    assert len(_ids(page)) == 6  # the last page holds the rest

    backwards: list[str] = []
    before = None
    while True:
        page = await _page(client, last=10, before=before)
        backwards = _ids(page) + backwards
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backwards == everything


async def test_past_the_last_item_the_page_is_empty(client: GraphQLClient) -> None:
    last = await _page(client, last=1)
    empty = await _page(client, first=10, after=last["pageInfo"]["endCursor"])
    assert empty["edges"] == []
    assert empty["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
    assert empty["totalCount"] == 76


async def test_a_cursor_from_another_connection_is_refused(client: GraphQLClient) -> None:
    events = await client.data("{ events(first: 1) { pageInfo { endCursor } } }")
    foreign = events["events"]["pageInfo"]["endCursor"]
    codes = await client.error_codes(PAGE, slug=MEETING, first=5, after=foreign)
    assert codes == ["BAD_USER_INPUT"]


async def test_more_than_a_hundred_items_is_bad_user_input(client: GraphQLClient) -> None:
    assert await client.error_codes("{ events(first: 101) { totalCount } }") == ["BAD_USER_INPUT"]
    assert await client.error_codes(PAGE, slug=MEETING, first=101) == ["BAD_USER_INPUT"]
    codes = await client.error_codes("{ events(first: 5, last: 5) { totalCount } }")
    assert codes == ["BAD_USER_INPUT"]
