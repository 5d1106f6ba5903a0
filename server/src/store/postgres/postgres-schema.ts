import { postgresAuthoringMigration } from './postgres-authoring.ts'

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
]
