import {
  guardAuthoringWrites,
  type AuthoringReads,
  type AuthoringWrites,
} from '../authoring-store.ts'
import {
  auditParams,
  configVersionParams,
  consoleUserParams,
  toAuditEntry,
  toConfigVersion,
  toConsoleUser,
} from '../authoring-rows.ts'
import type { Row } from '../store-rows.ts'

/**
 * Migration 5 of the SQLite engine: config versions, the audit log and console users (see
 * `authoring-store.ts`). Listed in `sqlite-schema.ts`.
 */
export const sqliteAuthoringMigration = `
  CREATE TABLE config_versions (
    number INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT NOT NULL,
    base_version INTEGER,
    restored_from INTEGER,
    doc TEXT NOT NULL
  );
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_version INTEGER,
    to_version INTEGER,
    subject TEXT,
    summary TEXT NOT NULL
  );
  CREATE TABLE console_users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
`

/** The statements of the engine's connection, as the engine runs them (prepared and guarded). */
export interface SqliteStatements {
  get(sql: string, ...params: unknown[]): Row | undefined
  all(sql: string, ...params: unknown[]): Row[]
  run(sql: string, ...params: unknown[]): { changes: number }
}

/** No bound: `before` null reads from the newest. */
const newest = Number.MAX_SAFE_INTEGER

export function sqliteAuthoringReads(db: SqliteStatements): AuthoringReads {
  return {
    latestConfigVersion: async () => {
      const row = db.get('SELECT * FROM config_versions ORDER BY number DESC LIMIT 1')
      return row === undefined ? undefined : toConfigVersion(row)
    },
    latestConfigVersionNumber: async () =>
      (db.get('SELECT MAX(number) AS n FROM config_versions')?.n as number | null) ?? null,
    configVersion: async (number) => {
      const row = db.get('SELECT * FROM config_versions WHERE number = ?', number)
      return row === undefined ? undefined : toConfigVersion(row)
    },
    configVersions: async (before, limit) =>
      db
        .all(
          'SELECT * FROM config_versions WHERE number < ? ORDER BY number DESC LIMIT ?',
          before ?? newest,
          limit,
        )
        .map(toConfigVersion),
    auditLog: async (before, limit) =>
      db
        .all(
          'SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?',
          before ?? newest,
          limit,
        )
        .map(toAuditEntry),
    consoleUser: async (name) => {
      const row = db.get('SELECT * FROM console_users WHERE name = ?', name)
      return row === undefined ? undefined : toConsoleUser(row)
    },
    consoleUsers: async () =>
      db.all('SELECT * FROM console_users ORDER BY name').map(toConsoleUser),
  }
}

export function sqliteAuthoringWrites(db: SqliteStatements): AuthoringWrites {
  return guardAuthoringWrites({
    appendConfigVersion: async (version) => {
      db.run(
        `INSERT INTO config_versions (number, kind, author, at, note, base_version, restored_from, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ...configVersionParams(version),
      )
    },
    appendAuditEntry: async (entry) => {
      db.run(
        `INSERT INTO audit_log (at, actor, action, from_version, to_version, subject, summary)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ...auditParams(entry),
      )
    },
    putConsoleUser: async (user) => {
      db.run(
        `INSERT INTO console_users (name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role,
           password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
        ...consoleUserParams(user),
      )
    },
    deleteConsoleUser: async (name) =>
      db.run('DELETE FROM console_users WHERE name = ?', name).changes === 1,
  })
}
