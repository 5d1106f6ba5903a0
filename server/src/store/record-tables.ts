import type { RecordCursor, RecordKind, StoreRecord } from './store-records.ts'
import * as rows from './store-rows.ts'
import { toAuditEntry, toConfigVersion, toConsoleUser } from './authoring-rows.ts'

/** Where the SQL engines keep one kind of record, the key an export pages by, and its mapper. */
export interface RecordTable {
  table: string
  /** Columns of the paging key, in order: unique, and in the order rows were written. */
  keys: string[]
  toRecord: (row: rows.Row) => StoreRecord
}

/**
 * The tables of each record kind for SQLite and PostgreSQL. `insertOrder` is the column that
 * keeps the order devices and account keys were linked in (`rowid` in SQLite, `seq` in
 * PostgreSQL): exporting in it, and importing in that order, keeps ties on `linked_at` apart.
 */
export function recordTable(kind: RecordKind, insertOrder: 'rowid' | 'seq'): RecordTable {
  switch (kind) {
    case 'profile':
      return {
        table: 'profiles',
        keys: ['id'],
        toRecord: (row) => ({ kind, data: rows.toProfile(row) }),
      }
    case 'account':
      // The engine fills in the keys (one query per page).
      return {
        table: 'accounts',
        keys: ['id'],
        toRecord: (row) => ({ kind, data: { ...rows.toAccount(row), keys: [] } }),
      }
    case 'device':
      return {
        table: 'anonymous_ids',
        keys: [insertOrder],
        toRecord: (row) => ({
          kind,
          data: {
            anonymousId: row.anonymous_id as string,
            profileId: row.profile_id as string,
            linkedAt: Number(row.linked_at),
          },
        }),
      }
    case 'mergeLog':
      return {
        table: 'merge_log',
        keys: ['seq'],
        toRecord: (row) => ({ kind, data: rows.toMergeLogEntry(row) }),
      }
    case 'event':
      return {
        table: 'events',
        keys: ['seq'],
        toRecord: (row) => ({ kind, data: rows.toEvent(row) }),
      }
    case 'impression':
      return {
        table: 'impressions',
        keys: ['profile_id', 'experience_id'],
        toRecord: (row) => ({ kind, data: rows.toImpression(row) }),
      }
    case 'conversion':
      return {
        table: 'conversions',
        keys: ['profile_id', 'experience_id', 'goal'],
        toRecord: (row) => ({
          kind,
          data: {
            profileId: row.profile_id as string,
            experienceId: row.experience_id as string,
            goal: row.goal as string,
            at: Number(row.at),
          },
        }),
      }
    case 'suppression':
      return {
        table: 'suppressions',
        keys: ['key'],
        toRecord: (row) => ({
          kind,
          data: {
            key: row.key as string,
            kind: row.kind as 'userId' | 'anonymousId' | 'email',
            reason: row.reason as 'deleted' | 'requested',
            at: Number(row.at),
          },
        }),
      }
    case 'configVersion':
      return {
        table: 'config_versions',
        keys: ['number'],
        toRecord: (row) => ({ kind, data: toConfigVersion(row) }),
      }
    case 'auditEntry':
      return {
        table: 'audit_log',
        keys: ['seq'],
        toRecord: (row) => ({ kind, data: toAuditEntry(row) }),
      }
    case 'consoleUser':
      return {
        table: 'console_users',
        keys: ['name'],
        toRecord: (row) => ({ kind, data: toConsoleUser(row) }),
      }
  }
}

/**
 * The keyset query of one page: `placeholder(n)` is the engine's n-th parameter (1-based).
 * Parameters: the cursor's values (when `after`), then the limit.
 */
export function pageQuery(
  spec: RecordTable,
  after: RecordCursor | null,
  placeholder: (n: number) => string,
): string {
  const keys = spec.keys.join(', ')
  const where =
    after === null
      ? ''
      : `WHERE (${keys}) > (${spec.keys.map((_, i) => placeholder(i + 1)).join(', ')})`
  const limit = placeholder(after === null ? 1 : spec.keys.length + 1)
  return `SELECT ${keys}, * FROM ${spec.table} ${where} ORDER BY ${keys} LIMIT ${limit}`
}

/** The cursor after the last row of a full page; null when the page was the last. */
export function nextCursor(
  spec: RecordTable,
  page: rows.Row[],
  limit: number,
): RecordCursor | null {
  const last = page.at(-1)
  if (page.length < limit || last === undefined) return null
  return spec.keys.map((key) => last[key] as string | number)
}

/**
 * Fills each exported account record's `keys` from its `account_keys` rows (`key`,
 * `account_id`), which the engine read in link order.
 */
export function attachAccountKeys(records: StoreRecord[], keys: readonly rows.Row[]): void {
  for (const record of records) {
    if (record.kind !== 'account') continue
    record.data.keys = keys
      .filter((k) => k.account_id === record.data.id)
      .map((k) => k.key as string)
  }
}
