-- Read-your-writes when the read models fall behind. A write waits, bounded, until every read
-- model includes it; if they do not in time it still succeeds (202), and its position is kept
-- here for the caller (a session or an API key) that made it. That caller's later requests, on
-- any instance, wait for this position before they read. A row is removed once the read models
-- have passed it. Not part of the log: a position here only delays reads, it changes no state.
CREATE TABLE consistency_floors (
    caller     uuid        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE, DELETE ON consistency_floors TO ctxi_app;
