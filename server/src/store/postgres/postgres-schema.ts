import { postgresAuthoringMigration } from './postgres-authoring.ts'
import { postgresWriteGroupMigration } from './postgres-write-batch.ts'

/**
 * Schema migrations of the PostgreSQL engine, applied in order at start inside one transaction
 * under an advisory lock (see `postgres-migrate.ts`); `parley_schema_migrations` records which
 * ran. Append new steps; never edit one that has shipped. Times are epoch milliseconds (bigint);
 * documents are JSON text, as in the SQLite engine, so both share their row mappers.
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE profiles (
    id text PRIMARY KEY,
    user_id text UNIQUE,
    account_id text,
    doc text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX profiles_account ON profiles (account_id) WHERE account_id IS NOT NULL;

  CREATE TABLE anonymous_ids (
    anonymous_id text PRIMARY KEY,
    profile_id text NOT NULL,
    linked_at bigint NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX anonymous_ids_profile ON anonymous_ids (profile_id, linked_at, seq);

  CREATE TABLE accounts (
    id text PRIMARY KEY,
    doc text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE account_keys (
    key text PRIMARY KEY,
    account_id text NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX account_keys_account ON account_keys (account_id, seq);

  CREATE TABLE merge_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    kind text NOT NULL,
    from_profile_id text,
    into_profile_id text NOT NULL,
    anonymous_id text,
    user_id text,
    reason text NOT NULL,
    message_id text
  );
  CREATE INDEX merge_log_into ON merge_log (into_profile_id);
  CREATE INDEX merge_log_from ON merge_log (from_profile_id);

  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id text NOT NULL,
    type text NOT NULL,
    name text,
    at bigint NOT NULL,
    received_at bigint NOT NULL,
    message_id text NOT NULL,
    properties text NOT NULL
  );
  CREATE INDEX events_profile ON events (profile_id, at, seq);

  CREATE TABLE messages (
    key text PRIMARY KEY,
    received_at bigint NOT NULL
  );
  CREATE INDEX messages_received ON messages (received_at);
  `,
  // 2: experiment measurement. One impression per profile and experience, one conversion per
  // profile, experience and goal; merges move them (the receiving profile's rows win).
  `
  CREATE TABLE impressions (
    profile_id text NOT NULL,
    experience_id text NOT NULL,
    variation text NOT NULL,
    control boolean NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (profile_id, experience_id)
  );
  CREATE INDEX impressions_experience ON impressions (experience_id, variation);

  CREATE TABLE conversions (
    profile_id text NOT NULL,
    experience_id text NOT NULL,
    goal text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (profile_id, experience_id, goal)
  );
  `,
  // 3: privacy requests. Suppressed identifiers are stored as one-way hashes only.
  `
  CREATE TABLE suppressions (
    key text PRIMARY KEY,
    kind text NOT NULL,
    reason text NOT NULL,
    at bigint NOT NULL
  );
  CREATE INDEX merge_log_user ON merge_log (user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX merge_log_anonymous ON merge_log (anonymous_id) WHERE anonymous_id IS NOT NULL;
  `,
  // 4: rate-limit counters shared by every instance (see postgres-rate-limit-store.ts). Created
  // here, under the migrations' lock: created apart, two instances starting together raced on
  // CREATE TABLE IF NOT EXISTS (SQLSTATE 42710 on the table's row type). UNLOGGED: counters need
  // not survive a database crash, and skipping the WAL keeps each hit cheap.
  `
  CREATE UNLOGGED TABLE parley_rate_limits (
    key text PRIMARY KEY,
    count integer NOT NULL,
    reset_at bigint NOT NULL
  );
  CREATE INDEX parley_rate_limits_reset_at ON parley_rate_limits (reset_at);
  `,
  // 5: config versions, the audit log and console users (the console's authoring).
  postgresAuthoringMigration,
  // 6: the two statements of a group of pipeline calls (postgres-call-groups.ts).
  //
  // parley_read_calls takes the group's advisory locks (sorted by the caller: one global order),
  // then, in a statement of its own (so it sees every commit made before the locks were
  // granted), reads the union of the calls' snapshots as one JSON object. Its plans are cached
  // per connection (generic) and built with sequential scans off and every lookup written as
  // `= ANY(array)`, so each is an index lookup by key whatever size the tables had when the plan
  // was made: a plan cached while a fresh schema's tables were small would otherwise keep
  // scanning them whole as they grow. See postgres-snapshot.ts for the statement's contract.
  //
  // parley_write_calls is the write half, in one statement; its statements are key lookups too.
  //
  // parley_profile_neighbourhood is a read session's first look at a profile, found by user id
  // or device (postgres-read-session.ts): the profile, its devices, its account and that
  // account's keys, its merge log, in one statement. Every lookup in it is by key; it goes
  // without the SET clauses (measured: about 60 us a call, which the admin lookup would pay
  // whole, where the group functions share it across a group).
  // `calls` is a JSON array with one array of writes per call, each write an array
  // `[kind, …values]` in the column order of store-rows.ts (see postgres-write-batch.ts), applied
  // in order. A message key another transaction claimed first raises a serialization failure
  // (40001): the calls after it were planned on its writes, so the engine retries the group call
  // by call, and that call, planned again, answers "duplicate". The answer names the devices each
  // merge relinked, for the change feed. Plain statements, no EXCEPTION block: each would be a
  // subtransaction.
  `
  CREATE FUNCTION parley_write_calls(calls jsonb) RETURNS jsonb LANGUAGE plpgsql
  SET enable_seqscan = off AS $fn$
  DECLARE
    call jsonb;
    op jsonb;
    changed integer;
    moved jsonb := '{}';
    devices jsonb;
  BEGIN
    FOR c IN 0 .. jsonb_array_length(calls) - 1 LOOP
      call := calls -> c;
      FOR w IN 0 .. jsonb_array_length(call) - 1 LOOP
        op := call -> w;
        CASE op ->> 0
        WHEN 'claim' THEN
          INSERT INTO messages (key, received_at) VALUES (op ->> 1, (op ->> 2)::bigint)
          ON CONFLICT (key) DO NOTHING;
          GET DIAGNOSTICS changed = ROW_COUNT;
          IF changed = 0 THEN
            RAISE EXCEPTION 'message % was claimed by another call', op ->> 1
              USING ERRCODE = 'serialization_failure';
          END IF;
        WHEN 'profile' THEN
          INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at)
          VALUES (op ->> 1, op ->> 2, op ->> 3, op ->> 4, (op ->> 5)::bigint, (op ->> 6)::bigint)
          ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
            account_id = excluded.account_id, doc = excluded.doc,
            created_at = excluded.created_at, updated_at = excluded.updated_at;
        WHEN 'delete' THEN
          DELETE FROM profiles WHERE id = op ->> 1;
          DELETE FROM impressions WHERE profile_id = op ->> 1;
          DELETE FROM conversions WHERE profile_id = op ->> 1;
        WHEN 'link' THEN
          INSERT INTO anonymous_ids (anonymous_id, profile_id, linked_at)
          VALUES (op ->> 1, op ->> 2, (op ->> 3)::bigint)
          ON CONFLICT (anonymous_id) DO UPDATE SET profile_id = excluded.profile_id,
            linked_at = excluded.linked_at;
        WHEN 'unlink' THEN
          DELETE FROM anonymous_ids WHERE anonymous_id = op ->> 1;
        WHEN 'move' THEN
          WITH relinked AS (
            UPDATE anonymous_ids SET profile_id = op ->> 2 WHERE profile_id = op ->> 1
            RETURNING anonymous_id
          )
          SELECT coalesce(jsonb_agg(anonymous_id), '[]') INTO devices FROM relinked;
          moved := moved || jsonb_build_object(op ->> 1, devices);
          UPDATE events SET profile_id = op ->> 2 WHERE profile_id = op ->> 1;
          -- Where both profiles hold a row of the same key, the receiving profile's row stands.
          UPDATE impressions f SET profile_id = op ->> 2 WHERE f.profile_id = op ->> 1
            AND NOT EXISTS (SELECT 1 FROM impressions t
              WHERE t.profile_id = op ->> 2 AND t.experience_id = f.experience_id);
          UPDATE conversions f SET profile_id = op ->> 2 WHERE f.profile_id = op ->> 1
            AND NOT EXISTS (SELECT 1 FROM conversions t WHERE t.profile_id = op ->> 2
              AND t.experience_id = f.experience_id AND t.goal = f.goal);
          DELETE FROM impressions WHERE profile_id = op ->> 1;
          DELETE FROM conversions WHERE profile_id = op ->> 1;
        WHEN 'account' THEN
          INSERT INTO accounts (id, doc, created_at, updated_at)
          VALUES (op ->> 1, op ->> 2, (op ->> 3)::bigint, (op ->> 4)::bigint)
          ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at;
        WHEN 'key' THEN
          INSERT INTO account_keys (key, account_id) VALUES (op ->> 1, op ->> 2)
          ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id;
        WHEN 'log' THEN
          INSERT INTO merge_log (at, kind, from_profile_id, into_profile_id, anonymous_id,
            user_id, reason, message_id)
          VALUES ((op ->> 1)::bigint, op ->> 2, op ->> 3, op ->> 4, op ->> 5, op ->> 6, op ->> 7,
            op ->> 8);
        WHEN 'event' THEN
          INSERT INTO events (profile_id, type, name, at, received_at, message_id, properties)
          VALUES (op ->> 1, op ->> 2, op ->> 3, (op ->> 4)::bigint, (op ->> 5)::bigint, op ->> 6,
            op ->> 7);
        WHEN 'conversion' THEN
          INSERT INTO conversions (profile_id, experience_id, goal, at)
          VALUES (op ->> 1, op ->> 2, op ->> 3, (op ->> 4)::bigint) ON CONFLICT DO NOTHING;
        END CASE;
      END LOOP;
    END LOOP;
    RETURN jsonb_build_object('moved', moved);
  END
  $fn$;

  CREATE FUNCTION parley_read_calls(_locks bigint[], _anonymous_ids text[], _user_ids text[],
    _account_keys text[], _message_keys text[], _suppression_keys text[],
    _with_impressions boolean) RETURNS json LANGUAGE plpgsql
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $fn$
  DECLARE
    snapshot json;
  BEGIN
    PERFORM pg_advisory_xact_lock(k) FROM unnest(_locks) AS k;
    WITH dev AS (
      SELECT anonymous_id, profile_id FROM anonymous_ids WHERE anonymous_id = ANY(_anonymous_ids)
    ), usr AS (
      SELECT user_id, id AS profile_id FROM profiles WHERE user_id = ANY(_user_ids)
    ), found AS (
      SELECT profile_id AS id FROM dev UNION SELECT profile_id FROM usr
    ), prof AS (
      SELECT *, ctid AS version FROM profiles WHERE id = ANY(ARRAY(SELECT id FROM found))
      ORDER BY id FOR UPDATE
    ), keyed AS (
      SELECT key, account_id FROM account_keys WHERE key = ANY(_account_keys)
    ), acc AS (
      SELECT *, ctid AS version FROM accounts WHERE id = ANY(ARRAY(SELECT account_id FROM keyed))
      ORDER BY id FOR UPDATE
    )
    SELECT json_build_object(
      'seen', (SELECT coalesce(json_agg(m.key), '[]') FROM messages m
        WHERE m.key = ANY(_message_keys)),
      'suppressed', (SELECT coalesce(json_agg(s.key), '[]') FROM suppressions s
        WHERE s.key = ANY(_suppression_keys)),
      'devices', (SELECT coalesce(json_agg(json_build_array(anonymous_id, profile_id)), '[]')
        FROM dev),
      'users', (SELECT coalesce(json_agg(json_build_array(user_id, profile_id)), '[]') FROM usr),
      'profiles', (SELECT coalesce(json_agg(json_build_array(id, user_id, account_id, doc,
        created_at, updated_at)), '[]') FROM prof),
      'account_keys', (SELECT coalesce(json_agg(json_build_array(key, account_id)), '[]')
        FROM keyed),
      'accounts', (SELECT coalesce(json_agg(json_build_array(acc.id, acc.doc, acc.created_at,
        acc.updated_at, (SELECT json_agg(k.key ORDER BY k.seq) FROM account_keys k
          WHERE k.account_id = acc.id))), '[]') FROM acc),
      'impressions', CASE WHEN _with_impressions THEN (SELECT coalesce(json_agg(row_to_json(i)
        ORDER BY i.at), '[]') FROM impressions i
        WHERE i.profile_id = ANY(ARRAY(SELECT id FROM prof))) ELSE '[]' END,
      -- A locked row that is not the version this statement's snapshot saw: see
      -- postgres-snapshot.ts.
      'raced', EXISTS (SELECT 1 FROM profiles seen WHERE seen.id = ANY(ARRAY(SELECT id FROM found))
          AND NOT EXISTS (SELECT 1 FROM prof WHERE prof.id = seen.id
            AND prof.version = seen.ctid))
        OR EXISTS (SELECT 1 FROM accounts seen
          WHERE seen.id = ANY(ARRAY(SELECT account_id FROM keyed))
          AND NOT EXISTS (SELECT 1 FROM acc WHERE acc.id = seen.id AND acc.version = seen.ctid))
    ) INTO snapshot;
    RETURN snapshot;
  END
  $fn$;

  CREATE FUNCTION parley_profile_neighbourhood(_user_id text, _anonymous_id text) RETURNS json
  LANGUAGE plpgsql STABLE AS $fn$
  DECLARE
    found_id text;
    neighbourhood json;
  BEGIN
    SELECT coalesce(
      (SELECT id FROM profiles WHERE user_id = _user_id),
      (SELECT profile_id FROM anonymous_ids WHERE anonymous_id = _anonymous_id)
    ) INTO found_id;
    IF found_id IS NULL THEN
      RETURN NULL;
    END IF;
    WITH p AS (SELECT * FROM profiles WHERE id = found_id)
    SELECT json_build_object(
      'id', found_id,
      'profile', (SELECT row_to_json(p) FROM p),
      'devices', (SELECT coalesce(json_agg(d.anonymous_id ORDER BY d.linked_at, d.seq), '[]')
        FROM anonymous_ids d WHERE d.profile_id = found_id),
      'account', (SELECT row_to_json(a) FROM accounts a WHERE a.id = (SELECT account_id FROM p)),
      'account_keys', (SELECT coalesce(json_agg(k.key ORDER BY k.seq), '[]') FROM account_keys k
        WHERE k.account_id = (SELECT account_id FROM p)),
      'merge_log', (SELECT coalesce(json_agg(row_to_json(m) ORDER BY m.seq), '[]')
        FROM merge_log m WHERE m.into_profile_id = found_id OR m.from_profile_id = found_id)
    ) INTO neighbourhood;
    RETURN neighbourhood;
  END
  $fn$;
  `,
  // 7: the write half of a group, one statement a table instead of one a write (the steps of
  // postgres-write-batch.ts). It hands merges, deletes and unlinks to migration 6's function.
  postgresWriteGroupMigration,
  // 8: the group read's lookups by index scan, not bitmap scan. Its keys are a handful, and a
  // bitmap heap scan asks the file system for the table's size at every scan and rescan (an
  // lseek: about 40 a group, 5 once off, counted with strace under bench/postgres-calls.ts).
  // CREATE OR REPLACE replaces a function's whole SET list: a later migration that redefines
  // parley_read_calls must set this again (test/store/postgres-write-group.test.ts pins it).
  `
  ALTER FUNCTION parley_read_calls(bigint[], text[], text[], text[], text[], text[], boolean)
    SET enable_bitmapscan = off;
  `,
]
