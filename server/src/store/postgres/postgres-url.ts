import { ConfigError } from '../../config/env.ts'

/** A PostgreSQL URL split into what the driver reads and the schema the store lives in. */
export interface PostgresUrl {
  /** The URL without `schema`, as node-postgres reads it (it understands `sslmode` etc.). */
  connection: string
  /** The schema of the store's tables; created by the first migration. Default: `public`. */
  schema: string
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,39}$/

/**
 * Reads `postgres://user:password@host:port/database?schema=name`. The schema name is checked
 * here because it ends up in `search_path` and a LISTEN channel, where it cannot be a parameter.
 */
export function parsePostgresUrl(url: string): PostgresUrl {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError('PARLEY_DATABASE_URL: not a valid postgres:// URL')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('PARLEY_DATABASE_URL: expected postgres://…')
  }
  const schema = parsed.searchParams.get('schema') ?? 'public'
  if (!schemaPattern.test(schema)) {
    throw new ConfigError(
      'PARLEY_DATABASE_URL: schema must be lower-case letters, digits and _ (at most 40), starting with a letter or _',
    )
  }
  parsed.searchParams.delete('schema')
  return { connection: parsed.toString(), schema }
}
