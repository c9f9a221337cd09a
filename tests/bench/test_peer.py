"""PostGraphile 5's answers are brought into the API's shape without Node: the documents ask
for what the API's do, names are picked by the API's rule, lists PostGraphile cannot order are
compared as sets and nothing else, and the peer counts as a peer, never as a floor."""

import graphql
import orjson
import pytest

from bench import peer
from bench.check import api_data, first_difference
from bench.documents import DOCUMENTS
from bench.request_report import peer_ratio, throughput
from bench.requests import CaseResult, ServerResult
from bench.wrk import Run

EVENT = "0193a1b2-0000-7000-8000-000000000001"
STATEMENTS = ("0193a1b2-0000-7000-8000-000000000011", "0193a1b2-0000-7000-8000-000000000012")
ALICE, BOB = "0193a1b2-0000-7000-8000-0000000000a1", "0193a1b2-0000-7000-8000-0000000000b2"
PEACE, TRADE = "0193a1b2-0000-7000-8000-0000000000c1", "0193a1b2-0000-7000-8000-0000000000c2"


def names(*rows: tuple[str, str, bool, int]) -> dict[str, object]:
    return {
        "nodes": [
            {"value": value, "language": language, "isPrimary": primary, "position": position}
            for value, language, primary, position in rows
        ]
    }


def person(row_id: str, *rows: tuple[str, str, bool, int]) -> dict[str, object]:
    return {"rowId": row_id, "participantNames": names(*rows)}


def topic(row_id: str, *rows: tuple[str, str, bool, int]) -> dict[str, object]:
    return {"topic": {"rowId": row_id, "topicLabels": names(*rows)}}


ALICE_NAMES = (("Alice", "en", True, 0), ("Alicia", "es", False, 1), ("Алиса", "ru", False, 2))
BOB_NAMES = (("Bob", "en", True, 0), ("Robert", "fr-CA", False, 1))
# As PostGraphile 5 answers q1-meeting (shape taken from a real answer): participations and
# topics in its own order, every name of each participant and topic.
PEER_MEETING = {
    "data": {
        "eventBySlug": {
            "rowId": EVENT,
            "title": "Talks",
            "startDate": "2001-02-03",
            "kind": "MEETING",
            "eventParticipants": {
                "nodes": [
                    {"role": "GUEST", "participant": person(BOB, *BOB_NAMES)},
                    {"role": "HOST", "participant": person(ALICE, *ALICE_NAMES)},
                ]
            },
            "eventTopics": {
                "nodes": [
                    topic(TRADE, ("Trade", "en", True, 0), ("Commerce", "fr", False, 1)),
                    topic(PEACE, ("Peace", "en", True, 0), ("Paix", "fr", False, 1)),
                ]
            },
            "statements": {
                "totalCount": 7,
                "nodes": [
                    {
                        "rowId": row_id,
                        "text": f"statement {index}",
                        "kind": "REMARK",
                        "saidOn": None if index else "2001-02-03",
                        "speaker": None if index else person(ALICE, *ALICE_NAMES),
                        "statementTopics": {"nodes": []},
                    }
                    for index, row_id in enumerate(STATEMENTS)
                ],
            },
        }
    }
}


def gid(type_name: str, row_id: str) -> str:
    return peer.global_id(type_name, row_id)


# The API's answer to q1-meeting in French: its own order, one name each, its cost beside.
API_MEETING = {
    "data": {
        "event": {
            "id": gid("Event", EVENT),
            "title": "Talks",
            "startDate": "2001-02-03",
            "kind": "MEETING",
            "participants": [
                {"role": "HOST", "participant": {"id": gid("Participant", ALICE), "name": "Alice"}},
                {"role": "GUEST", "participant": {"id": gid("Participant", BOB), "name": "Robert"}},
            ],
            "topics": [
                {"id": gid("Topic", PEACE), "label": "Paix"},
                {"id": gid("Topic", TRADE), "label": "Commerce"},
            ],
            "statements": {
                "totalCount": 7,
                "nodes": [
                    {
                        "id": gid("Statement", STATEMENTS[0]),
                        "text": "statement 0",
                        "kind": "REMARK",
                        "saidOn": "2001-02-03",
                        "speaker": {"id": gid("Participant", ALICE), "name": "Alice"},
                        "topics": [],
                    },
                    {
                        "id": gid("Statement", STATEMENTS[1]),
                        "text": "statement 1",
                        "kind": "REMARK",
                        "saidOn": None,
                        "speaker": None,
                        "topics": [],
                    },
                ],
            },
        }
    },
    "extensions": {"cost": {"requested": 42}},
}
FRENCH = {"slug": "talks", "language": "fr"}


