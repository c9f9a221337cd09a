"""A store on a fresh database, and a small world modelled on the seed article."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db.server import to_asyncpg_dsn
from api.settings import Settings
from api.store.reads import Store
from api.store.statements import Database, close_database, open_database
from api.vocabulary import (
    EventFormat,
    EventKind,
    EventRelationKind,
    EventStatus,
    ParticipantKind,
    ParticipationRole,
    StatementKind,
    TreatyMilestoneKind,
)
from tests.store.corpus import Corpus


@pytest.fixture
async def database(database_url: URL) -> AsyncIterator[Database]:
    """The read pool the API would use, on this test's database."""
    database = await open_database(
        to_asyncpg_dsn(database_url), pool_size=2, statement_timeout_ms=5_000, acquire_timeout=5
    )
    yield database
    await close_database(database)


@pytest.fixture
def store(database: Database) -> Store:
    """A store over this test's database; `store.executed` counts its statements."""
    return Store(database, Settings())


@dataclass(frozen=True)
class World:
    """Ids of the rows of the `world` fixture, by role in the story."""

    article: UUID
    china: UUID
    russia: UUID
    usa: UUID
    xi: UUID
    putin: UUID
    trump: UUID
    peskov: UUID
    ushakov: UUID
    security: UUID
    arms_control: UUID
    energy: UUID
    new_start: UUID
    video_call: UUID
    trump_call: UUID
    new_start_expiry: UUID
    visit: UUID
    quote_putin: UUID
    quote_xi: UUID
    report_ushakov: UUID
    quote_peskov: UUID


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    """The Xi–Putin video call of 2026-02-04 as Euronews (in French) told it, simplified."""
    async with engine.begin() as connection:
        corpus = Corpus(connection)
        article = await corpus.source(
            "euronews-xi-putin", published_at=datetime(2026, 2, 4, 12, tzinfo=UTC)
        )
        china = await corpus.participant(
            "china",
            [("Chine", "fr"), ("China", "en"), ("中国", "zh")],
            kind=ParticipantKind.COUNTRY,
        )
        russia = await corpus.participant(
            "russia", [("Russie", "fr"), ("Russia", "en"), ("Россия", "ru")],
            kind=ParticipantKind.COUNTRY,
        )  # fmt: skip
        usa = await corpus.participant(
            "united-states", [("États-Unis", "fr"), ("United States", "en")],
            kind=ParticipantKind.COUNTRY,
        )  # fmt: skip
        xi = await corpus.participant(
            "xi-jinping", [("Xi Jinping", "fr"), ("习近平", "zh")], country=china
        )
        putin = await corpus.participant(
            "vladimir-putin",
            [("Vladimir Poutine", "fr"), ("Vladimir Putin", "en"), ("Владимир Путин", "ru")],
            country=russia,
        )
        trump = await corpus.participant("donald-trump", [("Donald Trump", "fr")], country=usa)
        peskov = await corpus.participant(
            "dmitri-peskov", [("Dmitri Peskov", "fr"), ("Дмитрий Песков", "ru")], country=russia
        )
        ushakov = await corpus.participant(
            "iouri-ouchakov", [("Iouri Ouchakov", "fr"), ("Yuri Ushakov", "en")], country=russia
        )
        security = await corpus.topic("security", [("Sécurité", "fr"), ("Security", "en")])
        arms_control = await corpus.topic(
            "arms-control",
            [("Contrôle des armements", "fr"), ("Arms control", "en")],
            parent=security,
        )
        energy = await corpus.topic("energy", [("Énergie", "fr"), ("Energy", "en")])
        new_start = await corpus.treaty(
            "new-start",
            [("New START", "en"), ("START-III", "ru"), ("nouveau traité START", "fr")],
            expires_on=date(2026, 2, 5),
            milestones=[
                (TreatyMilestoneKind.SIGNED, date(2010, 4, 8)),
                (TreatyMilestoneKind.ENTERED_INTO_FORCE, date(2011, 2, 5)),
                (TreatyMilestoneKind.EXTENDED, date(2021, 2, 3)),
            ],
            parties=[russia, usa],
        )
        video_call = await corpus.event(
            "xi-putin-video-call-2026-02-04",
            date(2026, 2, 4),
            title="Entretien en visioconférence entre Xi Jinping et Vladimir Poutine",
            summary="Les deux dirigeants ont évoqué les évènements récents et l'énergie.",
            kind=EventKind.MEETING,
            format=EventFormat.VIDEO,
            duration_minutes=85,
            participants={xi: ParticipationRole.HOST, putin: ParticipationRole.GUEST},
            topics=[security, energy],
            treaties=[new_start],
            sources=[article],
        )
        trump_call = await corpus.event(
            "xi-trump-phone-call-2026-02-04",
            date(2026, 2, 4),
            title="Appel téléphonique entre Xi Jinping et Donald Trump",
            kind=EventKind.MEETING,
            format=EventFormat.PHONE,
            participants={xi: ParticipationRole.PARTICIPANT, trump: ParticipationRole.PARTICIPANT},
            sources=[article],
        )
        new_start_expiry = await corpus.event(
            "new-start-expiry",
            date(2026, 2, 5),
            title="Expiration du traité New START",
            kind=EventKind.OTHER,
            format=EventFormat.UNKNOWN,
            status=EventStatus.PLANNED,
            participants={
                russia: ParticipationRole.PARTICIPANT,
                usa: ParticipationRole.PARTICIPANT,
            },
            topics=[arms_control],
            treaties=[new_start],
        )
        visit = await corpus.event(
            "putin-visit-to-china-2026",
            date(2026, 1, 1),
            title="Visite de Vladimir Poutine en Chine",
            kind=EventKind.STATE_VISIT,
            status=EventStatus.PLANNED,
            location_country=china,
            participants={putin: ParticipationRole.GUEST, xi: ParticipationRole.HOST},
        )
        await corpus.relate(video_call, visit, EventRelationKind.PRECEDES)
        await corpus.relate(video_call, trump_call, EventRelationKind.CONCURRENT)
        quote_putin = await corpus.statement(
            "putin-quote-1",
            "Nous attachons une grande importance aux évènements internationaux et à la "
            "coopération énergétique.",
            speaker=putin,
            source=article,
            event=video_call,
            said_on=date(2026, 2, 4),
            topics=[energy],
        )
        quote_xi = await corpus.statement(
            "xi-quote-1",
            "La Chine et la Russie doivent maintenir une coordination stratégique.",
            speaker=xi,
            source=article,
            event=video_call,
            said_on=date(2026, 2, 4),
            topics=[security],
            mentions=[russia, china],
        )
        report_ushakov = await corpus.statement(
            "ushakov-report-1",
            "Poutine a informé Xi de ses contacts avec les Américains sur le traité New START.",
            speaker=putin,
            reported_by=ushakov,
            kind=StatementKind.PARAPHRASE,
            source=article,
            event=video_call,
            topics=[arms_control],
            mentions=[usa],
            treaties=[new_start],
        )
        quote_peskov = await corpus.statement(
            "peskov-quote-1",
            "Moscow regrets that the treaty expires.",
            language="en",
            speaker=peskov,
            source=article,
            said_on=date(2026, 2, 3),
            treaties=[new_start],
        )
    return World(
        article=article,
        china=china,
        russia=russia,
        usa=usa,
        xi=xi,
        putin=putin,
        trump=trump,
        peskov=peskov,
        ushakov=ushakov,
        security=security,
        arms_control=arms_control,
        energy=energy,
        new_start=new_start,
        video_call=video_call,
        trump_call=trump_call,
        new_start_expiry=new_start_expiry,
        visit=visit,
        quote_putin=quote_putin,
        quote_xi=quote_xi,
        report_ushakov=report_ushakov,
        quote_peskov=quote_peskov,
    )
