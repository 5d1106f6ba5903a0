import type { VariationCount } from '../../measurement/exposure.ts'
import type { ConsoleReads, StoreReader, StoreWriter } from '../store.ts'
import { sortedAdvisoryKeys } from './postgres-lock-keys.ts'
import * as rows from '../store-rows.ts'
import { attachAccountKeys, nextCursor, pageQuery, recordTable } from '../record-tables.ts'
import { writeRecords } from '../store-records.ts'
import { postgresAuthoringReads, postgresAuthoringWrites } from './postgres-authoring.ts'

/**
 * The rows `experienceCounts` and `experienceDailyCounts` group: each impression of the
 * experience, with the profile's conversion of the goal inside the window after it (if any),
 * neither after `until`. Parameters: goal, window (ms), experience id, until.
 */
const armCountsFrom = `FROM impressions i
  LEFT JOIN conversions c ON c.profile_id = i.profile_id
    AND c.experience_id = i.experience_id AND c.goal = $1
    AND c.at >= i.at AND c.at <= i.at + $2 AND c.at <= $4
  WHERE i.experience_id = $3 AND i.at <= $4`

/** `until` of the arm counts: no bound by default. */
const always = Number.MAX_SAFE_INTEGER

/**
 * Runs one statement on the connection of the current transaction. Statements not awaited before
 * the next is sent go out together (the pool's connections are in pipeline mode): one round trip
 * for several statements.
 *
 * A statement is planned on every run, with the tables' current sizes, unless `plan` is
 * `'cached'`: then it is a named prepared statement, parsed and planned once per connection.
 * Only for statements whose plan cannot go stale: a call of one of the engine's functions (their
 * own plans are index lookups by construction, see postgres-schema.ts) or BEGIN/COMMIT. A plan
 * cached while a table was small scans it whole once it has grown, until PostgreSQL analyses it
 * again.
 */
export interface Sql {
  rows(text: string, params?: unknown[], plan?: 'cached'): Promise<rows.Row[]>
  /** The number of rows the statement inserted, updated or deleted. */
  count(text: string, params?: unknown[], plan?: 'cached'): Promise<number>
  /**
   * COMMIT; false when PostgreSQL answered ROLLBACK (an earlier statement of the transaction
   * failed), which must never be reported as durable.
   */
  commit(): Promise<boolean>
}

/*
 * The PostgreSQL engine's queries: one small method per store method, all through `Sql`, with the
 * row mappers shared with SQLite. To add a store method: add its SQL here (reader or writer),
 * and, if it writes profiles or accounts, a line in `trackChanges` (change-feed.ts).
 */

/**
 * Reads. In a write transaction (`lockRows`) profile and account rows are read `FOR UPDATE`, so
 * two transactions that read-modify-write the same row queue on it even when no `lock()` key
 * covers it; the second one then reads the first one's committed row.
 */
export function postgresReader(sql: Sql, options: { lockRows: boolean }): StoreReader {
  const forUpdate = options.lockRows ? ' FOR UPDATE' : ''
  const first = async (text: string, params: unknown[]) => (await sql.rows(text, params))[0]
  return {
    profile: async (id) => {
      const row = await first(`SELECT * FROM profiles WHERE id = $1${forUpdate}`, [id])
      return row === undefined ? undefined : rows.toProfile(row)
    },
    profileIdByAnonymousId: async (anonymousId) =>
      (await first('SELECT profile_id FROM anonymous_ids WHERE anonymous_id = $1', [anonymousId]))
        ?.profile_id as string | undefined,
    profileIdByUserId: async (userId) =>
      (await first('SELECT id FROM profiles WHERE user_id = $1', [userId]))?.id as
        string | undefined,
    anonymousIds: async (profileId) =>
      (
        await sql.rows(
          'SELECT anonymous_id FROM anonymous_ids WHERE profile_id = $1 ORDER BY linked_at, seq',
          [profileId],
        )
      ).map((row) => row.anonymous_id as string),
    account: async (id) => {
      const row = await first(`SELECT * FROM accounts WHERE id = $1${forUpdate}`, [id])
      return row === undefined ? undefined : rows.toAccount(row)
    },
    accountIdByKey: async (key) =>
      (await first('SELECT account_id FROM account_keys WHERE key = $1', [key]))?.account_id as
        string | undefined,
    accountKeys: async (accountId) =>
      (
        await sql.rows('SELECT key FROM account_keys WHERE account_id = $1 ORDER BY seq', [
          accountId,
        ])
      ).map((row) => row.key as string),
    mergeLog: async (profileId) =>
      (
        await sql.rows(
          'SELECT * FROM merge_log WHERE into_profile_id = $1 OR from_profile_id = $1 ORDER BY seq',
          [profileId],
        )
      ).map(rows.toMergeLogEntry),
    events: async (profileId, limit) =>
      (
        await sql.rows('SELECT * FROM events WHERE profile_id = $1 ORDER BY at, seq LIMIT $2', [
          profileId,
          limit,
        ])
      ).map(rows.toEvent),
    messageSeen: async (key) =>
      (await first('SELECT 1 AS seen FROM messages WHERE key = $1', [key])) !== undefined,
    suppressedKeys: async (keys) =>
      (await sql.rows('SELECT key FROM suppressions WHERE key = ANY($1::text[])', [keys])).map(
        (row) => row.key as string,
      ),
    impressions: async (profileId) =>
      (
        await sql.rows('SELECT * FROM impressions WHERE profile_id = $1 ORDER BY at', [profileId])
      ).map(rows.toImpression),
    experienceCounts: async (experienceId, goal, windowMs, until = always) =>
      (
        await sql.rows(
          // COLLATE "C": variations in byte order, as SQLite sorts them.
          `SELECT i.variation, i.control, count(*)::int AS visitors,
             count(c.profile_id)::int AS conversions
           ${armCountsFrom}
           GROUP BY i.variation, i.control
           ORDER BY i.control DESC, i.variation COLLATE "C"`,
          [goal, windowMs, experienceId, until],
        )
      ).map(toCount),
    ...postgresConsoleReads(sql),
    ...postgresAuthoringReads(sql),
    exportPage: (kind, after, limit) => postgresExportPage(sql, kind, after, limit),
  }
}

