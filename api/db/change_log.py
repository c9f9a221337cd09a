"""The change log: one row per node per transaction that changed it, written by triggers.

Triggers, so that nothing that changes a row escapes the log: a mutation, a fixture load, a
migration that moves data, an operator's own SQL in psql. Each entity table has

- a BEFORE UPDATE row trigger that raises `version` by one, once per transaction, when the row
  changed (`updated_at`, `version` itself and generated columns aside);
- AFTER INSERT/UPDATE/DELETE statement triggers (with transition tables, so that a load of
  100,000 rows is one INSERT ... SELECT into the log, not 100,000) that write one `changes` row
  per node: CREATE, UPDATE or DELETE, the version, the actor, and the fields' values before and
  after. A second statement of the same transaction on the same node merges into its row (the
  first `before`, the last `after`): a change is what one transaction did to one node.

Each table a node owns (an event's participants, a participant's names...) has AFTER statement
triggers that compare the owner's items before and after the statement; an owner whose items
differ gets its version raised (which logs it) and the items, before and after, as one field
named after the relation. Items of a node created in the same transaction are not repeated:
its CREATE says it was created, and the node itself says what it holds.

The transaction id (`pg_current_xact_id()`, as a bigint) orders the feed: see `api.store.changes`.
The actor is the setting `eventgraph.actor` of the transaction (the API key's name, "fixtures
load (user)"), else the database user. Each statement that logs something sends a NOTIFY on
`eventgraph_changes` (a hint: the durable log is the table). The logging functions run in UTC,
so that a timestamp's value in the log is the same text whatever the writing session's zone.

Migrations install the functions once (`FUNCTIONS`) and each table's triggers with
`entity_triggers` / `owned_triggers`, so that a new entity's migration is two calls.
"""

CHANNEL = "eventgraph_changes"
"""The NOTIFY channel a writing transaction wakes listeners on."""

ACTOR_SETTING = "eventgraph.actor"
"""The transaction setting that names who makes a change (`set_config(..., true)`)."""

