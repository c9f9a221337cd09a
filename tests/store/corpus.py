"""Small corpora for store tests, written with plain INSERTs (independent of the fixture loader)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from api.db import tables
from api.vocabulary import (
    DatePrecision,
    EventFormat,
    EventKind,
    EventRelationKind,
    EventStatus,
    ParticipantKind,
    ParticipationRole,
    StatementKind,
    TreatyMilestoneKind,
)

Names = Sequence[tuple[str, str]]
"""(value, language) pairs; the first is the primary name."""


class Corpus:
    """Writes rows on one connection; every entity method returns the new row's id."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.positions: dict[UUID, int] = {}

    async def insert(self, table: Table, **values: Any) -> UUID:
        result = await self.connection.execute(insert(table).values(**values).returning(table.c.id))
        row_id: UUID = result.scalar_one()
        return row_id

    async def link(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
        rows = list(rows)
        if rows:
            await self.connection.execute(insert(table), rows)

    async def names(self, table: Table, owner_column: str, owner: UUID, names: Names) -> None:
        await self.link(
            table,
            (
                {
                    owner_column: owner,
                    "value": value,
                    "language": language,
                    "is_primary": i == 0,
                    "position": i,
                }
                for i, (value, language) in enumerate(names)
            ),
        )

    async def source(
        self, slug: str, *, language: str = "fr", published_at: datetime | None = None
    ) -> UUID:
        return await self.insert(
            tables.sources,
            slug=slug,
            title=slug,
            publisher="Euronews",
            language=language,
            published_at=published_at,
        )

    async def participant(
        self,
        slug: str,
        names: Names,
        *,
        kind: ParticipantKind = ParticipantKind.PERSON,
        country: UUID | None = None,
    ) -> UUID:
        participant = await self.insert(
            tables.participants, slug=slug, kind=kind, country_id=country
        )
        await self.names(tables.participant_names, "participant_id", participant, names)
        return participant

    async def topic(self, slug: str, labels: Names, *, parent: UUID | None = None) -> UUID:
        topic = await self.insert(tables.topics, slug=slug, parent_id=parent)
        await self.names(tables.topic_labels, "topic_id", topic, labels)
        return topic

    async def treaty(
        self,
        slug: str,
        names: Names,
        *,
        expires_on: date | None = None,
        milestones: Sequence[tuple[TreatyMilestoneKind, date]] = (),
        parties: Sequence[UUID] = (),
    ) -> UUID:
        treaty = await self.insert(tables.treaties, slug=slug, expires_on=expires_on)
        await self.names(tables.treaty_names, "treaty_id", treaty, names)
        await self.link(
            tables.treaty_milestones,
            ({"treaty_id": treaty, "kind": kind, "date": day} for kind, day in milestones),
        )
        await self.link(
            tables.treaty_parties,
            ({"treaty_id": treaty, "participant_id": party} for party in parties),
        )
        return treaty

    async def event(
        self,
        slug: str,
        start_date: date,
        *,
        title: str | None = None,
        summary: str | None = None,
        language: str = "fr",
        kind: EventKind = EventKind.MEETING,
        format: EventFormat = EventFormat.IN_PERSON,
        status: EventStatus = EventStatus.HELD,
        duration_minutes: int | None = None,
        location_country: UUID | None = None,
        participants: Mapping[UUID, ParticipationRole] | None = None,
        topics: Sequence[UUID] = (),
        treaties: Sequence[UUID] = (),
        sources: Sequence[UUID] = (),
    ) -> UUID:
        event = await self.insert(
            tables.events,
            slug=slug,
            title=title or slug,
            summary=summary,
            language=language,
            kind=kind,
            format=format,
            status=status,
            start_date=start_date,
            date_precision=DatePrecision.DAY,
            duration_minutes=duration_minutes,
            location_name="somewhere" if location_country else None,
            location_country_id=location_country,
        )
        await self.link(
            tables.event_participants,
            (
                {"event_id": event, "participant_id": participant, "role": role}
                for participant, role in (participants or {}).items()
            ),
        )
        for table, column, ids in (
            (tables.event_topics, "topic_id", topics),
            (tables.event_treaties, "treaty_id", treaties),
            (tables.event_sources, "source_id", sources),
        ):
            await self.link(table, ({"event_id": event, column: i} for i in ids))
        return event

    async def statement(
        self,
        slug: str,
        text: str,
        *,
        speaker: UUID,
        source: UUID,
        language: str = "fr",
        event: UUID | None = None,
        said_on: date | None = None,
        position: int | None = None,
        reported_by: UUID | None = None,
        kind: StatementKind = StatementKind.DIRECT_QUOTE,
        topics: Sequence[UUID] = (),
        mentions: Sequence[UUID] = (),
        treaties: Sequence[UUID] = (),
    ) -> UUID:
        """`position` defaults to the next free one in the source."""
        if position is None:
            position = self.positions.get(source, 0)
        self.positions[source] = max(self.positions.get(source, 0), position + 1)
        statement = await self.insert(
            tables.statements,
            slug=slug,
            text=text,
            language=language,
            kind=kind,
            speaker_id=speaker,
            reported_by_id=reported_by,
            event_id=event,
            said_on=said_on,
            source_id=source,
            position=position,
        )
        for table, column, ids in (
            (tables.statement_topics, "topic_id", topics),
            (tables.statement_mentions, "participant_id", mentions),
            (tables.statement_treaties, "treaty_id", treaties),
        ):
            await self.link(table, ({"statement_id": statement, column: i} for i in ids))
        return statement

    async def relate(self, first: UUID, second: UUID, kind: EventRelationKind) -> None:
        await self.insert(
            tables.event_relations, from_event_id=first, to_event_id=second, kind=kind
        )
