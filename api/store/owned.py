"""The lists a node owns, under the names the change log gives them.

A change of an owned row (an event's participants, a participant's names) is logged as a change
of its owner, in a field named after the relation (`api.db.change_log.owned_triggers`; the
migration that installs the triggers passes these same names). Whatever shows a node's lists
next to its change log (the bulk export) reads them from here, so that a change's `after`
replaces the list it names. `tests/store/test_owned.py` checks this declaration against the
triggers in the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Table

from api.db import tables
from api.store.entities import Entity


@dataclass(frozen=True)
class OwnedList:
    """The rows of `table` whose `owner_column` names the node."""

    table: Table
    owner_column: str


OWNED_LISTS: Mapping[Entity, Mapping[str, OwnedList]] = {
    Entity.EVENT: {
        "participants": OwnedList(tables.event_participants, "event_id"),
        "topics": OwnedList(tables.event_topics, "event_id"),
        "treaties": OwnedList(tables.event_treaties, "event_id"),
        "sources": OwnedList(tables.event_sources, "event_id"),
        "related": OwnedList(tables.event_relations, "from_event_id"),
    },
    Entity.STATEMENT: {
        "topics": OwnedList(tables.statement_topics, "statement_id"),
        "mentions": OwnedList(tables.statement_mentions, "statement_id"),
        "treaties": OwnedList(tables.statement_treaties, "statement_id"),
    },
    Entity.PARTICIPANT: {
        "names": OwnedList(tables.participant_names, "participant_id"),
        "roles": OwnedList(tables.participant_roles, "participant_id"),
    },
    Entity.TREATY: {
        "names": OwnedList(tables.treaty_names, "treaty_id"),
        "parties": OwnedList(tables.treaty_parties, "treaty_id"),
        "milestones": OwnedList(tables.treaty_milestones, "treaty_id"),
    },
    Entity.TOPIC: {"labels": OwnedList(tables.topic_labels, "topic_id")},
    Entity.SOURCE: {},
}
"""Each entity's owned lists by field name."""
