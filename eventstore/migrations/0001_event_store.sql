-- The event store. Column names follow postgres-es (aggregate_type, aggregate_id, sequence,
-- event_type, event_version, payload, metadata) so its conventions and tooling still read it.
--
-- position: (transaction id << 16) | ordinal within the transaction. Readers only return
-- events whose transaction id is below pg_snapshot_xmin(pg_current_snapshot()), i.e. from
-- transactions that can no longer commit, so a reader never returns a position and later a
-- smaller one. See eventstore/src/position.rs.
--
-- payload and metadata are `json`, not `jsonb`: json keeps the exact text that was hashed.
CREATE TABLE events (
    position       bigint  PRIMARY KEY,
    aggregate_type text    NOT NULL,
    aggregate_id   text    NOT NULL,
    sequence       bigint  NOT NULL CHECK (sequence > 0),
    event_type     text    NOT NULL,
    event_version  text    NOT NULL,
    payload        json    NOT NULL,
    metadata       json    NOT NULL,
    prev_hash      bytea   NOT NULL CHECK (length(prev_hash) = 32),
    hash           bytea   NOT NULL CHECK (length(hash) = 32),
    CONSTRAINT events_stream_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
);

-- Append-only: the audit trail. Nobody, not even the owner, updates or deletes an event.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- Idempotent commands: the first outcome of a command id, returned to its retries.
CREATE TABLE command_log (
    command_id  uuid        PRIMARY KEY,
    fingerprint bytea       NOT NULL,
    outcome     json        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Per-subject data keys, wrapped by the key-encryption key. The only table whose rows are
-- ever deleted: deleting a row is crypto-shredding the subject's personal data.
CREATE TABLE subject_keys (
    subject     text        PRIMARY KEY,
    key_id      uuid        NOT NULL,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Projector checkpoints; each projector commits its rows and its checkpoint together.
CREATE TABLE projector_checkpoints (
    projector  text        PRIMARY KEY,
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The application role: appends and reads events, never rewrites them.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ctxi_app') THEN
        CREATE ROLE ctxi_app NOLOGIN;
    END IF;
END
$$;

GRANT USAGE, CREATE ON SCHEMA public TO ctxi_app;
GRANT SELECT, INSERT ON events TO ctxi_app;
GRANT SELECT, INSERT ON command_log TO ctxi_app;
GRANT SELECT, INSERT, DELETE ON subject_keys TO ctxi_app;
GRANT SELECT, INSERT, UPDATE ON projector_checkpoints TO ctxi_app;

DO $$
BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO ctxi_app', current_database());
END
$$;
