"""Running one GraphQL request through both execution paths, and comparing what they answer.

`Operations.run(..., compiled=True)` answers through the compiled path when it can (one SQL
statement whose JSON PostgreSQL builds) and through Strawberry's execution when it declines;
`compiled=False` always runs Strawberry's. The two responses must be the same JSON, member
order included: they are parsed with every object kept as its list of (key, value) pairs.

Queries of the corpus name the objects of a corpus through placeholders (`%EVENT%` is the slug
of an event with statements, `%EVENT_ID%` its global ID, …): `Known.discover` finds them in the
database at hand, so the same corpus runs on the seed corpus and on a generated one.
"""

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    parse_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)

from api.store.changes import FeedPosition, Snapshot
from schema.execution.operation import GraphQLRequest, Operations, Outcome


@dataclass(frozen=True)
class Case:
    """One request of the corpus: its text, variables and operation name."""

    name: str
    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


def ordered(body: bytes) -> Any:
    """A response body as JSON whose objects are tuples of (key, value): order counts."""
    return json.loads(body, object_pairs_hook=tuple)


def plain(body: bytes) -> Any:
    parsed: Any = json.loads(body)
    return parsed


@dataclass
class Comparison:
    """What both paths answered for one request."""

    case: Case
    compiled: Outcome
    reference: Outcome

    @property
    def agrees(self) -> bool:
        same: bool = ordered(self.compiled.body) == ordered(self.reference.body)
        return same

    @property
    def has_errors(self) -> bool:
        return "errors" in plain(self.reference.body)

    def describe(self) -> str:
        return (
            f"{self.case.name}: the paths disagree\n  query: {self.case.query.strip()}\n"
            f"  variables: {self.case.variables}\n"
            f"  compiled ({'compiled' if self.compiled.compiled else 'declined'}): "
            f"{self.compiled.body.decode(errors='replace')[:3000]}\n"
            f"  reference: {self.reference.body.decode(errors='replace')[:3000]}"
        )


async def compare(operations: Operations, case: Case) -> Comparison:
    """`case` run through the compiled path (when it answers), then through Strawberry's."""
    request = GraphQLRequest(case.query, case.variables, case.operation_name)
    compiled = await operations.run(request, request_id="differential", compiled=True)
    reference = await operations.run(request, request_id="differential", compiled=False)
    assert not reference.compiled
    return Comparison(case, compiled, reference)


KNOWN_QUERY = """
query Known($event: EventFilter!) {
  events(first: 1, filter: $event) {
    nodes {
      id slug
      statements(first: 1) {
        nodes { id speaker { id slug events(first: 1) { pageInfo { endCursor } } } source { id } }
        pageInfo { endCursor }
      }
      topics { id slug }
    }
    pageInfo { endCursor }
  }
  updated: events(first: 1, orderBy: [{field: UPDATED_AT}]) { pageInfo { endCursor } }
  treaties(first: 1, filter: {parties: {some: {}}}) { nodes { id slug } }
  countries: participants(first: 1, filter: {kind: {eq: COUNTRY}}) { nodes { id slug } }
  statements(first: 1) { pageInfo { endCursor } }
  changes(first: 3) { pageInfo { endCursor } }
}
"""
# An event with statements, topics and participants, so that the cases about an event read lists
# that are not empty; every statement's speaker takes part in some event (not so for a spokesman
# who only briefs on one), so that the speaker's events are not empty either.
BUSY_EVENT: dict[str, Any] = {
    "statements": {"some": {}, "every": {"speaker": {"events": {"some": {}}}}},
    "topics": {"some": {}},
    "participants": {"some": {}},
}


def forged(cursor: str, key: Any) -> str:
    """`cursor` (base64url of [tag, key, id]) with another first sort key."""
    listing = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    listing[1] = key
    return base64.urlsafe_b64encode(json.dumps(listing).encode()).decode().rstrip("=")


