"""The database schema as SQLAlchemy Core tables: the single definition Alembic compares against.

Rows are read as tuples by `api.store`; there are no ORM classes. Entity tables carry a UUID key,
a unique slug, and a version, `created_at` and `updated_at` kept by the database (see the initial
migration for the text-search configurations, `api.db.change_log` for the change log). Pure link
tables are keyed by the pair they link.
"""

from enum import Enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

from api.vocabulary import (
    ChangeOp,
    ClaimQualifier,
    Commitment,
    DatePrecision,
    EventFormat,
    EventKind,
    EventRelationKind,
    EventStatus,
    ParticipantKind,
    ParticipationRole,
    SourceKind,
    StatementKind,
    TranslationStatus,
    TreatyMilestoneKind,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def vocabulary(enum: type[Enum]) -> SqlEnum:
    """A column type holding one name of `enum`, as text checked by a constraint."""
    return SqlEnum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=enum.__name__.lower(),
        validate_strings=True,
    )


def primary_key() -> Column[object]:
    return Column(
        "id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


def kept_by_database() -> tuple[Column[object], Column[object], Column[object]]:
    """An entity's bookkeeping: its version, raised by each change, and when it was created and
    last updated. Triggers keep them (`api.db.change_log` and the initial migration)."""
    return (
        Column("version", Integer, nullable=False, server_default=text("1")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def reference(
    name: str,
    target: str,
    *,
    nullable: bool = False,
    cascade: bool = False,
    restrict: bool = False,
) -> Column[object]:
    """A UUID foreign key: CASCADE for rows owned by the parent, else SET NULL or RESTRICT
    (`restrict`: RESTRICT even when nullable, for a reference whose loss would change what the
    row says, such as a claim's speaker)."""
    if cascade:
        ondelete = "CASCADE"
    elif nullable and not restrict:
        ondelete = "SET NULL"
    else:
        ondelete = "RESTRICT"
    return Column(
        name, UUID(as_uuid=True), ForeignKey(f"{target}.id", ondelete=ondelete), nullable=nullable
    )


def link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A pure many-to-many link, keyed by the pair, with an index for the reverse direction."""
    (left_column, left_table), (right_column, right_table) = left, right
    table = Table(
        name,
        metadata,
        Column(
            left_column,
            UUID(as_uuid=True),
            ForeignKey(f"{left_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(
            right_column,
            UUID(as_uuid=True),
            ForeignKey(f"{right_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    Index(f"ix_{name}_{right_column}", table.c[right_column], table.c[left_column])
    return table


def folded_trigram_index(table: Table, column: str) -> Index:
    """A trigram index over the accent- and case-folded text, for contains/startsWith filters."""
    return Index(
        f"ix_{table.name}_{column}_trgm",
        func.eventgraph_fold(table.c[column]).label("folded"),
        postgresql_using="gin",
        postgresql_ops={"folded": "gin_trgm_ops"},
    )


def names_table(name: str, owner_column: str, owner_table: str) -> Table:
    """Every name or label of an owner, one row per (language, value); one primary per owner.

    `position` is the name's place in its owner's list, as the fixtures give it: within a
    language, the first listed is the one shown (see `api.store.names`).
    """
    table = Table(
        name,
        metadata,
        primary_key(),
        reference(owner_column, owner_table, cascade=True),
        Column("value", Text, nullable=False),
        Column("language", String(35), nullable=False),
        Column("is_primary", Boolean, nullable=False, server_default=text("false")),
        Column("position", Integer, nullable=False),
        UniqueConstraint(owner_column, "language", "value"),
        CheckConstraint("value <> ''", name="value_not_empty"),
    )
    Index(
        f"ix_{name}_one_primary",
        table.c[owner_column],
        unique=True,
        postgresql_where=table.c.is_primary,
    )
    folded_trigram_index(table, "value")
    return table


# ---------------------------------------------------------------- sources

sources = Table(
    "sources",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("url", Text, unique=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=False),
    Column("language", String(35), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    # Defaults keep inserts that predate the kinds (an operator's SQL) working.
    Column("kind", vocabulary(SourceKind), nullable=False, server_default=text("'REPORT'")),
    reference("reprint_of_id", "sources", nullable=True, restrict=True),
    Column("note", Text, comment="about the capture or the date"),
    *kept_by_database(),
    CheckConstraint("reprint_of_id IS NULL OR reprint_of_id <> id", name="not_own_reprint"),
)
Index("ix_sources_publisher", sources.c.publisher)
Index("ix_sources_language", sources.c.language)
Index("ix_sources_published_at", sources.c.published_at, sources.c.id)
Index(
    "ix_sources_published_at_desc", sources.c.published_at.desc().nulls_last(), sources.c.id.desc()
)
Index("ix_sources_updated_at", sources.c.updated_at, sources.c.id)
Index("ix_sources_kind", sources.c.kind)
Index("ix_sources_reprint_of_id", sources.c.reprint_of_id)

# The sources a source cites or takes facts from without reprinting them.
source_based_on = Table(
    "source_based_on",
    metadata,
    Column(
        "source_id",
        UUID(as_uuid=True),
        ForeignKey("sources.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "based_on_id",
        UUID(as_uuid=True),
        ForeignKey("sources.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    CheckConstraint("source_id <> based_on_id", name="not_own_basis"),
)
Index("ix_source_based_on_based_on_id", source_based_on.c.based_on_id, source_based_on.c.source_id)


def claims_table(name: str, owner_column: str, owner_table: str) -> Table:
    """One source's claim of one value for one field (or one item of a list field) of an owner.

    The field is the fixture field's name, the item names an item of a list field, the value is
    in fixture notation (null: the source gives none, or the item as stored); `position` keeps
    the claims' order in their owner's list.
    """
    table = Table(
        name,
        metadata,
        primary_key(),
        reference(owner_column, owner_table, cascade=True),
        Column("field", Text, nullable=False),
        Column("item", Text),
        Column("value", Text),
        Column("qualifier", vocabulary(ClaimQualifier), nullable=False),
        reference("source_id", "sources"),
        Column("wording", Text),
        reference("attributed_to_id", "participants", nullable=True, restrict=True),
        Column("as_of", Date),
        Column("note", Text),
        Column("position", Integer, nullable=False),
        CheckConstraint("field <> ''", name="field_not_empty"),
    )
    Index(f"ix_{name}_{owner_column}", table.c[owner_column], table.c.position)
    Index(f"ix_{name}_source_id", table.c.source_id)
    Index(f"ix_{name}_attributed_to_id", table.c.attributed_to_id)
    return table


# ---------------------------------------------------------------- participants

participants = Table(
    "participants",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("kind", vocabulary(ParticipantKind), nullable=False),
    Column("description", Text),
    reference("country_id", "participants", nullable=True),
    *kept_by_database(),
)
Index("ix_participants_kind", participants.c.kind)
Index("ix_participants_country_id", participants.c.country_id)
Index("ix_participants_updated_at", participants.c.updated_at, participants.c.id)

participant_names = names_table("participant_names", "participant_id", "participants")

participant_roles = Table(
    "participant_roles",
    metadata,
    primary_key(),
    reference("participant_id", "participants", cascade=True),
    Column("title", Text, nullable=False),
    reference("organization_id", "participants", nullable=True),
    Column("start_date", Date),
    Column("end_date", Date),
    CheckConstraint(
        "end_date IS NULL OR start_date IS NULL OR start_date <= end_date", name="dates_in_order"
    ),
)
Index("ix_participant_roles_participant_id", participant_roles.c.participant_id)
Index("ix_participant_roles_organization_id", participant_roles.c.organization_id)
participant_claims = claims_table("participant_claims", "participant_id", "participants")

# ---------------------------------------------------------------- topics

topics = Table(
    "topics",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("description", Text),
    reference("parent_id", "topics", nullable=True),
    *kept_by_database(),
    CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
)
Index("ix_topics_parent_id", topics.c.parent_id)
Index("ix_topics_updated_at", topics.c.updated_at, topics.c.id)

topic_labels = names_table("topic_labels", "topic_id", "topics")

# ---------------------------------------------------------------- treaties

treaties = Table(
    "treaties",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("summary", Text),
    Column("signed_on", Date),
    Column("effective_on", Date),
    Column("expires_on", Date),
    *kept_by_database(),
)
Index("ix_treaties_signed_on", treaties.c.signed_on, treaties.c.id)
Index("ix_treaties_expires_on", treaties.c.expires_on, treaties.c.id)
Index(
    "ix_treaties_expires_on_desc", treaties.c.expires_on.desc().nulls_last(), treaties.c.id.desc()
)
Index("ix_treaties_updated_at", treaties.c.updated_at, treaties.c.id)

treaty_names = names_table("treaty_names", "treaty_id", "treaties")
treaty_parties = link_table(
    "treaty_parties", ("treaty_id", "treaties"), ("participant_id", "participants")
)
treaty_claims = claims_table("treaty_claims", "treaty_id", "treaties")

# ---------------------------------------------------------------- events

events = Table(
    "events",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("summary", Text),
    Column("language", String(35), nullable=False, comment="language of title and summary"),
    Column("kind", vocabulary(EventKind), nullable=False),
    Column("format", vocabulary(EventFormat), nullable=False),
    Column("status", vocabulary(EventStatus), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("date_precision", vocabulary(DatePrecision), nullable=False),
    Column("starts_at", DateTime(timezone=True)),
    Column("duration_minutes", Integer),
    Column("commitment", vocabulary(Commitment), comment="for a planned event"),
    Column("location_name", Text),
    reference("location_country_id", "participants", nullable=True),
    Column(
        "search_vector",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector(eventgraph_search_config(language), title), 'A')"
            " || setweight(to_tsvector(eventgraph_search_config(language), "
            "coalesce(summary, '')), 'B')",
            persisted=True,
        ),
        nullable=False,
    ),
    *kept_by_database(),
    CheckConstraint("end_date IS NULL OR start_date <= end_date", name="dates_in_order"),
    CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="positive_duration"),
    CheckConstraint("location_country_id IS NULL OR location_name IS NOT NULL", name="located"),
)
Index("ix_events_start_date", events.c.start_date, events.c.id)
Index("ix_events_end_date", events.c.end_date)
Index("ix_events_title", events.c.title, events.c.id)
Index("ix_events_updated_at", events.c.updated_at, events.c.id)
Index("ix_events_kind", events.c.kind)
Index("ix_events_format", events.c.format)
Index("ix_events_status", events.c.status)
Index("ix_events_duration_minutes", events.c.duration_minutes)
Index("ix_events_location_country_id", events.c.location_country_id)
Index("ix_events_search_vector", events.c.search_vector, postgresql_using="gin")
folded_trigram_index(events, "title")

event_participants = Table(
    "event_participants",
    metadata,
    Column(
        "event_id",
        UUID(as_uuid=True),
        ForeignKey("events.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "participant_id",
        UUID(as_uuid=True),
        ForeignKey("participants.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role", vocabulary(ParticipationRole), nullable=False),
)
Index(
    "ix_event_participants_participant_id",
    event_participants.c.participant_id,
    event_participants.c.event_id,
)
event_topics = link_table("event_topics", ("event_id", "events"), ("topic_id", "topics"))
event_treaties = link_table("event_treaties", ("event_id", "events"), ("treaty_id", "treaties"))
event_sources = link_table("event_sources", ("event_id", "events"), ("source_id", "sources"))

event_relations = Table(
    "event_relations",
    metadata,
    primary_key(),
    reference("from_event_id", "events", cascade=True),
    reference("to_event_id", "events", cascade=True),
    Column("kind", vocabulary(EventRelationKind), nullable=False),
    CheckConstraint("from_event_id <> to_event_id", name="distinct_events"),
    CheckConstraint("kind IN ('CONCURRENT', 'PRECEDES', 'PART_OF', 'RELATED')", name="stored_kind"),
)
# Stored once per pair, whichever the direction.
Index(
    "ix_event_relations_pair",
    func.least(event_relations.c.from_event_id, event_relations.c.to_event_id),
    func.greatest(event_relations.c.from_event_id, event_relations.c.to_event_id),
    unique=True,
)
Index("ix_event_relations_from_event_id", event_relations.c.from_event_id)
Index("ix_event_relations_to_event_id", event_relations.c.to_event_id)
event_claims = claims_table("event_claims", "event_id", "events")

# ---------------------------------------------------------------- statements

statements = Table(
    "statements",
    metadata,
    primary_key(),
    Column("slug", Text, nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("language", String(35), nullable=False),
    Column("kind", vocabulary(StatementKind), nullable=False),
    reference("speaker_id", "participants"),
    reference("reported_by_id", "participants", nullable=True),
    reference("event_id", "events", nullable=True),
    Column("said_on", Date),
    reference("source_id", "sources"),
    Column("position", Integer, nullable=False, comment="order of appearance in its source"),
    Column(
        "translation",
        vocabulary(TranslationStatus),
        nullable=False,
        server_default=text("'UNKNOWN'"),
    ),
    Column("distortion", Text, comment="how the main rendering misrenders the original"),
    Column(
        "search_vector",
        TSVECTOR,
        Computed("to_tsvector(eventgraph_search_config(language), text)", persisted=True),
        nullable=False,
    ),
    *kept_by_database(),
    UniqueConstraint("source_id", "position"),
    CheckConstraint("text <> ''", name="text_not_empty"),
    CheckConstraint("position >= 0", name="position_not_negative"),
)
# A participant's statements, newest first (its default order), read from the index in order.
Index(
    "ix_statements_speaker_id_said_on",
    statements.c.speaker_id,
    statements.c.said_on.desc().nulls_last(),
    statements.c.id.desc(),
)
Index("ix_statements_reported_by_id", statements.c.reported_by_id)
Index("ix_statements_event_id_position", statements.c.event_id, statements.c.position)
Index("ix_statements_said_on", statements.c.said_on, statements.c.id)
# Nullable keys sort NULLs last both ways, so descending needs an index of its own; the ascending
# one, read backwards, serves `last` pages of the ascending order.
Index(
    "ix_statements_said_on_desc", statements.c.said_on.desc().nulls_last(), statements.c.id.desc()
)
Index("ix_statements_updated_at", statements.c.updated_at, statements.c.id)
Index("ix_statements_language", statements.c.language)
Index("ix_statements_kind", statements.c.kind)
Index("ix_statements_search_vector", statements.c.search_vector, postgresql_using="gin")
folded_trigram_index(statements, "text")

statement_topics = link_table(
    "statement_topics", ("statement_id", "statements"), ("topic_id", "topics")
)
statement_mentions = link_table(
    "statement_mentions", ("statement_id", "statements"), ("participant_id", "participants")
)
statement_treaties = link_table(
    "statement_treaties", ("statement_id", "statements"), ("treaty_id", "treaties")
)
statement_claims = claims_table("statement_claims", "statement_id", "statements")

# The statement's renderings other than its main one (its own text, language, kind and source).
statement_renderings = Table(
    "statement_renderings",
    metadata,
    primary_key(),
    reference("statement_id", "statements", cascade=True),
    Column("text", Text, nullable=False),
    Column("language", String(35), nullable=False),
    Column("kind", vocabulary(StatementKind), nullable=False),
    reference("source_id", "sources"),
    Column("translation", vocabulary(TranslationStatus), nullable=False),
    Column("distortion", Text),
    Column("position", Integer, nullable=False),
    CheckConstraint("text <> ''", name="text_not_empty"),
)
Index(
    "ix_statement_renderings_statement_id",
    statement_renderings.c.statement_id,
    statement_renderings.c.position,
)
Index("ix_statement_renderings_source_id", statement_renderings.c.source_id)
Index("ix_statement_renderings_language", statement_renderings.c.language)

# Statements that may report the same words: linked, not merged (symmetric in the API).
statement_may_be_same_as = link_table(
    "statement_may_be_same_as",
    ("statement_id", "statements"),
    ("may_be_same_as_id", "statements"),
)

treaty_milestones = Table(
    "treaty_milestones",
    metadata,
    primary_key(),
    reference("treaty_id", "treaties", cascade=True),
    Column("kind", vocabulary(TreatyMilestoneKind), nullable=False),
    Column("date", Date, nullable=False),
    Column("note", Text),
    reference("event_id", "events", nullable=True),
    UniqueConstraint("treaty_id", "kind", "date"),
)
Index("ix_treaty_milestones_event_id", treaty_milestones.c.event_id)

# ---------------------------------------------------------------- the change log


changes = Table(
    "changes",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column(
        "xid",
        BigInteger,
        nullable=False,
        server_default=text("eventgraph_xid()"),
        comment="the writing transaction: the feed's order, read below the oldest one running",
    ),
    Column("type", Text, nullable=False, comment="the node's type: EVENT, STATEMENT..."),
    Column("node_id", UUID(as_uuid=True), nullable=False),
    Column("op", vocabulary(ChangeOp), nullable=False),
    Column("version", Integer, nullable=False, comment="the node's version after the change"),
    Column("actor", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column(
        "fields",
        JSONB,
        nullable=False,
        server_default=text("'{}'::jsonb"),
        comment="{column or relation: {before, after}}",
    ),
    # One row per node per transaction: a second statement merges into it.
    UniqueConstraint("xid", "node_id"),
    comment="one row per node per transaction that changed it, written by triggers",
)
Index("ix_changes_xid_id", changes.c.xid, changes.c.id)
Index("ix_changes_node_id_id", changes.c.node_id, changes.c.id)

change_log_horizon = Table(
    "change_log_horizon",
    metadata,
    Column("single", Boolean, primary_key=True, server_default=text("true")),
    Column("xid", BigInteger, nullable=False),
    Column("change_id", BigInteger, nullable=False),
    Column("pruned_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("single", name="one_row"),
    comment="the feed position the log was pruned up to: an older cursor has expired",
)

# ---------------------------------------------------------------- partner access (api/security)

api_keys = Table(
    "api_keys",
    metadata,
    primary_key(),
    Column("name", Text, nullable=False),
    Column("prefix", String(16), nullable=False, unique=True, comment="shown, never secret"),
    Column("secret_sha256", LargeBinary, nullable=False, unique=True),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("budget_capacity", Integer, comment="null: the configured default"),
    Column("budget_restore_per_second", Double, comment="null: the configured default"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_used_at", DateTime(timezone=True), comment="to the minute"),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint("name <> ''", name="name_not_empty"),
    CheckConstraint("octet_length(secret_sha256) = 32", name="sha256_length"),
    CheckConstraint(
        "cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'admin']::text[]",
        name="known_scopes",
    ),
    CheckConstraint("budget_capacity IS NULL OR budget_capacity > 0", name="positive_capacity"),
    CheckConstraint(
        "budget_restore_per_second IS NULL OR budget_restore_per_second > 0",
        name="positive_restore",
    ),
    comment="partner API keys; only a SHA-256 of each key is kept, the key itself is shown once",
)
# A name is reused once its key is revoked (rotation keeps the partner's name).
Index(
    "ix_api_keys_active_name",
    api_keys.c.name,
    unique=True,
    postgresql_where=api_keys.c.revoked_at.is_(None),
)

# UNLOGGED: a debit writes no WAL and its commit waits for no disk flush; a crash empties the
# table, which refills every bucket (see docs/operations.md).
rate_limit_buckets = Table(
    "rate_limit_buckets",
    metadata,
    Column("bucket_key", Text, primary_key=True),
    Column("tokens", Double, nullable=False),
    Column("refilled_at", DateTime(timezone=True), nullable=False),
    Column("full_at", DateTime(timezone=True), nullable=False, comment="when pruning may drop it"),
    prefixes=["UNLOGGED"],
    comment="one token bucket of cost points per API key or anonymous network",
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", Text, primary_key=True, comment="the API key's id, or 'anonymous'"),
    Column("key", Text, primary_key=True, comment="the client's idempotencyKey"),
    Column("request_sha256", LargeBinary, nullable=False, comment="of the mutation and its input"),
    Column("answer", JSONB, nullable=False, comment="what the first request was answered"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="mutations' idempotency keys, kept idempotency_key_hours, with their first answer",
)
Index("ix_idempotency_keys_created_at", idempotency_keys.c.created_at)

trusted_documents = Table(
    "trusted_documents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("operation_name", Text),
    Column("document", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "sha256 = encode(sha256(convert_to(document, 'UTF8')), 'hex')", name="sha256_of_document"
    ),
    comment="registered operations: what runs in trusted-documents mode, by the hash clients send",
)
