import pg from 'pg'
import { migrate } from '../store/postgres/postgres-migrate.ts'
import { parsePostgresUrl } from '../store/postgres/postgres-url.ts'
import { PostgresRateLimitStore } from '../store/postgres/postgres-rate-limit-store.ts'
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.ts'

/** Rate-limit counters and how to release what they hold. */
export interface OpenedRateLimits {
  store: RateLimitStore
  close: () => Promise<void>
}

/** How often ended windows are deleted from PostgreSQL. Default: every 5 minutes. */
export const pruneEveryMs = 5 * 60_000

/**
 * The rate-limit counters for a deployment: in PostgreSQL when that is the profile store, so a
 * limit holds across every instance behind the load balancer; in this process's memory on the
 * single-node SQLite set-up. On PostgreSQL, windows that ended are pruned every `pruneEveryMs`
 * (each distinct address and visitor leaves a row); `onPruneError` hears of a failed prune,
 * which the next one retries.
 */
export async function openRateLimitStore(
  databaseUrl: string,
  options: { pruneEveryMs?: number; onPruneError?: (error: unknown) => void } = {},
): Promise<OpenedRateLimits> {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return { store: new MemoryRateLimitStore(), close: async () => undefined }
  }
  const { connection, schema } = parsePostgresUrl(databaseUrl)
  // Two connections: each hit is one short upsert, and the profile store keeps its own pool.
  const pool = new pg.Pool({
    connectionString: connection,
    max: 2,
    options: `-c search_path=${schema}`,
  })
  // An idle connection that dies is replaced on the next hit, which reports its own error.
  pool.on('error', () => undefined)
  // The counter table comes with the engine's migrations, which take their advisory lock: safe
  // however many instances start at once, and a no-op when the profile store migrated first.
  try {
    const client = await pool.connect()
    try {
      await migrate(client, schema)
    } finally {
      client.release()
    }
  } catch (error) {
    await pool.end()
    throw error
  }
  const store = new PostgresRateLimitStore(pool)
  const pruner = setInterval(() => {
    store.prune(Date.now()).catch((error: unknown) => options.onPruneError?.(error))
  }, options.pruneEveryMs ?? pruneEveryMs)
  pruner.unref()
  return {
    store,
    close: async () => {
      clearInterval(pruner)
      await pool.end()
    },
  }
}
