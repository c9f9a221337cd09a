"""The nested fetch a frontend makes for one meeting, checked against the seed corpus."""

from tests.schema.conftest import MEETING, GraphQLClient, seed_objects

MEETING_QUERY = """
query Meeting($slug: String!) {
  event(slug: $slug) {
    title kind format status startDate endDate datePrecision durationMinutes location { name }
    participants { role participant { slug name } }
    statements(first: 100) {
      totalCount
      nodes { text kind speaker { name(language: "fr") } reportedBy { name } topics { label } }
    }
    topics { label }
    treaties { slug name }
    sources { publisher language publishedAt }
  }
}
"""


async def test_the_meeting_with_its_quotes_speakers_and_topics(client: GraphQLClient) -> None:
    event = (await client.data(MEETING_QUERY, slug=MEETING))["event"]

    assert event["title"] == "Xi Jinping–Vladimir Putin video call"
    assert (event["kind"], event["format"], event["status"]) == ("MEETING", "VIDEO", "HELD")
    assert (event["startDate"], event["endDate"], event["datePrecision"]) == (
        "2026-02-04",
        None,
        "DAY",
    )
    assert event["durationMinutes"] == 85
    assert event["location"] is None
    assert {(p["participant"]["slug"], p["role"]) for p in event["participants"]} == {
        ("xi-jinping", "PARTICIPANT"),
        ("vladimir-putin", "PARTICIPANT"),
        ("china", "PARTICIPANT"),
        ("russia", "PARTICIPANT"),
    }
    names = {p["participant"]["slug"]: p["participant"]["name"] for p in event["participants"]}
    assert names["vladimir-putin"] == "Vladimir Putin"

    seeded = sorted(
        (s for s in seed_objects("statements") if s.get("event") == MEETING),
        key=lambda s: s["position"],
    )
    statements = event["statements"]
    assert statements["totalCount"] == len(seeded) == 76
    # In the order their reports tell them (position, then file order), as published.
    assert [s["text"] for s in statements["nodes"]] == [s["text"] for s in seeded]
    first = statements["nodes"][0]
    assert first == {
        "text": "Vladimir Poutine a réaffirmé son soutien à un rapprochement stratégique entre la "
        "Russie et la Chine.",
        "kind": "PARAPHRASE",
        "speaker": {"name": "Vladimir Poutine"},
        "reportedBy": None,
        "topics": [{"label": "Russia–China strategic partnership"}],
    }
    speakers = {s["speaker"]["name"] for s in statements["nodes"]}
    assert speakers == {
        "Vladimir Poutine",
        "Xi Jinping",
        "Iouri Ouchakov",
        "Kremlin",
        "Dmitry Peskov",  # on 5 February, about the call (tass-2026-02-05-new-start)
    }
    relayed = {s["reportedBy"]["name"] for s in statements["nodes"] if s["reportedBy"]}
    assert relayed == {
        "CCTV",
        "Kremlin",
        "Yuri Ushakov",
        "China",
        # relays the follow-up reports name
        "Xinhua",
        "Russian state television",
        "Ministry of Foreign Affairs of China",
    }

    # The seed's 20 topics and 16 from the follow-up reports (issue 14).
    assert len(event["topics"]) == 36
    assert {"label": "Nuclear arms control"} in event["topics"]
    assert {t["slug"] for t in event["treaties"]} == {
        "new-start",
        "un-charter",
        "china-russia-good-neighbourliness-treaty-2001",
    }
    (call,) = [e for e in seed_objects("events") if e["slug"] == MEETING]
    reports = {s["slug"]: s for s in seed_objects("sources")}
    assert {
        "publisher": "Euronews",
        "language": "fr",
        "publishedAt": "2026-02-04T00:00:00+00:00",
    } in event["sources"]
    assert sorted((s["publisher"], s["language"]) for s in event["sources"]) == sorted(
        (reports[slug]["publisher"], reports[slug]["language"]) for slug in call["sources"]
    )
    assert len(event["sources"]) == 17
