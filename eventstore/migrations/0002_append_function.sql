-- One append is one call of ctxi_append, so an append costs one round trip, like a bare INSERT.
-- The application seals payloads (the key-encryption key never leaves it) and serialises
-- metadata; this function checks expected versions, assigns positions, chains hashes, records
-- new data keys and the command's outcome, all in the caller's transaction.
--
-- The hash encoding must stay identical to eventstore/src/hash.rs, which computes the content
-- digests (tests verify appended events with the Rust implementation).

-- p_expected per stream: -1 any version, 0 no stream yet, n exactly n.
-- p_event_stream per event: 1-based index of its stream; p_contents per event: its content digest.
-- Keys: p_known_* are keys the payloads were sealed with that must still exist (a shredded one
-- must not come back); p_fresh_* are new keys to record, for subjects that must not have one
-- yet. Either failing raises CX002 naming the subject.
-- A stale expected version raises CX001 with DETAIL '<stream index>:<actual version>'.
-- p_prev_hashes per stream: the hash of the event at the expected version when the caller knows
-- it (events never change, so it is a fact, not a cache that can go stale); the head lookup is
-- then skipped, and the unique (stream, sequence) key still refuses a concurrent append. NULL:
-- look the head up and check the expected version.
CREATE FUNCTION ctxi_append(
    p_types text[], p_ids text[], p_expected bigint[], p_prev_hashes bytea[],
    p_event_stream int[], p_event_types text[], p_event_versions text[], p_payloads text[], p_contents bytea[],
    p_metadata text,
    p_known_subjects text[], p_known_ids uuid[],
    p_fresh_subjects text[], p_fresh_ids uuid[], p_fresh_wrapped bytea[],
    p_command_id uuid, p_fingerprint bytea, p_result json,
    OUT last_position bigint, OUT versions bigint[], OUT head_hashes bytea[])
LANGUAGE plpgsql AS $$
DECLARE
    v_xid bigint := pg_current_xact_id()::text::bigint;
    v_hashes bytea[] := '{}';
    v_seq bigint;
    v_hash bytea;
    v_bad text;
    s int;
    v_heads bigint[];
    prev_hashes bytea[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    IF cardinality(p_fresh_subjects) > 0 THEN
        WITH created AS (
            INSERT INTO subject_keys (subject, key_id, wrapped_key)
            SELECT * FROM unnest(p_fresh_subjects, p_fresh_ids, p_fresh_wrapped)
            ON CONFLICT (subject) DO NOTHING
            RETURNING subject)
        SELECT f.s INTO v_bad FROM unnest(p_fresh_subjects) AS f(s)
         WHERE f.s NOT IN (SELECT subject FROM created) LIMIT 1;
        IF v_bad IS NOT NULL THEN
            RAISE EXCEPTION 'the subject % already has a data key', v_bad USING ERRCODE = 'CX002', DETAIL = v_bad;
        END IF;
    END IF;
    IF cardinality(p_known_subjects) > 0 THEN
        SELECT k.s INTO v_bad FROM unnest(p_known_subjects, p_known_ids) AS k(s, id)
         WHERE NOT EXISTS (SELECT 1 FROM subject_keys sk WHERE sk.subject = k.s AND sk.key_id = k.id)
         LIMIT 1;
        IF v_bad IS NOT NULL THEN
            RAISE EXCEPTION 'the data key of % is gone or changed', v_bad USING ERRCODE = 'CX002', DETAIL = v_bad;
        END IF;
    END IF;

    versions := '{}';
    FOR i IN 1 .. cardinality(p_types) LOOP
        IF p_prev_hashes[i] IS NOT NULL AND p_expected[i] >= 0 THEN
            versions[i] := p_expected[i];
            v_hashes[i] := p_prev_hashes[i];
            CONTINUE;
        END IF;
        SELECT e.sequence, e.hash INTO v_seq, v_hash FROM events e
         WHERE e.aggregate_type = p_types[i] AND e.aggregate_id = p_ids[i]
         ORDER BY e.sequence DESC LIMIT 1;
        v_seq := coalesce(v_seq, 0);
        IF p_expected[i] >= 0 AND p_expected[i] <> v_seq THEN
            RAISE EXCEPTION 'concurrency conflict on %-%', p_types[i], p_ids[i]
                USING ERRCODE = 'CX001', DETAIL = i || ':' || v_seq;
        END IF;
        versions[i] := v_seq;
        v_hashes[i] := coalesce(v_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    END LOOP;

    -- Only the chain is sequential; positions and sequences are derived in the INSERT.
    v_heads := versions;
    FOR j IN 1 .. cardinality(p_payloads) LOOP
        s := p_event_stream[j];
        versions[s] := versions[s] + 1;
        prev_hashes[j] := v_hashes[s];
        v_hashes[s] := sha256('ctxi/event/v1'::bytea || v_hashes[s] || int8send((v_xid << 16) | (j - 1))
                              || int8send(versions[s]) || p_contents[j]);
        hashes[j] := v_hashes[s];
    END LOOP;

    INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, event_version,
                        payload, metadata, prev_hash, hash)
    SELECT (v_xid << 16) | (e.n - 1), p_types[e.s], p_ids[e.s],
           v_heads[e.s] + row_number() OVER (PARTITION BY e.s ORDER BY e.n),
           e.t, e.v, e.pl::json, p_metadata::json, e.ph, e.h
      FROM unnest(p_event_stream, p_event_types, p_event_versions, p_payloads, prev_hashes, hashes)
           WITH ORDINALITY AS e(s, t, v, pl, ph, h, n);

    last_position := (v_xid << 16) | (cardinality(p_payloads) - 1);
    head_hashes := v_hashes;
    IF p_command_id IS NOT NULL THEN
        INSERT INTO command_log (command_id, fingerprint, outcome)
        VALUES (p_command_id, p_fingerprint, json_build_object(
            'position', last_position,
            'versions', (SELECT json_agg(json_build_array(
                                json_build_object('aggregate_type', x.t, 'aggregate_id', x.i), x.v) ORDER BY x.n)
                           FROM unnest(p_types, p_ids, versions) WITH ORDINALITY AS x(t, i, v, n)),
            'result', p_result));
    END IF;
END
$$;

GRANT EXECUTE ON FUNCTION ctxi_append TO ctxi_app;
