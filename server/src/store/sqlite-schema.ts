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
  `,
]
