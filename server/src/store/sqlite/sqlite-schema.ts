import { sqliteAuthoringMigration } from './sqlite-authoring.ts'

/** The columns that may hold a UUID a statement looks up or orders by (migration 4). */
const idColumns: readonly [string, string][] = [
  ['profiles', 'id'],
  ['profiles', 'user_id'],
  ['profiles', 'account_id'],
  ['anonymous_ids', 'anonymous_id'],
  ['anonymous_ids', 'profile_id'],
  ['accounts', 'id'],
  ['account_keys', 'account_id'],
  ['merge_log', 'from_profile_id'],
  ['merge_log', 'into_profile_id'],
  ['merge_log', 'anonymous_id'],
  ['merge_log', 'user_id'],
  ['merge_log', 'message_id'],
  ['events', 'profile_id'],
  ['events', 'message_id'],
  ['impressions', 'profile_id'],
  ['impressions', 'experience_id'],
  ['impressions', 'variation'],
  ['conversions', 'profile_id'],
  ['conversions', 'experience_id'],
  ['conversions', 'goal'],
]

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
  // 4: compact values (see sqlite-values.ts). UUIDs become their 16 bytes wherever a column may
  // hold one, message keys the 16-byte digest the engine now looks them up by, and the index of
  // merge sources leaves out the entries that have none (most of them).
  `
  ${idColumns
    .map(
      ([table, column]) =>
        `UPDATE ${table} SET ${column} = parley_id(${column}) WHERE length(${column}) = 36;`,
    )
    .join('\n  ')}
  CREATE TABLE message_digests (key BLOB PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID;
  INSERT OR IGNORE INTO message_digests SELECT parley_message_key(key), received_at FROM messages;
  DROP TABLE messages;
  ALTER TABLE message_digests RENAME TO messages;
  CREATE INDEX messages_received ON messages (received_at);
  DROP INDEX merge_log_from;
  CREATE INDEX merge_log_from ON merge_log (from_profile_id) WHERE from_profile_id IS NOT NULL;
  `,
  // 5: config versions, the audit log and console users (the console's authoring).
  sqliteAuthoringMigration,
]
