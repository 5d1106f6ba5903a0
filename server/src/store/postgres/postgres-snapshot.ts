import type { Impression } from '../../measurement/exposure.ts'
import type { CallRequest } from '../call-batch.ts'
import type { GroupState } from './group-snapshot.ts'
import * as rows from '../store-rows.ts'
import type { Sql } from './postgres-queries.ts'

/**
 * The snapshots of a group of calls in one statement, `parley_read_calls` (its migration in
 * postgres-schema.ts): it takes the group's advisory locks, then reads the union of what the
 * calls' requests name. The read is a statement of its own inside the function, so at READ
 * COMMITTED it sees every commit made before the locks were granted. Profile and account rows
 * are read `FOR UPDATE` in id order (`ORDER BY` sits below the row locks in the plan), so two
 * groups lock the rows they share in one order.
 *
 * A row lock another transaction held makes the read wait, and then return that row as the
 * other transaction left it while everything else (device links, impressions, account keys)
 * stays as the statement's snapshot saw it. `raced` says so: a locked row is not the version
 * the snapshot saw (updated, or deleted, meanwhile). The engine then reads again (no locks to
 * take) in the same transaction, holding the rows: that read sees the other commit whole.
 */
const readSql = 'SELECT parley_read_calls($1, $2, $3, $4, $5, $6, $7) AS snapshot'

/**
 * Sends the group's read, with its advisory locks (sorted keys; none for a second read);
 * decode the answer with `decodeGroupSnapshot`.
 */
export function readGroupSnapshot(
  sql: Sql,
  locks: readonly string[],
  requests: readonly CallRequest[],
): Promise<rows.Row[]> {
  const all = (pick: (request: CallRequest) => readonly string[]) => [
    ...new Set(requests.flatMap(pick)),
  ]
  return sql.rows(
    readSql,
    [
      locks,
      all((request) => request.anonymousIds),
      all((request) => request.userIds),
      all((request) => request.accountKeys),
      all((request) => [request.messageKey]),
      all((request) => request.suppressionKeys),
      requests.some((request) => request.impressions),
    ],
    'cached',
  )
}

/** What one snapshot statement read, and whether it raced another transaction's row locks. */
export function decodeGroupSnapshot(result: rows.Row[]): { state: GroupState; raced: boolean } {
  const row = result[0]?.snapshot as rows.Row | undefined
  if (row === undefined) throw new Error('the snapshot query returned no row')
  const impressions = new Map<string, Impression[]>()
  for (const impression of (row.impressions as rows.Row[]).map(rows.toImpression)) {
    const held = impressions.get(impression.profileId)
    if (held === undefined) impressions.set(impression.profileId, [impression])
    else held.push(impression)
  }
  const profile = ([id, user_id, account_id, doc, created_at, updated_at]: unknown[]) =>
    rows.toProfile({ id, user_id, account_id, doc, created_at, updated_at })
  const account = ([id, doc, created_at, updated_at, keys]: unknown[]) => ({
    account: rows.toAccount({ id, doc, created_at, updated_at }),
    keys: keys as string[],
  })
  return {
    raced: row.raced === true,
    state: {
      seen: new Set(row.seen as string[]),
      suppressed: new Set(row.suppressed as string[]),
      devices: new Map(row.devices as [string, string][]),
      users: new Map(row.users as [string, string][]),
      profiles: new Map(
        (row.profiles as unknown[][]).map((values) => [values[0] as string, profile(values)]),
      ),
      accountKeys: new Map(row.account_keys as [string, string][]),
      accounts: new Map(
        (row.accounts as unknown[][]).map((values) => [values[0] as string, account(values)]),
      ),
      impressions,
    },
  }
}
