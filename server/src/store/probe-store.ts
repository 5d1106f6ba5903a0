import { accessSync, constants, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import type { Config } from '../config/env.ts'
import { parsePostgresUrl } from './postgres/postgres-url.ts'
import { postgresMigrations } from './postgres/postgres-schema.ts'
import { sqliteMigrations } from './sqlite/sqlite-schema.ts'

/** What a look at the store found, without changing it. */
export interface StoreProbe {
  engine: 'sqlite' | 'postgres'
  /** Whether the database holds a Parley schema yet (a first start or `parley migrate` makes it). */
  exists: boolean
  /** Migrations applied; 0 before the first. */
  schemaVersion: number
  /** Migrations this code knows; `schemaVersion` above it means a newer Parley wrote the store. */
  latestVersion: number
  /**
   * For PostgreSQL: the server's version, its clock (ms) and this machine's clock at the same
   * moment (the middle of the round trip that read it).
   */
  server?: { version: string; now: number; localNow: number }
}

/**
 * Connects to the store `PARLEY_DATABASE_URL` names and reads its schema version, applying
 * nothing (the operator's `doctor`). Rejects when the store cannot be reached or read.
 */
export async function probeStore(
  config: Pick<Config, 'databaseUrl' | 'postgres'>,
): Promise<StoreProbe> {
  const url = config.databaseUrl
  if (url.startsWith('sqlite:'))
    return probeSqlite(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''))
  const { connection, schema } = parsePostgresUrl(url)
  const client = new pg.Client({
    connectionString: connection,
    connectionTimeoutMillis: config.postgres.connectTimeoutMs,
    statement_timeout: config.postgres.statementTimeoutMs,
    application_name: 'parley doctor',
  })
  client.on('error', () => undefined) // the failing query rejects
  await client.connect()
  try {
    const sent = Date.now()
    const server = await client.query<{ now: Date; version: string }>(
      'SELECT now() AS now, current_setting($1) AS version',
      ['server_version'],
    )
    const localNow = (sent + Date.now()) / 2
    const table = await client.query<{ found: string | null }>(
      'SELECT to_regclass($1)::text AS found',
      [`"${schema}".parley_schema_migrations`],
    )
    const exists = table.rows[0]?.found != null
    const version = exists
      ? await client.query<{ version: number }>(
          `SELECT COALESCE(MAX(version), 0)::int AS version FROM "${schema}".parley_schema_migrations`,
        )
      : undefined
    const row = server.rows[0]
    return {
      engine: 'postgres',
      exists,
      schemaVersion: version?.rows[0]?.version ?? 0,
      latestVersion: postgresMigrations.length,
      ...(row === undefined
        ? {}
        : { server: { version: row.version, now: row.now.getTime(), localNow } }),
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

function probeSqlite(file: string): StoreProbe {
  const latestVersion = sqliteMigrations.length
  if (!existsSync(file)) {
    // The container creates the file at first start; it needs a folder it may write in.
    accessSync(existsSync(dirname(file)) ? dirname(file) : '.', constants.W_OK)
    return { engine: 'sqlite', exists: false, schemaVersion: 0, latestVersion }
  }
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const schemaVersion = db.pragma('user_version', { simple: true }) as number
    return { engine: 'sqlite', exists: schemaVersion > 0, schemaVersion, latestVersion }
  } finally {
    db.close()
  }
}
