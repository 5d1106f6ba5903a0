import type { RateLimitHit, RateLimitStore } from './rate-limit-store.ts'

/** The one method used from a `pg` Pool or Client, so this file needs no import of `pg`. */
export interface PgQueryable {
  query(
    query: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: unknown[]; rowCount: number | null }>
}

const tableName = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Rate-limit counters in PostgreSQL, shared by every container instance on the same database, so
 * a limit holds for the cluster instead of per process. Each hit is one atomic upsert: the row
 * lock orders concurrent hits on a key, whichever instance they reach. The table is UNLOGGED
 * (counters need not survive a database crash, and skipping the WAL keeps hits cheap).
 */
export class PostgresRateLimitStore implements RateLimitStore {
  readonly #db: PgQueryable
  readonly #table: string

  /** Use `PostgresRateLimitStore.open`, which also creates the table. */
  private constructor(db: PgQueryable, table: string) {
    this.#db = db
    this.#table = table
  }

  /** Creates the counter table if needed. `table` defaults to `parley_rate_limits`. */
  static async open(
    db: PgQueryable,
    options: { table?: string } = {},
  ): Promise<PostgresRateLimitStore> {
    const table = options.table ?? 'parley_rate_limits'
    if (!tableName.test(table)) throw new TypeError(`table must match ${tableName.source}`)
    // Instances starting together race on IF NOT EXISTS (the catalog insert collides); the loser
    // finds the table on its next try.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await db.query(
          `CREATE UNLOGGED TABLE IF NOT EXISTS ${table} (
             key TEXT PRIMARY KEY,
             count INTEGER NOT NULL,
             reset_at BIGINT NOT NULL
           )`,
        )
        await db.query(`CREATE INDEX IF NOT EXISTS ${table}_reset_at ON ${table} (reset_at)`)
        break
      } catch (error) {
        const code = (error as { code?: unknown }).code
        if (attempt >= 3 || (code !== '23505' && code !== '42P07')) throw error
      }
    }
    return new PostgresRateLimitStore(db, table)
  }

  async hit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    // A named statement: each connection parses and plans it once, not on every hit.
    const { rows } = await this.#db.query({
      name: `parley-rate-limit-hit-${this.#table}`,
      text: `INSERT INTO ${this.#table} AS t (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN t.reset_at <= $2::bigint THEN 1 ELSE t.count + 1 END,
         reset_at = CASE WHEN t.reset_at <= $2::bigint THEN $2::bigint + $3::bigint ELSE t.reset_at END
       RETURNING count, reset_at`,
      values: [key, now, windowMs],
    })
    const row = rows[0] as { count: number; reset_at: string }
    return { count: row.count, resetAt: Number(row.reset_at) }
  }

  /** Deletes windows that ended before `now`; run it now and then. Returns how many. */
  async prune(now: number): Promise<number> {
    const result = await this.#db.query(`DELETE FROM ${this.#table} WHERE reset_at <= $1`, [now])
    return result.rowCount ?? 0
  }
}