FUNCTIONS = (
    # The transaction's id as a bigint (an xid8 is a 64-bit count that never wraps around, so
    # its value fits): drivers and SQLAlchemy read it as a number.
    """
    CREATE FUNCTION eventgraph_xid() RETURNS bigint LANGUAGE sql STABLE AS $$
        SELECT pg_current_xact_id()::text::bigint
    $$
    """,
    # Columns that are bookkeeping, not content: never a field of a change.
    """
    CREATE FUNCTION eventgraph_unlogged_columns(relation oid) RETURNS text[]
    LANGUAGE sql STABLE AS $$
        SELECT ARRAY['id', 'version', 'created_at', 'updated_at']
            || ARRAY(SELECT attname::text FROM pg_attribute
                     WHERE attrelid = relation AND attgenerated <> '' AND NOT attisdropped)
    $$
    """,
    f"""
    CREATE FUNCTION eventgraph_actor() RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(nullif(current_setting('{ACTOR_SETTING}', true), ''), session_user::text)
    $$
    """,
    # Two changes of one node in one transaction: the first `before`, the last `after` of each
    # field; a field that came back to where it was is no change.
    """
    CREATE FUNCTION eventgraph_merged_fields(earlier jsonb, later jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_object_agg(name, merged), '{}'::jsonb)
        FROM (
            SELECT name, CASE
                WHEN earlier ? name AND later ? name THEN jsonb_build_object(
                    'before', earlier -> name -> 'before', 'after', later -> name -> 'after')
                WHEN later ? name THEN later -> name
                ELSE earlier -> name END AS merged
            FROM jsonb_object_keys(earlier || later) AS name
        ) AS fields
        WHERE merged -> 'before' IS DISTINCT FROM merged -> 'after'
    $$
    """,
    """
    CREATE FUNCTION eventgraph_raise_version() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        unlogged text[] := eventgraph_unlogged_columns(TG_RELID);
    BEGIN
        IF NEW.version = OLD.version
           AND to_jsonb(NEW) - unlogged IS DISTINCT FROM to_jsonb(OLD) - unlogged
           AND NOT EXISTS (SELECT FROM changes
                           WHERE xid = eventgraph_xid() AND node_id = NEW.id) THEN
            NEW.version := OLD.version + 1;
        END IF;
        RETURN NEW;
    END $$
    """,
    # One statement on an entity table: one change row per node, merged into the node's row of
    # this transaction when there is one. TG_ARGV[0] is the entity's type (EVENT, ...). The
    # SQL is chosen by the statement's kind: only its own transition tables exist.
    f"""
    CREATE FUNCTION eventgraph_log_entity() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        entries text := CASE TG_OP
            WHEN 'INSERT' THEN $entries$
                SELECT n.id AS node_id, 'CREATE' AS op, n.version, (
                    SELECT coalesce(jsonb_object_agg(
                        key, jsonb_build_object('before', NULL, 'after', value)), '{{}}')
                    FROM jsonb_each(to_jsonb(n) - $1) WHERE value <> 'null') AS fields
                FROM new_rows n $entries$
            WHEN 'UPDATE' THEN $entries$
                SELECT n.id AS node_id, 'UPDATE' AS op, n.version, d.fields
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                CROSS JOIN LATERAL (
                    SELECT coalesce(jsonb_object_agg(
                        a.key, jsonb_build_object('before', b.value, 'after', a.value)),
                        '{{}}') AS fields
                    FROM jsonb_each(to_jsonb(n) - $1) a
                    JOIN jsonb_each(to_jsonb(o) - $1) b ON b.key = a.key
                    WHERE a.value IS DISTINCT FROM b.value) d
                WHERE d.fields <> '{{}}' OR n.version <> o.version $entries$
            ELSE $entries$
                SELECT o.id AS node_id, 'DELETE' AS op, o.version + 1 AS version, (
                    SELECT coalesce(jsonb_object_agg(
                        key, jsonb_build_object('before', value, 'after', NULL)), '{{}}')
                    FROM jsonb_each(to_jsonb(o) - $1) WHERE value <> 'null') AS fields
                FROM old_rows o $entries$
            END;
        logged bigint;
    BEGIN
        EXECUTE 'WITH entries AS (' || entries || ')
            INSERT INTO changes AS c (type, node_id, op, version, actor, fields)
            SELECT $2, node_id, op, version, eventgraph_actor(), fields FROM entries
            ON CONFLICT (xid, node_id) DO UPDATE SET
                op = CASE
                    WHEN excluded.op = ''DELETE'' THEN ''DELETE''
                    WHEN c.op = ''CREATE'' THEN ''CREATE''
                    ELSE ''UPDATE'' END,
                version = CASE
                    WHEN excluded.op = ''DELETE'' THEN c.version ELSE excluded.version END,
                actor = excluded.actor,
                fields = eventgraph_merged_fields(c.fields, excluded.fields)'
        USING eventgraph_unlogged_columns(TG_RELID), TG_ARGV[0];
        GET DIAGNOSTICS logged = ROW_COUNT;
        IF logged > 0 THEN
            PERFORM pg_notify('{CHANNEL}', '');
        END IF;
        RETURN NULL;
    END $$ SET timezone = 'UTC'
    """,
    # One statement on a table a node owns. TG_ARGV: the owner's table, the column naming the
    # owner, the relation's field name. The items before the statement are the ones now, less
    # the statement's new rows, plus its old rows. Owners created or deleted in this
    # transaction are left out: their CREATE or DELETE says it all.
    """
    CREATE FUNCTION eventgraph_log_owned() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        owner_table text := TG_ARGV[0];
        owner_column text := TG_ARGV[1];
        field text := TG_ARGV[2];
        none text := format('(SELECT * FROM %I WHERE false)', TG_TABLE_NAME);
        items jsonb;
    BEGIN
        EXECUTE format($sql$
            WITH touched AS (
                SELECT owner FROM (
                    SELECT %1$I AS owner FROM %2$s AS o
                    UNION SELECT %1$I FROM %3$s AS n) AS t
                WHERE NOT EXISTS (
                    SELECT FROM changes c WHERE c.xid = eventgraph_xid()
                    AND c.node_id = t.owner AND c.op IN ('CREATE', 'DELETE'))
            ), now_items AS (
                SELECT r.%1$I AS owner, to_jsonb(r) - %1$L AS item
                FROM %4$I AS r WHERE r.%1$I IN (SELECT owner FROM touched)
            ), before_items AS (
                (SELECT owner, item FROM now_items
                 EXCEPT ALL SELECT n.%1$I, to_jsonb(n) - %1$L FROM %3$s AS n)
                UNION ALL SELECT o.%1$I, to_jsonb(o) - %1$L FROM %2$s AS o
            ), before AS (
                SELECT owner, jsonb_agg(item ORDER BY item) AS items
                FROM before_items GROUP BY owner
            ), after AS (
                SELECT owner, jsonb_agg(item ORDER BY item) AS items
                FROM now_items GROUP BY owner
            )
            SELECT jsonb_agg(jsonb_build_object(
                'owner', t.owner,
                'before', coalesce(b.items, '[]'),
                'after', coalesce(a.items, '[]')))
            FROM touched t LEFT JOIN before b USING (owner) LEFT JOIN after a USING (owner)
            WHERE coalesce(b.items, '[]') <> coalesce(a.items, '[]')
            $sql$,
            owner_column,
            CASE WHEN TG_OP = 'INSERT' THEN none ELSE 'old_rows' END,
            CASE WHEN TG_OP = 'DELETE' THEN none ELSE 'new_rows' END,
            TG_TABLE_NAME) INTO items;
        IF items IS NOT NULL THEN
            -- Raising the owner's version logs it (its own trigger), once per transaction.
            EXECUTE format(
                'UPDATE %1$I SET version = version + 1 WHERE id = ANY($1) AND NOT EXISTS ('
                'SELECT FROM changes WHERE xid = eventgraph_xid() AND node_id = %1$I.id)',
                owner_table)
            USING ARRAY(SELECT (item ->> 'owner')::uuid FROM jsonb_array_elements(items) item);
            UPDATE changes c SET fields = eventgraph_merged_fields(
                c.fields,
                jsonb_build_object(field, jsonb_build_object('before', i.before, 'after', i.after)))
            FROM jsonb_to_recordset(items) AS i(owner uuid, before jsonb, after jsonb)
            WHERE c.xid = eventgraph_xid() AND c.node_id = i.owner AND c.op = 'UPDATE';
        END IF;
        RETURN NULL;
    END $$ SET timezone = 'UTC'
    """,
)
"""The functions every change-log trigger runs, created once (in the order given)."""