@dataclass
class Known:
    """Placeholders of the corpus and what they stand for in one database."""

    values: dict[str, str] = field(default_factory=dict)

    @staticmethod
    async def discover(operations: Operations) -> "Known":
        request = GraphQLRequest(KNOWN_QUERY, {"event": BUSY_EVENT})
        outcome = await operations.run(request, request_id="known", compiled=False)
        body = plain(outcome.body)
        assert "errors" not in body, body
        data = body["data"]
        (event,) = data["events"]["nodes"]
        (statement,) = event["statements"]["nodes"]
        (treaty,) = data["treaties"]["nodes"]
        (country,) = data["countries"]["nodes"]
        return Known(
            {
                "%EVENT%": event["slug"],
                "%EVENT_ID%": event["id"],
                "%STATEMENT_ID%": statement["id"],
                "%PARTICIPANT%": statement["speaker"]["slug"],
                "%PARTICIPANT_ID%": statement["speaker"]["id"],
                "%COUNTRY%": country["slug"],
                "%COUNTRY_ID%": country["id"],
                "%TREATY%": treaty["slug"],
                "%TREATY_ID%": treaty["id"],
                "%TOPIC%": event["topics"][0]["slug"],
                "%TOPIC_ID%": event["topics"][0]["id"],
                "%SOURCE_ID%": statement["source"]["id"],
                "%EVENTS_CURSOR%": data["events"]["pageInfo"]["endCursor"],
                "%STATEMENTS_CURSOR%": data["statements"]["pageInfo"]["endCursor"],
                "%EVENT_STATEMENTS_CURSOR%": event["statements"]["pageInfo"]["endCursor"],
                "%PARTICIPANT_EVENTS_CURSOR%": (
                    statement["speaker"]["events"]["pageInfo"]["endCursor"]
                ),
                # Cursors of those connections with a sort key PostgreSQL cannot take: a
                # position beyond 32 bits, an instant before the year 1 in UTC.
                "%HUGE_POSITION_CURSOR%": forged(
                    event["statements"]["pageInfo"]["endCursor"], 2**40
                ),
                "%YEAR_ZERO_CURSOR%": forged(
                    data["updated"]["pageInfo"]["endCursor"], "0001-01-01T00:00:00+14:00"
                ),
                **feed_cursors(data["changes"]["pageInfo"]["endCursor"]),
            }
        )

    def fill(self, case: Case) -> Case:
        """`case` with its placeholders replaced, in the text and in the variables."""
        return Case(
            case.name,
            self._text(case.query),
            None if case.variables is None else self._value(case.variables),
            case.operation_name,
        )

    def _text(self, text: str) -> str:
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        return text

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, Mapping):
            return {key: self._value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._value(item) for item in value]
        return value


def feed_cursors(after_three: str) -> dict[str, str]:
    """Cursors of the change feed: after its third change; the same with the snapshot of an
    export that saw the next transaction and not the one after (whose changes it hides, then
    drops from the cursors past it); far beyond the log (an empty page where the reader
    stays), with and without a snapshot."""
    position = FeedPosition.of_cursor(after_three)
    seen = Snapshot(position.xid + 3, (position.xid + 2,))
    beyond = FeedPosition(2**40, 7, None, position.pruned)
    return {
        "%CHANGES_CURSOR%": after_three,
        "%CHANGES_SNAPSHOT_CURSOR%": replace(position, seen=seen).cursor(),
        "%CHANGES_BEYOND_CURSOR%": beyond.cursor(),
        "%CHANGES_BEYOND_SNAPSHOT_CURSOR%": replace(beyond, seen=Snapshot(2**41, (5, 9))).cursor(),
    }


def with_variables(schema: GraphQLSchema, query: str) -> tuple[str, dict[str, Any]]:
    """`query` with the value of every argument of a field moved into a variable of the
    argument's type: the same request, through variable coercion."""
    document = parse(query)
    type_info = TypeInfo(schema)
    definitions: list[VariableDefinitionNode] = []
    values: dict[str, Any] = {}

    class Lift(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
            argument = type_info.get_argument()
            if type_info.get_directive() is not None or argument is None:
                return None
            name = f"v{len(definitions)}"
            definitions.append(
                VariableDefinitionNode(
                    variable=VariableNode(name=NameNode(value=name)),
                    type=parse_type(str(argument.type)),
                )
            )
            values[name] = value_from_ast_untyped(node.value)
            return ArgumentNode(name=node.name, value=VariableNode(name=NameNode(value=name)))

    lifted = visit(document, TypeInfoVisitor(type_info, Lift()))
    (operation,) = lifted.definitions
    assert isinstance(operation, OperationDefinitionNode)
    declared = replace(operation, variable_definitions=tuple(definitions))
    return print_ast(replace(lifted, definitions=(declared,))), values