/** One page of an export (see `StoreReader.exportPage`), accounts with their keys. */
async function postgresExportPage(
  sql: Sql,
  kind: Parameters<StoreReader['exportPage']>[0],
  after: Parameters<StoreReader['exportPage']>[1],
  limit: number,
): ReturnType<StoreReader['exportPage']> {
  const spec = recordTable(kind, 'seq')
  const page = await sql.rows(
    pageQuery(spec, after, (n) => `$${n}`),
    [...(after ?? []), limit],
  )
  const records = page.map(spec.toRecord)
  if (kind === 'account' && records.length > 0) {
    const keys = await sql.rows(
      'SELECT key, account_id FROM account_keys WHERE account_id = ANY($1) ORDER BY seq',
      [page.map((row) => row.id)],
    )
    attachAccountKeys(records, keys)
  }
  return { records, next: nextCursor(spec, page, limit) }
}

/** One arm's count row of `experienceCounts` / `experienceDailyCounts`. */
function toCount(row: rows.Row): VariationCount {
  return {
    variation: row.variation as string,
    control: row.control === true,
    visitors: row.visitors as number,
    conversions: row.conversions as number,
  }
}

/** The console's reads (see `ConsoleReads`). */
function postgresConsoleReads(sql: Sql): ConsoleReads {
  return {
    experienceDailyCounts: async (experienceId, goal, windowMs, until = always) =>
      (
        await sql.rows(
          `SELECT to_char(to_timestamp(i.at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
             i.variation, i.control, count(*)::int AS visitors,
             count(c.profile_id)::int AS conversions
           ${armCountsFrom}
           GROUP BY day, i.variation, i.control
           ORDER BY day, i.control DESC, i.variation COLLATE "C"`,
          [goal, windowMs, experienceId, until],
        )
      ).map((row) => ({ day: row.day as string, ...toCount(row) })),
    profileIdsByAccount: async (accountId, limit) =>
      (
        await sql.rows(
          'SELECT id FROM profiles WHERE account_id = $1 ORDER BY id COLLATE "C" LIMIT $2',
          [accountId, limit],
        )
      ).map((row) => row.id as string),
    profilesMentioning: async (text, limit) =>
      (
        await sql.rows(`SELECT * FROM profiles WHERE doc ILIKE $1 ESCAPE '\\' LIMIT $2`, [
          `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
          limit,
        ])
      ).map(rows.toProfile),
    profileSample: async (limit) => {
      const [count] = await sql.rows('SELECT count(*)::int AS n FROM profiles')
      const sample = await sql.rows('SELECT * FROM profiles ORDER BY id COLLATE "C" LIMIT $1', [
        limit,
      ])
      return { total: (count?.n as number | undefined) ?? 0, profiles: sample.map(rows.toProfile) }
    },
  }
}

/**
 * Reads and writes of one transaction. `lockNamespace` keeps the advisory locks of stores on
 * different schemas of one database apart.
 */
export function postgresWriter(sql: Sql, lockNamespace: string): StoreWriter {
  return {
    ...postgresReader(sql, { lockRows: true }),
    ...postgresAuthoringWrites(sql),
    claimMessage: async (key, receivedAt) =>
      // A concurrent insert of the same key waits for the other transaction, then does nothing
      // if it committed: exactly one of two instances claims a message.
      (await sql.count(
        'INSERT INTO messages (key, received_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
        [key, receivedAt],
      )) === 1,
    lock: async (names) => {
      const keys = sortedAdvisoryKeys(lockNamespace, names)
      if (keys.length === 0) return
      // unnest keeps the array's order, so the locks are taken one by one in ascending order.
      await sql.rows('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k', [keys])
    },
    putProfile: async (profile) => {
      await sql.count(
        `INSERT INTO profiles (id, user_id, account_id, doc, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
           account_id = excluded.account_id, doc = excluded.doc,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
        rows.profileParams(profile),
      )
    },
    deleteProfile: async (id) => {
      await sql.count('DELETE FROM profiles WHERE id = $1', [id])
      await sql.count('DELETE FROM impressions WHERE profile_id = $1', [id])
      await sql.count('DELETE FROM conversions WHERE profile_id = $1', [id])
    },
    linkAnonymousId: async (anonymousId, profileId, at) => {
      await sql.count(
        `INSERT INTO anonymous_ids (anonymous_id, profile_id, linked_at) VALUES ($1, $2, $3)
         ON CONFLICT (anonymous_id) DO UPDATE SET profile_id = excluded.profile_id,
           linked_at = excluded.linked_at`,
        [anonymousId, profileId, at],
      )
    },
    unlinkAnonymousId: async (anonymousId) => {
      await sql.count('DELETE FROM anonymous_ids WHERE anonymous_id = $1', [anonymousId])
    },
    moveProfileData: async (fromProfileId, toProfileId) => {
      const params = [toProfileId, fromProfileId]
      await sql.count('UPDATE anonymous_ids SET profile_id = $1 WHERE profile_id = $2', params)
      await sql.count('UPDATE events SET profile_id = $1 WHERE profile_id = $2', params)
      // Where both profiles hold a row of the same key, the receiving profile's row stands.
      await sql.count(
        `UPDATE impressions f SET profile_id = $1 WHERE f.profile_id = $2 AND NOT EXISTS (
           SELECT 1 FROM impressions t WHERE t.profile_id = $1 AND t.experience_id = f.experience_id)`,
        params,
      )
      await sql.count(
        `UPDATE conversions f SET profile_id = $1 WHERE f.profile_id = $2 AND NOT EXISTS (
           SELECT 1 FROM conversions t WHERE t.profile_id = $1
             AND t.experience_id = f.experience_id AND t.goal = f.goal)`,
        params,
      )
      await sql.count('DELETE FROM impressions WHERE profile_id = $1', [fromProfileId])
      await sql.count('DELETE FROM conversions WHERE profile_id = $1', [fromProfileId])
    },
    putAccount: async (account) => {
      await sql.count(
        `INSERT INTO accounts (id, doc, created_at, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
        rows.accountParams(account),
      )
    },
    linkAccountKey: async (key, accountId) => {
      await sql.count(
        `INSERT INTO account_keys (key, account_id) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id`,
        [key, accountId],
      )
    },
    appendMergeLog: async (entry) => {
      await sql.count(
        `INSERT INTO merge_log (at, kind, from_profile_id, into_profile_id, anonymous_id, user_id,
           reason, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        rows.mergeLogParams(entry),
      )
    },
    appendEvent: async (event) => {
      await sql.count(
        `INSERT INTO events (profile_id, type, name, at, received_at, message_id, properties)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        rows.eventParams(event),
      )
    },
    deleteEvents: (profileId) => sql.count('DELETE FROM events WHERE profile_id = $1', [profileId]),
    deleteMergeLog: (selector) =>
      sql.count(
        `DELETE FROM merge_log
         WHERE into_profile_id = ANY($1::text[]) OR from_profile_id = ANY($1::text[])
            OR user_id = ANY($2::text[]) OR anonymous_id = ANY($3::text[])`,
        [selector.profileIds, selector.userIds, selector.anonymousIds],
      ),
    suppress: async (entries) => {
      for (const entry of entries) {
        await sql.count(
          `INSERT INTO suppressions (key, kind, reason, at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO NOTHING`,
          [entry.key, entry.kind, entry.reason, entry.at],
        )
      }
    },
    unsuppress: (keys) => sql.count('DELETE FROM suppressions WHERE key = ANY($1::text[])', [keys]),
    // ON CONFLICT DO NOTHING waits for a concurrent insert of the same key and then does
    // nothing: of two instances recording a first impression at once, exactly one wins.
    recordImpression: async (impression) =>
      (await sql.count(
        `INSERT INTO impressions (profile_id, experience_id, variation, control, at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [
          impression.profileId,
          impression.experienceId,
          impression.variation,
          impression.control,
          impression.at,
        ],
      )) === 1,
    recordConversion: async (conversion) =>
      (await sql.count(
        `INSERT INTO conversions (profile_id, experience_id, goal, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [conversion.profileId, conversion.experienceId, conversion.goal, conversion.at],
      )) === 1,
    importRecords: (records) => writeRecords(postgresWriter(sql, lockNamespace), records),
  }
}
