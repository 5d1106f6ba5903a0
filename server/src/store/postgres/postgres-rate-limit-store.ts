import type { RateLimitHit, RateLimitStore } from '../../http/rate-limit-store.ts'

/** The one method used from a `pg` Pool or Client, so this file needs no import of `pg`. */
export interface PgQueryable {
  query(
    query: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: unknown[]; rowCount: number | null }>
}

/**
 * Rate-limit counters in PostgreSQL, shared by every container instance on the same database, so
 * a limit holds for the cluster instead of per process. Each hit is one atomic upsert: the row
 * lock orders concurrent hits on a key, whichever instance they reach. The table,
 * `parley_rate_limits`, is made by the engine's migrations (`postgres-schema.ts`): run them on the
 * schema first (`openRateLimitStore` does).
 */
export class PostgresRateLimitStore implements RateLimitStore {
  readonly #db: PgQueryable

  constructor(db: PgQueryable) {
    this.#db = db
  }

  async hit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    // A named statement: each connection parses and plans it once, not on every hit.
    const { rows } = await this.#db.query({
      name: 'parley-rate-limit-hit',
      text: `INSERT INTO parley_rate_limits AS t (key, count, reset_at)
       VALUES ($1, 1, $2::bigint + $3::bigint)
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
    const result = await this.#db.query('DELETE FROM parley_rate_limits WHERE reset_at <= $1', [
      now,
    ])
    return result.rowCount ?? 0
  }
}