DROP_FUNCTIONS = (
    "DROP FUNCTION eventgraph_log_owned() CASCADE",
    "DROP FUNCTION eventgraph_log_entity() CASCADE",
    "DROP FUNCTION eventgraph_raise_version() CASCADE",
    "DROP FUNCTION eventgraph_merged_fields(jsonb, jsonb)",
    "DROP FUNCTION eventgraph_actor()",
    "DROP FUNCTION eventgraph_unlogged_columns(oid)",
    "DROP FUNCTION eventgraph_xid()",
)


def _statement_triggers(table: str, function: str) -> list[str]:
    transitions = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }
    return [
        f"CREATE TRIGGER {table}_log_{event} AFTER {event.upper()} ON {table} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}"
        for event, transition in transitions.items()
    ]


def entity_triggers(table: str, entity: str) -> list[str]:
    """The statements that put the entity table `table` (its nodes of type `entity`, such as
    EVENT) under the change log. The table needs an integer `version` column."""
    return [
        f"CREATE TRIGGER {table}_raise_version BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION eventgraph_raise_version()",
        *_statement_triggers(table, f"eventgraph_log_entity('{entity}')"),
    ]


def owned_triggers(table: str, owner_table: str, owner_column: str, field: str) -> list[str]:
    """The statements that log a change of the rows of `table` as a change of their owner (the
    row of `owner_table` that `owner_column` names), in its field `field`."""
    return _statement_triggers(
        table, f"eventgraph_log_owned('{owner_table}', '{owner_column}', '{field}')"
    )
