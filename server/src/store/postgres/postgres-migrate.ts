import type { ClientBase } from 'pg'
import { advisoryKey } from './postgres-lock-keys.ts'
import { postgresMigrations } from './postgres-schema.ts'

/**
 * Brings the schema up to date. Everything runs in one transaction that first takes an advisory
 * lock, so when several instances start at once one migrates and the others wait, then find
 * nothing left to do. PostgreSQL DDL is transactional: a failed step leaves no half schema.
 * Returns the versions it applied.
 */
export async function migrate(
  client: ClientBase,
  schema: string,
  migrations: readonly string[] = postgresMigrations,
): Promise<number[]> {
  const applied: number[] = []
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryKey(`migrate:${schema}`)])
    // CREATE SCHEMA checks the CREATE privilege on the database even when the schema exists;
    // ask first, so a role that may only use an existing schema can still start.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS parley_schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
    const result = await client.query<{ version: number }>(
      'SELECT COALESCE(MAX(version), 0) AS version FROM parley_schema_migrations',
    )
    const current = result.rows[0]?.version ?? 0
    for (let version = current + 1; version <= migrations.length; version += 1) {
      await client.query(migrations[version - 1] ?? '')
      await client.query('INSERT INTO parley_schema_migrations (version) VALUES ($1)', [version])
      applied.push(version)
    }
    await client.query('COMMIT')
    return applied
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/** Quotes an SQL identifier (a schema name) for text that cannot take a parameter. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
