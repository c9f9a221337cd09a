"""The change log: a version on every entity, one `changes` row per node per transaction.

Written by triggers (`api.db.change_log`), so that whatever changes a row is logged: a mutation,
a fixture load, a migration, an operator's SQL. It replaces the deletion log, which no client
could read: a DELETE is now a change like the others.

The rows already stored are logged as created, in this migration's transaction, so that a
partner replaying the feed from the start gets the whole corpus.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op
from api.db.change_log import DROP_FUNCTIONS, FUNCTIONS, entity_triggers, owned_triggers

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITIES = {
    "sources": "SOURCE",
    "participants": "PARTICIPANT",
    "topics": "TOPIC",
    "treaties": "TREATY",
    "events": "EVENT",
    "statements": "STATEMENT",
}
OWNED = (
    ("participant_names", "participants", "participant_id", "names"),
    ("participant_roles", "participants", "participant_id", "roles"),
    ("topic_labels", "topics", "topic_id", "labels"),
    ("treaty_names", "treaties", "treaty_id", "names"),
    ("treaty_parties", "treaties", "treaty_id", "parties"),
    ("treaty_milestones", "treaties", "treaty_id", "milestones"),
    ("event_participants", "events", "event_id", "participants"),
    ("event_topics", "events", "event_id", "topics"),
    ("event_treaties", "events", "event_id", "treaties"),
    ("event_sources", "events", "event_id", "sources"),
    ("event_relations", "events", "from_event_id", "related"),
    ("statement_topics", "statements", "statement_id", "topics"),
    ("statement_mentions", "statements", "statement_id", "mentions"),
    ("statement_treaties", "statements", "statement_id", "treaties"),
)


def upgrade() -> None:
    for table in ENTITIES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        op.execute(f"DROP TRIGGER {table}_record_deletion ON {table}")
    op.execute("DROP FUNCTION eventgraph_record_deletion()")
    op.drop_table("deletions")
    for statement in FUNCTIONS:
        op.execute(statement)
    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "xid",
            sa.BigInteger(),
            server_default=sa.text("eventgraph_xid()"),
            nullable=False,
            comment="the writing transaction: the feed's order, read below the oldest one running",
        ),
        sa.Column(
            "type", sa.Text(), nullable=False, comment="the node's type: EVENT, STATEMENT..."
        ),
        sa.Column("node_id", sa.UUID(), nullable=False),
        sa.Column(
            "op",
            sa.Enum("CREATE", "UPDATE", "DELETE", name="changeop", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="the node's version after the change"
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="{column or relation: {before, after}}",
        ),
        sa.CheckConstraint(
            "op IN ('CREATE', 'UPDATE', 'DELETE')", name=op.f("ck_changes_changeop")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("xid", "node_id", name=op.f("uq_changes_xid_node_id")),
        comment="one row per node per transaction that changed it, written by triggers",
    )
    op.create_index("ix_changes_xid_id", "changes", ["xid", "id"])
    op.create_index("ix_changes_node_id_id", "changes", ["node_id", "id"])
    op.create_table(
        "change_log_horizon",
        sa.Column("single", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "pruned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("single", name=op.f("ck_change_log_horizon_one_row")),
        sa.PrimaryKeyConstraint("single", name=op.f("pk_change_log_horizon")),
        comment="the feed position the log was pruned up to: an older cursor has expired",
    )
    for table, entity in ENTITIES.items():
        for statement in entity_triggers(table, entity):
            op.execute(statement)
    for table, owner_table, owner_column, field in OWNED:
        for statement in owned_triggers(table, owner_table, owner_column, field):
            op.execute(statement)
    op.execute("SELECT set_config('eventgraph.actor', 'migration 0005', true)")
    for table, entity in ENTITIES.items():
        op.execute(
            "INSERT INTO changes (type, node_id, op, version, actor, fields) "
            f"SELECT '{entity}', id, 'CREATE', version, eventgraph_actor(), '{{}}' FROM {table}"
        )


def downgrade() -> None:
    op.drop_table("change_log_horizon")
    op.drop_index("ix_changes_node_id_id", table_name="changes")
    op.drop_index("ix_changes_xid_id", table_name="changes")
    op.drop_table("changes")
    for statement in DROP_FUNCTIONS:
        op.execute(statement)
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
    op.create_index("ix_deletions_deleted_at", "deletions", ["deleted_at", "id"])
    op.execute(
        """
        CREATE FUNCTION eventgraph_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO deletions (table_name, row_id, slug) VALUES (TG_TABLE_NAME, OLD.id, OLD.slug);
            RETURN OLD;
        END $$
        """
    )
    for table in ENTITIES:
        op.execute(
            f"CREATE TRIGGER {table}_record_deletion AFTER DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION eventgraph_record_deletion()"
        )
        op.drop_column(table, "version")
