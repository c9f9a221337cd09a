"""Citations: the sources and the citations of each claim, and of each item of a list field.

A claim (`api.store.claims`) is keyed by the id of one of its rows: its other rows are those of
its owner with the same field, item, value and qualifier. An item of a list field (a
participation, a treaty milestone, a participant's role) is reported by the sources of the
claims on it.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Text,
    and_,
    cast,
    func,
    or_,
    select,
    union_all,
)

from api.db import tables
from api.store.claims import CLAIMS, GROUP, ClaimsTable
from api.store.entities import Entity, entity_columns
from api.store.sources import GroupedRows, ParentMatch


def _group_members(
    stored: ClaimsTable, parent_match: ParentMatch
) -> tuple[FromClause, FromClause, ColumnElement[bool]]:
    """The rows of the claim a row (`keyed`, matched by its id) belongs to, and the condition."""
    keyed, member = stored.table.alias(), stored.table.alias()
    owner = stored.owner_column
    same = and_(
        member.c[owner] == keyed.c[owner],
        *(member.c[column].is_not_distinct_from(keyed.c[column]) for column in GROUP),
    )
    return keyed, member, and_(parent_match(keyed.c.id), same)


def claim_sources(parent_match: ParentMatch) -> GroupedRows:
    """The sources of each claim (keyed by the id of one of its rows), no source twice, in
    order of first appearance."""
    branches = []
    for stored in CLAIMS.values():
        keyed, member, condition = _group_members(stored, parent_match)
        sources = tables.sources.alias()
        branches.append(
            select(
                *entity_columns(sources),
                keyed.c.id.label("parent"),
                func.min(member.c.position).label("claim_position"),
            )
            .select_from(
                keyed.join(member, condition).join(sources, sources.c.id == member.c.source_id)
            )
            .group_by(keyed.c.id, sources.c.id)
            .correlate_except(keyed, member, sources)
        )
    both = union_all(*branches).subquery("claim_sources")
    columns = {
        key: column for key, column in both.c.items() if key not in ("parent", "claim_position")
    }
    return GroupedRows(both, both.c.parent, columns, (both.c.claim_position, both.c.id))


def claim_citations(parent_match: ParentMatch) -> GroupedRows:
    """Each row of each claim (keyed by the id of one of its rows) in order: its source,
    wording, attributed_to_id, note, and as_of (the row's, else the source's publication day
    in UTC)."""
    branches = []
    for stored in CLAIMS.values():
        keyed, member, condition = _group_members(stored, parent_match)
        sources = tables.sources.alias()
        published = cast(func.timezone("UTC", sources.c.published_at), Date)
        branches.append(
            select(
                member.c.id,
                member.c.source_id,
                member.c.wording,
                member.c.attributed_to_id,
                member.c.note,
                func.coalesce(member.c.as_of, published).label("as_of"),
                member.c.position,
                keyed.c.id.label("parent"),
            )
            .select_from(
                keyed.join(member, condition).join(sources, sources.c.id == member.c.source_id)
            )
            .correlate_except(keyed, member, sources)
        )
    both = union_all(*branches).subquery("citations")
    columns = {key: column for key, column in both.c.items() if key != "parent"}
    return GroupedRows(both, both.c.parent, columns, (both.c.position, both.c.id))


def _item_sources(
    stored: ClaimsTable,
    field: str,
    items: FromClause | None,
    parent: Callable[[FromClause, FromClause | None], ColumnElement[Any]],
    condition: Callable[[FromClause, FromClause], ColumnElement[bool]] | None,
    parent_match: ParentMatch,
) -> GroupedRows:
    """The sources of the claims on items of the list `field`, no source twice per item, in
    order of first appearance; each row keyed by `parent` (of the claim and the item row)."""
    claims, sources = stored.table.alias(), tables.sources.alias()
    joined = claims.join(sources, sources.c.id == claims.c.source_id)
    own: list[FromClause] = [claims, sources]
    if items is not None and condition is not None:
        joined = joined.join(items, condition(claims, items))
        own.append(items)
    key = parent(claims, items)
    grouped = (
        select(
            *entity_columns(sources),
            key.label("parent"),
            claims.c.item.label("claim_item"),
            func.min(claims.c.position).label("claim_position"),
        )
        .select_from(joined)
        .where(parent_match(key), claims.c.field == field)
        .group_by(key, claims.c.item, sources.c.id)
        .correlate_except(*own)
        .subquery("item_sources")
    )
    columns = {
        name: column
        for name, column in grouped.c.items()
        if name not in ("parent", "claim_position")
    }
    return GroupedRows(grouped, grouped.c.parent, columns, (grouped.c.claim_position, grouped.c.id))


def participation_sources(parent_match: ParentMatch) -> GroupedRows:
    """The sources of the claims on an event's participants, keyed by the event; `claim_item`
    is the participant's slug (what the participation's row is matched on)."""
    stored = CLAIMS[Entity.EVENT]
    return _item_sources(
        stored, "participants", None, lambda claims, _: claims.c.event_id, None, parent_match
    )


def milestone_sources(parent_match: ParentMatch) -> GroupedRows:
    """The sources of the claims on a treaty milestone (its kind the item), whose value is
    null or the milestone's date; keyed by the milestone."""

    def same(claims: FromClause, milestones: FromClause) -> ColumnElement[bool]:
        return and_(
            milestones.c.treaty_id == claims.c.treaty_id,
            cast(milestones.c.kind, Text) == claims.c.item,
            or_(
                claims.c.value.is_(None),
                func.to_char(milestones.c.date, "YYYY-MM-DD") == claims.c.value,
            ),
        )

    milestones = tables.treaty_milestones.alias()
    return _item_sources(
        CLAIMS[Entity.TREATY],
        "milestones",
        milestones,
        lambda _, items: milestones.c.id,
        same,
        parent_match,
    )


def role_sources(parent_match: ParentMatch) -> GroupedRows:
    """The sources of the claims on a participant's role (its title the item); keyed by the
    role."""

    def same(claims: FromClause, roles: FromClause) -> ColumnElement[bool]:
        return and_(
            roles.c.participant_id == claims.c.participant_id, roles.c.title == claims.c.item
        )

    roles = tables.participant_roles.alias()
    return _item_sources(
        CLAIMS[Entity.PARTICIPANT], "roles", roles, lambda _, items: roles.c.id, same, parent_match
    )
