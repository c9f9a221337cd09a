"""Initial schema: the whole data model, its search configuration, timestamps and deletion log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 00:44:04.893880
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Languages with a stemmer of their own; every other language is folded and split only (`simple`).
STEMMERS = {
    "fr": "french",
    "en": "english",
    "ru": "russian",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}
ENTITY_TABLES = ("sources", "participants", "topics", "treaties", "events", "statements")


def create_search_functions() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Accent- and case-folded text: what contains/startsWith compare, and what trigram indexes
    # index. unaccent() is only STABLE (its dictionary could change); this wrapper pins the
    # dictionary so that it can be IMMUTABLE and indexed.
    op.execute(
        """
        CREATE FUNCTION eventgraph_fold(value text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN lower(public.unaccent('public.unaccent'::regdictionary, value))
        """
    )
    # One text-search configuration per language: accents dropped before stemming, so that
    # "evenement" and "évènement" stem alike.
    for base in [*STEMMERS.values(), "simple"]:
        name = f"eventgraph_{base}"
        dictionary = "simple" if base == "simple" else f"{base}_stem"
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, {dictionary}"
        )
    cases = " ".join(
        f"WHEN '{language}' THEN 'eventgraph_{base}'::regconfig"
        for language, base in STEMMERS.items()
    )
    # The configuration for a BCP 47 tag ("fr", "fr-CA"), `simple` for any other language. Not
    # STRICT: PostgreSQL inlines it then (a CASE is not strict), 0.08 s per 100,000 calls against
    # 0.49 s as a function call. eventgraph_fold is not inlined either way (unaccent is STABLE).
    op.execute(
        f"""
        CREATE FUNCTION eventgraph_search_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE split_part(lower(language), '-', 1) {cases}
               ELSE 'eventgraph_simple'::regconfig END
        """
    )


def create_triggers() -> None:
    # The loader only updates rows that changed, so every UPDATE is a change worth a new stamp.
    op.execute(
        """
        CREATE FUNCTION eventgraph_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION eventgraph_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO deletions (table_name, row_id, slug) VALUES (TG_TABLE_NAME, OLD.id, OLD.slug);
            RETURN OLD;
        END $$
        """
    )
    for table in ENTITY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION eventgraph_touch_updated_at()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_record_deletion AFTER DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION eventgraph_record_deletion()"
        )


def drop_search_functions_and_triggers() -> None:
    op.execute("DROP FUNCTION eventgraph_touch_updated_at() CASCADE")
    op.execute("DROP FUNCTION eventgraph_record_deletion() CASCADE")
    op.execute("DROP FUNCTION eventgraph_search_config(text)")
    for base in [*STEMMERS.values(), "simple"]:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION eventgraph_{base}")
    op.execute("DROP FUNCTION eventgraph_fold(text)")


def upgrade() -> None:
    create_search_functions()
    op.create_table(
        "deletions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_id", sa.UUID(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=True),
        sa.Column(
            "deleted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletions")),
        comment="one row per deleted entity, written by a trigger, so that a partner's sync sees it",
    )
    op.create_index("ix_deletions_deleted_at", "deletions", ["deleted_at", "id"], unique=False)
    op.create_table(
        "participants",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PERSON",
                "ORGANIZATION",
                "COUNTRY",
                name="participantkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("country_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["participants.id"],
            name=op.f("fk_participants_country_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("slug", name=op.f("uq_participants_slug")),
    )
    op.create_index("ix_participants_country_id", "participants", ["country_id"], unique=False)
    op.create_index("ix_participants_kind", "participants", ["kind"], unique=False)
    op.create_index(
        "ix_participants_updated_at", "participants", ["updated_at", "id"], unique=False
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("slug", name=op.f("uq_sources_slug")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
    )
    op.create_index("ix_sources_language", "sources", ["language"], unique=False)
    op.create_index("ix_sources_published_at", "sources", ["published_at", "id"], unique=False)
    op.create_index(
        "ix_sources_published_at_desc",
        "sources",
        [sa.text("published_at DESC NULLS LAST"), sa.text("id DESC")],
        unique=False,
    )
    op.create_index("ix_sources_publisher", "sources", ["publisher"], unique=False)
    op.create_index("ix_sources_updated_at", "sources", ["updated_at", "id"], unique=False)
    op.create_table(
        "topics",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_topics_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["topics.id"],
            name=op.f("fk_topics_parent_id_topics"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_index("ix_topics_parent_id", "topics", ["parent_id"], unique=False)
    op.create_index("ix_topics_updated_at", "topics", ["updated_at", "id"], unique=False)
    op.create_table(
        "treaties",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treaties")),
        sa.UniqueConstraint("slug", name=op.f("uq_treaties_slug")),
    )
    op.create_index("ix_treaties_expires_on", "treaties", ["expires_on", "id"], unique=False)
    op.create_index(
        "ix_treaties_expires_on_desc",
        "treaties",
        [sa.text("expires_on DESC NULLS LAST"), sa.text("id DESC")],
        unique=False,
    )
    op.create_index("ix_treaties_signed_on", "treaties", ["signed_on", "id"], unique=False)
    op.create_index("ix_treaties_updated_at", "treaties", ["updated_at", "id"], unique=False)
    op.create_table(
        "events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column(
            "language",
            sa.String(length=35),
            nullable=False,
            comment="language of title and summary",
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "MEETING",
                "SUMMIT",
                "STATE_VISIT",
                "NEGOTIATION",
                "CEREMONY",
                "ANNOUNCEMENT",
                "OTHER",
                name="eventkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "format",
            sa.Enum(
                "IN_PERSON",
                "VIDEO",
                "PHONE",
                "HYBRID",
                "UNKNOWN",
                name="eventformat",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PLANNED",
                "HELD",
                "POSTPONED",
                "CANCELLED",
                name="eventstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "DAY",
                "MONTH",
                "QUARTER",
                "HALF_YEAR",
                "YEAR",
                name="dateprecision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("location_name", sa.Text(), nullable=True),
        sa.Column("location_country_id", sa.UUID(), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector(eventgraph_search_config(language), title), 'A') || setweight(to_tsvector(eventgraph_search_config(language), coalesce(summary, '')), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes > 0",
            name=op.f("ck_events_positive_duration"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date <= end_date", name=op.f("ck_events_dates_in_order")
        ),
        sa.CheckConstraint(
            "location_country_id IS NULL OR location_name IS NOT NULL",
            name=op.f("ck_events_located"),
        ),
        sa.ForeignKeyConstraint(
            ["location_country_id"],
            ["participants.id"],
            name=op.f("fk_events_location_country_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_index("ix_events_duration_minutes", "events", ["duration_minutes"], unique=False)
    op.create_index("ix_events_end_date", "events", ["end_date"], unique=False)
    op.create_index("ix_events_format", "events", ["format"], unique=False)
    op.create_index("ix_events_kind", "events", ["kind"], unique=False)
    op.create_index(
        "ix_events_location_country_id", "events", ["location_country_id"], unique=False
    )
    op.create_index(
        "ix_events_search_vector", "events", ["search_vector"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_events_start_date", "events", ["start_date", "id"], unique=False)
    op.create_index("ix_events_status", "events", ["status"], unique=False)
    op.create_index("ix_events_title", "events", ["title", "id"], unique=False)
    op.create_index(
        "ix_events_title_trgm",
        "events",
        [sa.text("eventgraph_fold(title) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_events_updated_at", "events", ["updated_at", "id"], unique=False)
    op.create_table(
        "participant_names",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("participant_id", sa.UUID(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("value <> ''", name=op.f("ck_participant_names_value_not_empty")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_participant_names_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_names")),
        sa.UniqueConstraint(
            "participant_id",
            "language",
            "value",
            name=op.f("uq_participant_names_participant_id_language_value"),
        ),
    )
    op.create_index(
        "ix_participant_names_one_primary",
        "participant_names",
        ["participant_id"],
        unique=True,
        postgresql_where="is_primary",
    )
    op.create_index(
        "ix_participant_names_value_trgm",
        "participant_names",
        [sa.text("eventgraph_fold(value) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "participant_roles",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("participant_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR start_date <= end_date",
            name=op.f("ck_participant_roles_dates_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["participants.id"],
            name=op.f("fk_participant_roles_organization_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_participant_roles_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_roles")),
    )
    op.create_index(
        "ix_participant_roles_organization_id",
        "participant_roles",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_participant_roles_participant_id", "participant_roles", ["participant_id"], unique=False
    )
    op.create_table(
        "topic_labels",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("topic_id", sa.UUID(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("value <> ''", name=op.f("ck_topic_labels_value_not_empty")),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_topic_labels_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_labels")),
        sa.UniqueConstraint(
            "topic_id", "language", "value", name=op.f("uq_topic_labels_topic_id_language_value")
        ),
    )
    op.create_index(
        "ix_topic_labels_one_primary",
        "topic_labels",
        ["topic_id"],
        unique=True,
        postgresql_where="is_primary",
    )
    op.create_index(
        "ix_topic_labels_value_trgm",
        "topic_labels",
        [sa.text("eventgraph_fold(value) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "treaty_names",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("treaty_id", sa.UUID(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("value <> ''", name=op.f("ck_treaty_names_value_not_empty")),
        sa.ForeignKeyConstraint(
            ["treaty_id"],
            ["treaties.id"],
            name=op.f("fk_treaty_names_treaty_id_treaties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treaty_names")),
        sa.UniqueConstraint(
            "treaty_id", "language", "value", name=op.f("uq_treaty_names_treaty_id_language_value")
        ),
    )
    op.create_index(
        "ix_treaty_names_one_primary",
        "treaty_names",
        ["treaty_id"],
        unique=True,
        postgresql_where="is_primary",
    )
    op.create_index(
        "ix_treaty_names_value_trgm",
        "treaty_names",
        [sa.text("eventgraph_fold(value) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "treaty_parties",
        sa.Column("treaty_id", sa.UUID(), nullable=False),
        sa.Column("participant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_treaty_parties_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["treaty_id"],
            ["treaties.id"],
            name=op.f("fk_treaty_parties_treaty_id_treaties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("treaty_id", "participant_id", name=op.f("pk_treaty_parties")),
    )
    op.create_index(
        "ix_treaty_parties_participant_id",
        "treaty_parties",
        ["participant_id", "treaty_id"],
        unique=False,
    )
    op.create_table(
        "event_participants",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("participant_id", sa.UUID(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "HOST",
                "GUEST",
                "PARTICIPANT",
                "MEDIATOR",
                "OBSERVER",
                name="participationrole",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_participants_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_event_participants_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "participant_id", name=op.f("pk_event_participants")),
    )
    op.create_index(
        "ix_event_participants_participant_id",
        "event_participants",
        ["participant_id", "event_id"],
        unique=False,
    )
    op.create_table(
        "event_relations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("from_event_id", sa.UUID(), nullable=False),
        sa.Column("to_event_id", sa.UUID(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CONCURRENT",
                "PRECEDES",
                "FOLLOWS",
                "PART_OF",
                "HAS_PART",
                "RELATED",
                name="eventrelationkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('CONCURRENT', 'PRECEDES', 'PART_OF', 'RELATED')",
            name=op.f("ck_event_relations_stored_kind"),
        ),
        sa.CheckConstraint(
            "from_event_id <> to_event_id", name=op.f("ck_event_relations_distinct_events")
        ),
        sa.ForeignKeyConstraint(
            ["from_event_id"],
            ["events.id"],
            name=op.f("fk_event_relations_from_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_event_id"],
            ["events.id"],
            name=op.f("fk_event_relations_to_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_relations")),
    )
    op.create_index(
        "ix_event_relations_from_event_id", "event_relations", ["from_event_id"], unique=False
    )
    op.create_index(
        "ix_event_relations_pair",
        "event_relations",
        [
            sa.literal_column("least(from_event_id, to_event_id)"),
            sa.literal_column("greatest(from_event_id, to_event_id)"),
        ],
        unique=True,
    )
    op.create_index(
        "ix_event_relations_to_event_id", "event_relations", ["to_event_id"], unique=False
    )
    op.create_table(
        "event_sources",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_sources_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_event_sources_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "source_id", name=op.f("pk_event_sources")),
    )
    op.create_index(
        "ix_event_sources_source_id", "event_sources", ["source_id", "event_id"], unique=False
    )
    op.create_table(
        "event_topics",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("topic_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_topics_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_event_topics_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "topic_id", name=op.f("pk_event_topics")),
    )
    op.create_index(
        "ix_event_topics_topic_id", "event_topics", ["topic_id", "event_id"], unique=False
    )
    op.create_table(
        "event_treaties",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("treaty_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_treaties_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["treaty_id"],
            ["treaties.id"],
            name=op.f("fk_event_treaties_treaty_id_treaties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "treaty_id", name=op.f("pk_event_treaties")),
    )
    op.create_index(
        "ix_event_treaties_treaty_id", "event_treaties", ["treaty_id", "event_id"], unique=False
    )
    op.create_table(
        "statements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DIRECT_QUOTE",
                "PARAPHRASE",
                name="statementkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("speaker_id", sa.UUID(), nullable=False),
        sa.Column("reported_by_id", sa.UUID(), nullable=True),
        sa.Column("event_id", sa.UUID(), nullable=True),
        sa.Column("said_on", sa.Date(), nullable=True),
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column(
            "position", sa.Integer(), nullable=False, comment="order of appearance in its source"
        ),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector(eventgraph_search_config(language), text)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("text <> ''", name=op.f("ck_statements_text_not_empty")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_statements_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_statements_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["participants.id"],
            name=op.f("fk_statements_reported_by_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_statements_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["participants.id"],
            name=op.f("fk_statements_speaker_id_participants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        sa.UniqueConstraint("slug", name=op.f("uq_statements_slug")),
        sa.UniqueConstraint("source_id", "position", name=op.f("uq_statements_source_id_position")),
    )
    op.create_index(
        "ix_statements_event_id_position", "statements", ["event_id", "position"], unique=False
    )
    op.create_index("ix_statements_kind", "statements", ["kind"], unique=False)
    op.create_index("ix_statements_language", "statements", ["language"], unique=False)
    op.create_index("ix_statements_reported_by_id", "statements", ["reported_by_id"], unique=False)
    op.create_index("ix_statements_said_on", "statements", ["said_on", "id"], unique=False)
    op.create_index(
        "ix_statements_said_on_desc",
        "statements",
        [sa.text("said_on DESC NULLS LAST"), sa.text("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_statements_search_vector",
        "statements",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_statements_speaker_id", "statements", ["speaker_id"], unique=False)
    op.create_index(
        "ix_statements_text_trgm",
        "statements",
        [sa.text("eventgraph_fold(text) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_statements_updated_at", "statements", ["updated_at", "id"], unique=False)
    op.create_table(
        "treaty_milestones",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("treaty_id", sa.UUID(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "SIGNED",
                "ENTERED_INTO_FORCE",
                "EXTENDED",
                "SUSPENDED",
                "EXPIRED",
                "TERMINATED",
                name="treatymilestonekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_treaty_milestones_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["treaty_id"],
            ["treaties.id"],
            name=op.f("fk_treaty_milestones_treaty_id_treaties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treaty_milestones")),
        sa.UniqueConstraint(
            "treaty_id", "kind", "date", name=op.f("uq_treaty_milestones_treaty_id_kind_date")
        ),
    )
    op.create_index(
        "ix_treaty_milestones_event_id", "treaty_milestones", ["event_id"], unique=False
    )
    op.create_table(
        "statement_mentions",
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("participant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_statement_mentions_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_mentions_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "statement_id", "participant_id", name=op.f("pk_statement_mentions")
        ),
    )
    op.create_index(
        "ix_statement_mentions_participant_id",
        "statement_mentions",
        ["participant_id", "statement_id"],
        unique=False,
    )
    op.create_table(
        "statement_topics",
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("topic_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_topics_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_statement_topics_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "topic_id", name=op.f("pk_statement_topics")),
    )
    op.create_index(
        "ix_statement_topics_topic_id",
        "statement_topics",
        ["topic_id", "statement_id"],
        unique=False,
    )
    op.create_table(
        "statement_treaties",
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("treaty_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_treaties_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["treaty_id"],
            ["treaties.id"],
            name=op.f("fk_statement_treaties_treaty_id_treaties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "treaty_id", name=op.f("pk_statement_treaties")),
    )
    op.create_index(
        "ix_statement_treaties_treaty_id",
        "statement_treaties",
        ["treaty_id", "statement_id"],
        unique=False,
    )

    create_triggers()


def downgrade() -> None:
    op.drop_index("ix_statement_treaties_treaty_id", table_name="statement_treaties")
    op.drop_table("statement_treaties")
    op.drop_index("ix_statement_topics_topic_id", table_name="statement_topics")
    op.drop_table("statement_topics")
    op.drop_index("ix_statement_mentions_participant_id", table_name="statement_mentions")
    op.drop_table("statement_mentions")
    op.drop_index("ix_treaty_milestones_event_id", table_name="treaty_milestones")
    op.drop_table("treaty_milestones")
    op.drop_index("ix_statements_updated_at", table_name="statements")
    op.drop_index("ix_statements_text_trgm", table_name="statements", postgresql_using="gin")
    op.drop_index("ix_statements_speaker_id", table_name="statements")
    op.drop_index("ix_statements_search_vector", table_name="statements", postgresql_using="gin")
    op.drop_index("ix_statements_said_on_desc", table_name="statements")
    op.drop_index("ix_statements_said_on", table_name="statements")
    op.drop_index("ix_statements_reported_by_id", table_name="statements")
    op.drop_index("ix_statements_language", table_name="statements")
    op.drop_index("ix_statements_kind", table_name="statements")
    op.drop_index("ix_statements_event_id_position", table_name="statements")
    op.drop_table("statements")
    op.drop_index("ix_event_treaties_treaty_id", table_name="event_treaties")
    op.drop_table("event_treaties")
    op.drop_index("ix_event_topics_topic_id", table_name="event_topics")
    op.drop_table("event_topics")
    op.drop_index("ix_event_sources_source_id", table_name="event_sources")
    op.drop_table("event_sources")
    op.drop_index("ix_event_relations_to_event_id", table_name="event_relations")
    op.drop_index("ix_event_relations_pair", table_name="event_relations")
    op.drop_index("ix_event_relations_from_event_id", table_name="event_relations")
    op.drop_table("event_relations")
    op.drop_index("ix_event_participants_participant_id", table_name="event_participants")
    op.drop_table("event_participants")
    op.drop_index("ix_treaty_parties_participant_id", table_name="treaty_parties")
    op.drop_table("treaty_parties")
    op.drop_index("ix_treaty_names_value_trgm", table_name="treaty_names", postgresql_using="gin")
    op.drop_index(
        "ix_treaty_names_one_primary", table_name="treaty_names", postgresql_where="is_primary"
    )
    op.drop_table("treaty_names")
    op.drop_index("ix_topic_labels_value_trgm", table_name="topic_labels", postgresql_using="gin")
    op.drop_index(
        "ix_topic_labels_one_primary", table_name="topic_labels", postgresql_where="is_primary"
    )
    op.drop_table("topic_labels")
    op.drop_index("ix_participant_roles_participant_id", table_name="participant_roles")
    op.drop_index("ix_participant_roles_organization_id", table_name="participant_roles")
    op.drop_table("participant_roles")
    op.drop_index(
        "ix_participant_names_value_trgm", table_name="participant_names", postgresql_using="gin"
    )
    op.drop_index(
        "ix_participant_names_one_primary",
        table_name="participant_names",
        postgresql_where="is_primary",
    )
    op.drop_table("participant_names")
    op.drop_index("ix_events_updated_at", table_name="events")
    op.drop_index("ix_events_title_trgm", table_name="events", postgresql_using="gin")
    op.drop_index("ix_events_title", table_name="events")
    op.drop_index("ix_events_status", table_name="events")
    op.drop_index("ix_events_start_date", table_name="events")
    op.drop_index("ix_events_search_vector", table_name="events", postgresql_using="gin")
    op.drop_index("ix_events_location_country_id", table_name="events")
    op.drop_index("ix_events_kind", table_name="events")
    op.drop_index("ix_events_format", table_name="events")
    op.drop_index("ix_events_end_date", table_name="events")
    op.drop_index("ix_events_duration_minutes", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_treaties_updated_at", table_name="treaties")
    op.drop_index("ix_treaties_signed_on", table_name="treaties")
    op.drop_index("ix_treaties_expires_on_desc", table_name="treaties")
    op.drop_index("ix_treaties_expires_on", table_name="treaties")
    op.drop_table("treaties")
    op.drop_index("ix_topics_updated_at", table_name="topics")
    op.drop_index("ix_topics_parent_id", table_name="topics")
    op.drop_table("topics")
    op.drop_index("ix_sources_updated_at", table_name="sources")
    op.drop_index("ix_sources_publisher", table_name="sources")
    op.drop_index("ix_sources_published_at_desc", table_name="sources")
    op.drop_index("ix_sources_published_at", table_name="sources")
    op.drop_index("ix_sources_language", table_name="sources")
    op.drop_table("sources")
    op.drop_index("ix_participants_updated_at", table_name="participants")
    op.drop_index("ix_participants_kind", table_name="participants")
    op.drop_index("ix_participants_country_id", table_name="participants")
    op.drop_table("participants")
    op.drop_index("ix_deletions_deleted_at", table_name="deletions")
    op.drop_table("deletions")
    drop_search_functions_and_triggers()
