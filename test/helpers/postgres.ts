import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * The PostgreSQL server the tests use: `PARLEY_TEST_POSTGRES_URL`, by default the local one
 * `.ci/run` starts (user postgres, trust auth, database `test`).
 */
export const postgresTestUrl =
  process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: postgresTestUrl,
    connectionTimeoutMillis: 3_000,
  })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const unreachable = await probe()

/**
 * Whether the PostgreSQL tests can run. Unreachable under `CI=true` is a failure (the test file
 * throws); elsewhere the tests are skipped, and this says so loudly on stderr.
 */
export function postgresAvailable(suite: string): boolean {
  if (unreachable === undefined) return true
  const message = `PostgreSQL at ${postgresTestUrl} is unreachable (${unreachable})`
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs it for ${suite}`)
  process.stderr.write(
    `\n*** SKIPPED ${suite}: ${message}. Start PostgreSQL or set PARLEY_TEST_POSTGRES_URL. ***\n\n`,
  )
  return false
}

/** A fresh, empty schema on the test database, so parallel test files never share tables. */
export interface TestSchema {
  name: string
  /** `PARLEY_DATABASE_URL` for a store or container on this schema. */
  url: string
  /** Runs SQL on the schema (for assertions that look under the store). */
  query: <R extends pg.QueryResultRow>(text: string, params?: unknown[]) => Promise<R[]>
  drop: () => Promise<void>
}

/** Makes a uniquely named schema; `drop()` removes it with everything in it. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `parley_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({
    connectionString: postgresTestUrl,
    max: 2,
    options: `-c search_path=${name}`,
  })
  await pool.query(`CREATE SCHEMA ${name}`)
  const url = new URL(postgresTestUrl)
  url.searchParams.set('schema', name)
  return {
    name,
    url: url.toString(),
    query: async <R extends pg.QueryResultRow>(text: string, params?: unknown[]) =>
      (await pool.query<R>(text, params)).rows,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)
      await pool.end()
    },
  }
}

/**
 * Records the text of every statement this process's `pg` clients send, until `stop()`. The
 * change feed's NOTIFYs are left out: they go out on their own time.
 */
export function recordStatements(): { statements: string[]; stop: () => void } {
  const statements: string[] = []
  const query = Reflect.get(pg.Client.prototype, 'query') as (...args: unknown[]) => unknown
  Reflect.set(pg.Client.prototype, 'query', function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string }
    const text = typeof first === 'string' ? first : (first.text ?? '')
    if (!text.startsWith('SELECT pg_notify')) statements.push(text)
    return query.apply(this, args)
  })
  return { statements, stop: () => Reflect.set(pg.Client.prototype, 'query', query) }
}

/**
 * Every row the pipeline writes, table by table, in a stable order and with the identity `seq`
 * columns: two schemas that ran the same writes must answer each of these alike.
 */
export const pipelineTableDumps = {
  profiles: 'SELECT id, user_id, account_id, doc, created_at, updated_at FROM profiles ORDER BY id',
  anonymous_ids:
    'SELECT anonymous_id, profile_id, linked_at, seq FROM anonymous_ids ORDER BY anonymous_id',
  accounts: 'SELECT id, doc, created_at, updated_at FROM accounts ORDER BY id',
  account_keys: 'SELECT key, account_id, seq FROM account_keys ORDER BY key',
  merge_log: 'SELECT * FROM merge_log ORDER BY seq',
  events: 'SELECT * FROM events ORDER BY seq',
  messages: 'SELECT key, received_at FROM messages ORDER BY key',
  impressions: 'SELECT * FROM impressions ORDER BY profile_id, experience_id',
  conversions: 'SELECT * FROM conversions ORDER BY profile_id, experience_id, goal',
} as const
