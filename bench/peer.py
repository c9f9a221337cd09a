"""PostGraphile 5, the peer: its documents (bench/queries/postgraphile/), and its answers in the
API's shape, so that the requests benchmark checks that both carry the same data.

PostGraphile's schema is the tables' (`eventBySlug`, `eventParticipants`, `rowId`, …) and its
filters connection-filter's, so each case it supports has its own document, named as the API's
(q1-meeting.graphql, …); a case without one (full-text search, counts by month, the API's
cursors) is not sent to it. `peer_data` turns an answer into the API's shape:

- a global id is the API's, base64 of "TypeName:uuid", made from `rowId`;
- a name or label is the one the API shows in the request's language (the rule of
  api/store/names.py, restated here as bench/floor.py states it in SQL: an exact tag, then the
  same primary subtag, then the primary name, then the first listed). PostGraphile has no such
  pick: its documents fetch every name of each participant and topic, and this module picks;
- lists of participations and topics, which PostGraphile cannot order as the API does (by role,
  then folded name; by slug), are compared as sets: `canonical` sorts them, on both sides.

Everything else must be equal as it is (values, key order, page order)."""

import base64
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.documents import QUERIES, Document, read_document

NAME = "postgraphile-5"
DIRECTORY = Path(__file__).with_name("postgraphile")
NODE = DIRECTORY / "node_modules" / "node" / "bin" / "node"
SERVER = DIRECTORY / "server.mjs"
DOCUMENTS: dict[str, Document] = {
    path.stem: read_document(path) for path in sorted((QUERIES / "postgraphile").glob("*.graphql"))
}
UNORDERED = ("participants", "topics")
"""The lists compared as sets."""

Json = dict[str, Any]
Variables = Mapping[str, Any]


def installed() -> bool:
    """Whether `make bench-peer` has installed PostGraphile and its Node."""
    return NODE.is_file() and (DIRECTORY / "node_modules" / "postgraphile").is_dir()


def global_id(type_name: str, row_id: str) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def best_name(names: list[Json], language: str | None) -> str:
    """The name the API shows in `language` (None: the primary one), '' when there is none."""
    wanted = (language or "").lower()

    def rank(name: Json) -> tuple[bool, bool, bool, int]:
        tag = str(name["language"]).lower()
        exact = language is not None and tag == wanted
        subtag = language is not None and tag.split("-")[0] == wanted.split("-")[0]
        return (not exact, not subtag, not name["isPrimary"], name["position"])

    return str(min(names, key=rank)["value"]) if names else ""


def _person(node: Json | None, language: str | None) -> Json | None:
    if node is None:
        return None
    names = node["participantNames"]["nodes"]
    return {"id": global_id("Participant", node["rowId"]), "name": best_name(names, language)}


def _participations(event: Json, language: str | None) -> list[Json]:
    return [
        {"role": link["role"], "participant": _person(link["participant"], language)}
        for link in event["eventParticipants"]["nodes"]
    ]


def _topics(links: Json, language: str | None) -> list[Json]:
    return [
        {
            "id": global_id("Topic", link["topic"]["rowId"]),
            "label": best_name(link["topic"]["topicLabels"]["nodes"], language),
        }
        for link in links["nodes"]
    ]


def _meeting(data: Json, variables: Variables) -> Json:
    language = variables.get("language")
    event = data["eventBySlug"]
    if event is None:
        return {"event": None}
    statements = event["statements"]
    return {
        "event": {
            "id": global_id("Event", event["rowId"]),
            "title": event["title"],
            "startDate": event["startDate"],
            "kind": event["kind"],
            "participants": _participations(event, language),
            "topics": _topics(event["eventTopics"], language),
            "statements": {
                "totalCount": statements["totalCount"],
                "nodes": [
                    {
                        "id": global_id("Statement", node["rowId"]),
                        "text": node["text"],
                        "kind": node["kind"],
                        "saidOn": node["saidOn"],
                        "speaker": _person(node["speaker"], language),
                        "topics": _topics(node["statementTopics"], language),
                    }
                    for node in statements["nodes"]
                ],
            },
        }
    }


def _participant_year(data: Json, variables: Variables) -> Json:
    language = variables.get("language")
    return {
        "events": {
            "nodes": [
                {
                    "id": global_id("Event", event["rowId"]),
                    "title": event["title"],
                    "startDate": event["startDate"],
                    "participants": _participations(event, language),
                    "topics": _topics(event["eventTopics"], language),
                    "statements": {
                        "nodes": [
                            {
                                "id": global_id("Statement", node["rowId"]),
                                "text": node["text"],
                                "speaker": _person(node["speaker"], language),
                            }
                            for node in event["statements"]["nodes"]
                        ]
                    },
                }
                for event in data["events"]["nodes"]
            ]
        }
    }


def _participant(data: Json, variables: Variables) -> Json:
    participant = data["participantBySlug"]
    if participant is None:
        return {"participant": None}
    person = _person(participant, variables.get("language"))
    assert person is not None
    return {
        "participant": {
            **person,
            "events": {
                "nodes": [
                    {
                        "id": global_id("Event", event["rowId"]),
                        "title": event["title"],
                        "startDate": event["startDate"],
                    }
                    for event in data["events"]["nodes"]
                ]
            },
            "statements": {
                "nodes": [
                    {
                        "id": global_id("Statement", node["rowId"]),
                        "text": node["text"],
                        "saidOn": node["saidOn"],
                    }
                    for node in participant["statementsBySpeakerId"]["nodes"]
                ]
            },
        }
    }


SHAPES: dict[str, Callable[[Json, Variables], Json]] = {
    "q1-meeting": _meeting,
    "q2-participant-year": _participant_year,
    "q4-participant": _participant,
}
assert set(SHAPES) == set(DOCUMENTS), "each PostGraphile document has its shape, and no more"


def peer_data(document: str, answer: Json, variables: Variables) -> Json:
    """PostGraphile's answer (parsed, without errors) to `document` in the API's shape."""
    return {"data": SHAPES[document](answer["data"], variables)}


def canonical(value: Any) -> Any:
    """`value` with every list named in UNORDERED sorted (by its items' ids), at any depth."""
    if isinstance(value, dict):
        return {
            key: sorted((canonical(item) for item in item_value), key=_identity)
            if key in UNORDERED and isinstance(item_value, list)
            else canonical(item_value)
            for key, item_value in value.items()
        }
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def _identity(item: Any) -> tuple[str, str]:
    """A participation by its participant and role, a topic by its id."""
    if isinstance(item, dict) and isinstance(item.get("participant"), dict):
        return str(item["participant"].get("id")), str(item.get("role"))
    return (str(item.get("id")), "") if isinstance(item, dict) else (str(item), "")
