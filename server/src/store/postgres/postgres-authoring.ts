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
import type { Sql } from './postgres-queries.ts'

/**
 * Migration 5 of the PostgreSQL engine: config versions, the audit log and console users (see
 * `authoring-store.ts`). Listed in `postgres-schema.ts`.
 */
export const postgresAuthoringMigration = `
  CREATE TABLE config_versions (
    number integer PRIMARY KEY,
    kind text NOT NULL,
    author text NOT NULL,
    at bigint NOT NULL,
    note text NOT NULL,
    base_version integer,
    restored_from integer,
    doc text NOT NULL
  );
  CREATE TABLE audit_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    from_version integer,
    to_version integer,
    subject text,
    summary text NOT NULL
  );
  CREATE TABLE console_users (
    name text PRIMARY KEY,
    role text NOT NULL,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
`

/** No bound: `before` null reads from the newest. */
const newest = Number.MAX_SAFE_INTEGER

export function postgresAuthoringReads(sql: Sql): AuthoringReads {
  const first = async (text: string, params: unknown[] = []) => (await sql.rows(text, params))[0]
  return {
    latestConfigVersion: async () => {
      const row = await first('SELECT * FROM config_versions ORDER BY number DESC LIMIT 1')
      return row === undefined ? undefined : toConfigVersion(row)
    },
    latestConfigVersionNumber: async () => {
      const row = await first('SELECT MAX(number) AS n FROM config_versions')
      return row?.n === null || row?.n === undefined ? null : Number(row.n)
    },
    configVersion: async (number) => {
      const row = await first('SELECT * FROM config_versions WHERE number = $1', [number])
      return row === undefined ? undefined : toConfigVersion(row)
    },
    configVersions: async (before, limit) =>
      (
        await sql.rows(
          'SELECT * FROM config_versions WHERE number < $1 ORDER BY number DESC LIMIT $2',
          [Math.min(before ?? newest, 2 ** 31 - 1), limit],
        )
      ).map(toConfigVersion),
    auditLog: async (before, limit) =>
      (
        await sql.rows('SELECT * FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2', [
          before ?? newest,
          limit,
        ])
      ).map(toAuditEntry),
    consoleUser: async (name) => {
      const row = await first('SELECT * FROM console_users WHERE name = $1', [name])
      return row === undefined ? undefined : toConsoleUser(row)
    },
    consoleUsers: async () =>
      (await sql.rows('SELECT * FROM console_users ORDER BY name COLLATE "C"')).map(toConsoleUser),
  }
}

export function postgresAuthoringWrites(sql: Sql): AuthoringWrites {
  return guardAuthoringWrites({
    appendConfigVersion: async (version) => {
      await sql.count(
        `INSERT INTO config_versions (number, kind, author, at, note, base_version, restored_from, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        configVersionParams(version),
      )
    },
    appendAuditEntry: async (entry) => {
      await sql.count(
        `INSERT INTO audit_log (at, actor, action, from_version, to_version, subject, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        auditParams(entry),
      )
    },
    putConsoleUser: async (user) => {
      await sql.count(
        `INSERT INTO console_users (name, role, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role,
           password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
        consoleUserParams(user),
      )
    },
    deleteConsoleUser: async (name) =>
      (await sql.count('DELETE FROM console_users WHERE name = $1', [name])) === 1,
  })
}
