import { sqliteAuthoringMigration } from './sqlite-authoring.ts'

/**
 * Schema migrations of the SQLite engine, applied in order at open; `PRAGMA user_version` records
 * how many ran. Append new steps; never edit one that has shipped.
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    user_id TEXT UNIQUE,
    account_id TEXT,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX profiles_account ON profiles (account_id) WHERE account_id IS NOT NULL;

  CREATE TABLE anonymous_ids (
    anonymous_id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL,
    linked_at INTEGER NOT NULL
  );
  CREATE INDEX anonymous_ids_profile ON anonymous_ids (profile_id);

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE account_keys (
    key TEXT PRIMARY KEY,
    account_id TEXT NOT NULL
  );
  CREATE INDEX account_keys_account ON account_keys (account_id);

  CREATE TABLE merge_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_profile_id TEXT,
    into_profile_id TEXT NOT NULL,
    anonymous_id TEXT,
    user_id TEXT,
    reason TEXT NOT NULL,
    message_id TEXT
  );
  CREATE INDEX merge_log_into ON merge_log (into_profile_id);
  CREATE INDEX merge_log_from ON merge_log (from_profile_id);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT,
    at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    properties TEXT NOT NULL
  );
  CREATE INDEX events_profile ON events (profile_id, at);

  CREATE TABLE messages (
    key TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX messages_received ON messages (received_at);
  `, // 2: experiment measurement. One impression per profile and experience, one conversion per
  // profile, experience and goal; merges move them (the receiving profile's rows win).
  `
  CREATE TABLE impressions (
    profile_id TEXT NOT NULL,
    experience_id TEXT NOT NULL,
    variation TEXT NOT NULL,
    control INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, experience_id)
  ) WITHOUT ROWID;
  CREATE INDEX impressions_experience ON impressions (experience_id, variation);

  CREATE TABLE conversions (
    profile_id TEXT NOT NULL,
    experience_id TEXT NOT NULL,
    goal TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, experience_id, goal)
  ) WITHOUT ROWID;
  `,
  // 3: privacy requests. Suppressed identifiers are stored as one-way hashes only.
  `
  CREATE TABLE suppressions (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX merge_log_user ON merge_log (user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX merge_log_anonymous ON merge_log (anonymous_id) WHERE anonymous_id IS NOT NULL;
  `,
  // 4: config versions, the audit log and console users (the console's authoring).
  sqliteAuthoringMigration,
]
