"""The lists a node owns, under the names the change log gives them.

A change of an owned row (an event's participants, a participant's names) is logged as a change
of its owner, in a field named after the relation (`api.db.change_log.owned_triggers`; the
migration that installs the triggers passes these same names). Whatever shows a node's lists
next to its change log (the bulk export) reads them from here, so that a change's `after`
replaces the list it names. They are the fixture mapping's list tables (`api.fixtures.mapping`),
whose field names the triggers use. `tests/store/test_owned.py` checks this declaration against the
triggers in the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Table

from api.fixtures.mapping import FIXTURES
from api.store.entities import ENTITIES, Entity


@dataclass(frozen=True)
class OwnedList:
    """The rows of `table` whose `owner_column` names the node."""

    table: Table
    owner_column: str


def _owned_lists(entity: Entity) -> dict[str, OwnedList]:
    """The lists of `entity` by field name: its fixture kind's list tables, which are what the
    change log's triggers are installed on, under the same names."""
    table = ENTITIES[entity].table
    [kind] = [mapping for mapping in FIXTURES.values() if mapping.entity.table is table]
    return {
        child.within: OwnedList(child.table, child.owner)
        for child in kind.children
        if child.within is not None
    }


OWNED_LISTS: Mapping[Entity, Mapping[str, OwnedList]] = {
    entity: _owned_lists(entity) for entity in Entity
}
"""Each entity's owned lists by field name."""