def shaped_difference(api: object, answer: object, variables: dict[str, str]) -> str | None:
    expected = api_data(orjson.dumps(api))
    actual = peer.peer_data("q1-meeting", answer, variables)  # type: ignore[arg-type]
    return first_difference(peer.canonical(expected), peer.canonical(actual))


def test_the_global_id_is_the_apis() -> None:
    assert (
        peer.global_id("Event", EVENT) == "RXZlbnQ6MDE5M2ExYjItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAx"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "Alicia"),  # the exact tag
        ("ES", "Alicia"),  # tags compare without case
        ("es-MX", "Alicia"),  # the same primary subtag
        ("de", "Alice"),  # no name in the language: the primary one
        (None, "Alice"),
    ],
)
def test_names_are_picked_by_the_apis_rule(language: str | None, expected: str) -> None:
    rows = names(*reversed(ALICE_NAMES))["nodes"]
    assert peer.best_name(rows, language) == expected  # type: ignore[arg-type]


def test_without_a_primary_name_the_first_listed_is_shown() -> None:
    rows = names(("Second", "en", False, 1), ("First", "en", False, 0))["nodes"]
    assert peer.best_name(rows, "fr") == "First"  # type: ignore[arg-type]
    assert peer.best_name([], "fr") == ""


def test_a_meeting_answered_alike_is_found_equal() -> None:
    # Robert is Bob's fr-CA name: the same primary subtag as "fr".
    assert shaped_difference(API_MEETING, PEER_MEETING, FRENCH) is None


def test_a_name_in_another_language_is_a_difference() -> None:
    found = shaped_difference(API_MEETING, PEER_MEETING, {"slug": "talks", "language": "en"})
    assert (
        found == '.data.event.participants[1].participant.name: "Robert" in one, "Bob" in the other'
    )


def test_statements_in_another_order_are_a_difference() -> None:
    answer = orjson.loads(orjson.dumps(PEER_MEETING))
    nodes = answer["data"]["eventBySlug"]["statements"]["nodes"]
    nodes.reverse()
    found = shaped_difference(API_MEETING, answer, FRENCH)
    assert found == (
        f'.data.event.statements.nodes[0].id: "{gid("Statement", STATEMENTS[0])}" in one, '
        f'"{gid("Statement", STATEMENTS[1])}" in the other'
    )


def test_a_missing_participation_is_a_difference() -> None:
    answer = orjson.loads(orjson.dumps(PEER_MEETING))
    answer["data"]["eventBySlug"]["eventParticipants"]["nodes"].pop(0)  # Bob
    found = shaped_difference(API_MEETING, answer, FRENCH)
    assert found == ".data.event.participants: 2 items in one, 1 in the other"


def test_a_missing_meeting_is_answered_as_the_api_does() -> None:
    assert peer.peer_data("q1-meeting", {"data": {"eventBySlug": None}}, FRENCH) == {
        "data": {"event": None}
    }


@pytest.mark.parametrize("name", sorted(peer.DOCUMENTS))
def test_each_peer_document_stands_for_an_api_document_and_takes_its_variables(
    name: str,
) -> None:
    def declared(text: str) -> set[str]:
        operation = graphql.parse(text).definitions[0]
        assert isinstance(operation, graphql.OperationDefinitionNode)
        return {item.variable.name.value for item in operation.variable_definitions or ()}

    assert name in DOCUMENTS
    assert declared(peer.DOCUMENTS[name].text) <= declared(DOCUMENTS[name].text)


def run(per_second: float) -> Run:
    """A run of one second at 16 clients."""
    return Run(16, int(per_second), 1.0, 0, 0, 0, 10.0, 12.0, 20.0, 30.0, 11.0)


def case(api: float, floor: float, postgraphile: float, differs: bool = False) -> CaseResult:
    servers = {
        name: ServerResult(
            name,
            1.0,
            0.5,
            "differs" if differs and name == peer.NAME else None,
            runs={16: run(value)},
        )
        for name, value in (("api", api), ("floor-sql", floor), (peer.NAME, postgraphile))
    }
    return CaseResult("Q1", "q1-meeting", "", 1, {}, servers)


def test_the_summary_gives_the_ratio_to_postgraphile_and_never_takes_it_for_a_floor() -> None:
    # PostGraphile faster than the floor must not become the floor the API is measured by.
    measured = case(api=1000, floor=1500, postgraphile=2000)
    assert throughput(measured, 16).shown == "67%"
    ratio = peer_ratio(measured, 16)
    assert (ratio.shown, ratio.met) == ("0.50×", False)
    assert peer_ratio(case(api=1000, floor=1500, postgraphile=400), 16).met is True


def test_a_peer_that_answered_differently_is_not_reported() -> None:
    ratio = peer_ratio(case(api=1000, floor=1500, postgraphile=400, differs=True), 16)
    assert (ratio.shown, ratio.met) == ("", None)
