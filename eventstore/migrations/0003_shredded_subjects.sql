-- Erased subjects stay erased. Shredding deletes a subject's data key and records the subject
-- here, in one statement; a data key is never created again for a recorded subject. Without
-- this, an append decided before an erasure but written after it (embeddings submitted while
-- their document is being erased) would find no key, create a fresh one and seal new personal
-- data that the erasure was meant to make unreadable.
CREATE TABLE shredded_subjects (
    subject     text        PRIMARY KEY,
    shredded_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT ON shredded_subjects TO ctxi_app;

-- Shredding and key creation for one subject take the same transaction-level advisory lock,
-- so a key inserted concurrently with a shred either commits first (and the shred destroys it)
-- or waits and then sees the record (each statement of a volatile function reads the latest
-- committed data).
CREATE FUNCTION ctxi_refuse_shredded_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('ctxi.subject.' || NEW.subject, 0));
    IF EXISTS (SELECT 1 FROM shredded_subjects WHERE subject = NEW.subject) THEN
        RAISE EXCEPTION 'the subject % was erased', NEW.subject USING ERRCODE = 'CX003', DETAIL = NEW.subject;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER subject_keys_never_return BEFORE INSERT ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION ctxi_refuse_shredded_subject();

-- Subjects shredded before this migration: their keys are gone but nothing recorded them.
-- Every one of them has sealed data in the log (a key is only ever created to seal), so they
-- are the sealed subjects without a key. One scan of the log, once.
INSERT INTO shredded_subjects (subject)
SELECT DISTINCT sealed #>> '{}'
  FROM events e, LATERAL jsonb_path_query(e.payload::jsonb, 'strict $.**."$sealed".subject') AS sealed
 WHERE e.payload::text LIKE '%"$sealed"%'
   AND NOT EXISTS (SELECT 1 FROM subject_keys k WHERE k.subject = sealed #>> '{}');
