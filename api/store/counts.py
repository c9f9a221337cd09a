"""Event counts by one dimension (`Query.eventCounts`): buckets for facets, timelines and charts.

Time buckets come in chronological order, the others by count descending then key. An event
counts once in each bucket it belongs to: once per topic, per participant, per country. Its
countries are its location's country when it has one, otherwise those of its participants (a
COUNTRY participant itself, a person's or an organisation's `country_id`). Events with no topic,
participant or country fall in no bucket of that dimension.
"""

from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, Text, case, func, select, union

from api.db import tables
from api.vocabulary import ParticipantKind


class EventGroupBy(Enum):
    YEAR = "YEAR"
    MONTH = "MONTH"
    KIND = "KIND"
    FORMAT = "FORMAT"
    STATUS = "STATUS"
    TOPIC = "TOPIC"
    PARTICIPANT = "PARTICIPANT"
    COUNTRY = "COUNTRY"


# (key, label) formats of the time buckets: "2026-02" is "February 2026" (to_char writes month
# names in English whatever the server's locale, unless asked otherwise with TM).
TIME_FORMATS = {
    EventGroupBy.YEAR: ("YYYY", "YYYY"),
    EventGroupBy.MONTH: ("YYYY-MM", "FMMonth YYYY"),
}


def in_order(statement: Select[Any], *order: ColumnElement[Any]) -> Select[Any]:
    """`statement` sorted by `order`, its rows numbered in that order (`ordinal`), so that a
    JSON aggregate over them can keep the order."""
    ordinal = func.row_number().over(order_by=order).label("ordinal")
    return statement.add_columns(ordinal).order_by(*order)


def event_counts_statement(where: ColumnElement[bool], group_by: EventGroupBy) -> Select[Any]:
    """Rows (key, label, count, ordinal) for the events matching `where`, in bucket order."""
    events = tables.events
    count = func.count().label("count")
    if group_by in TIME_FORMATS:
        key_format, label_format = TIME_FORMATS[group_by]
        key = func.to_char(events.c.start_date, key_format)
        buckets = (
            select(
                key.label("key"),
                func.to_char(func.min(events.c.start_date), label_format).label("label"),
                count,
            )
            .where(where)
            .group_by(key)
        )
        return in_order(buckets, key)
    if group_by in (EventGroupBy.KIND, EventGroupBy.FORMAT, EventGroupBy.STATUS):
        column = events.c[group_by.name.lower()]
        # MEETING reads "Meeting", STATE_VISIT "State visit".
        label = func.upper(func.left(column, 1), type_=Text) + func.lower(
            func.replace(func.substr(column, 2), "_", " "), type_=Text
        )
        buckets = (
            select(column.label("key"), label.label("label"), count).where(where).group_by(column)
        )
        return in_order(buckets, func.count().desc(), column)
    if group_by is EventGroupBy.TOPIC:
        return _named_buckets(
            tables.topics,
            tables.topic_labels,
            "topic_id",
            select(tables.event_topics.c.event_id, tables.event_topics.c.topic_id.label("owner_id"))
            .join_from(tables.event_topics, events, events.c.id == tables.event_topics.c.event_id)
            .where(where)
            .subquery(),
        )
    if group_by is EventGroupBy.PARTICIPANT:
        link = tables.event_participants
        return _named_buckets(
            tables.participants,
            tables.participant_names,
            "participant_id",
            select(link.c.event_id, link.c.participant_id.label("owner_id"))
            .join_from(link, events, events.c.id == link.c.event_id)
            .where(where)
            .subquery(),
        )
    return _named_buckets(
        tables.participants, tables.participant_names, "participant_id", _event_countries(where)
    )


def _event_countries(where: ColumnElement[bool]) -> FromClause:
    """Distinct (event_id, owner_id = country id) pairs, as the module docstring defines them."""
    events, link, participant = tables.events, tables.event_participants, tables.participants
    located = select(events.c.id.label("event_id"), events.c.location_country_id).where(
        where, events.c.location_country_id.is_not(None)
    )
    participant_country = case(
        (participant.c.kind == ParticipantKind.COUNTRY, participant.c.id),
        else_=participant.c.country_id,
    )
    through_participants = (
        select(events.c.id, participant_country)
        .join_from(events, link, link.c.event_id == events.c.id)
        .join(participant, participant.c.id == link.c.participant_id)
        .where(where, events.c.location_country_id.is_(None))
    )
    pairs = union(located, through_participants).subquery()
    return (
        select(pairs.c.event_id, pairs.c.location_country_id.label("owner_id"))
        .where(pairs.c.location_country_id.is_not(None))
        .subquery()
    )


def _named_buckets(
    owners: FromClause, names: FromClause, owner_column: str, pairs: FromClause
) -> Select[Any]:
    """Count (event_id, owner_id) pairs per owner; key = slug, label = primary name."""
    primary_name = (
        select(names.c.value)
        .where(names.c[owner_column] == owners.c.id, names.c.is_primary)
        .scalar_subquery()
    )
    buckets = (
        select(
            owners.c.slug.label("key"),
            func.coalesce(primary_name, owners.c.slug).label("label"),
            func.count().label("count"),
        )
        .join_from(pairs, owners, owners.c.id == pairs.c.owner_id)
        .group_by(owners.c.id, owners.c.slug)
    )
    return in_order(buckets, func.count().desc(), owners.c.slug)
