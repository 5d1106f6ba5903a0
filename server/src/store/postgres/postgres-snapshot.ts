import type { Impression } from '../../measurement/exposure.ts'
import type { CallRequest } from '../call-batch.ts'
import type { GroupState } from './group-snapshot.ts'
import * as rows from '../store-rows.ts'
import type { Sql } from './postgres-queries.ts'

/**
 * The snapshots of a group of calls in one statement: the union of what their requests name.
 * Run after the group's advisory locks: a new statement takes a new snapshot at READ COMMITTED,
 * so it sees every commit made before the locks were granted. Profile and account rows are read
 * `FOR UPDATE` in id order (`ORDER BY` sits below the row locks in the plan), so two groups
 * lock the rows they share in one order.
 *
 * A row lock another transaction held makes the statement wait, and then return that row as the
 * other transaction left it while everything else (device links, impressions, account keys)
 * stays as the statement's snapshot saw it. `raced` says so: a locked row is not the version
 * the snapshot saw (updated, or deleted, meanwhile). The engine then reads again in the same
 * transaction, holding the rows: the next statement sees the other transaction's commit whole.
 */
const snapshotSql = `
  WITH dev AS (
    SELECT anonymous_id, profile_id FROM anonymous_ids WHERE anonymous_id = ANY($1::text[])
  ), usr AS (
    SELECT user_id, id AS profile_id FROM profiles WHERE user_id = ANY($2::text[])
  ), ids AS (
    SELECT profile_id AS id FROM dev UNION SELECT profile_id FROM usr
  ), prof AS (
    SELECT *, ctid AS version FROM profiles WHERE id IN (SELECT id FROM ids)
    ORDER BY id FOR UPDATE
  ), keyed AS (
    SELECT key, account_id FROM account_keys WHERE key = ANY($3::text[])
  ), acc AS (
    SELECT *, ctid AS version FROM accounts WHERE id IN (SELECT account_id FROM keyed)
    ORDER BY id FOR UPDATE
  )
  SELECT
    (SELECT coalesce(json_agg(key), '[]') FROM messages WHERE key = ANY($4::text[])) AS seen,
    (SELECT coalesce(json_agg(key), '[]') FROM suppressions WHERE key = ANY($5::text[]))
      AS suppressed,
    (SELECT coalesce(json_agg(json_build_array(anonymous_id, profile_id)), '[]') FROM dev)
      AS devices,
    (SELECT coalesce(json_agg(json_build_array(user_id, profile_id)), '[]') FROM usr) AS users,
    (SELECT coalesce(json_agg(json_build_array(id, user_id, account_id, doc, created_at,
       updated_at)), '[]') FROM prof) AS profiles,
    (SELECT coalesce(json_agg(json_build_array(key, account_id)), '[]') FROM keyed)
      AS account_keys,
    (SELECT coalesce(json_agg(json_build_array(id, doc, created_at, updated_at,
       (SELECT json_agg(k.key ORDER BY k.seq) FROM account_keys k WHERE k.account_id = acc.id))),
       '[]') FROM acc) AS accounts,
    CASE WHEN $6::boolean THEN (SELECT coalesce(json_agg(row_to_json(i) ORDER BY i.at), '[]')
       FROM impressions i WHERE i.profile_id IN (SELECT id FROM prof)) ELSE '[]' END
      AS impressions,
    EXISTS (
      SELECT 1 FROM profiles seen WHERE seen.id IN (SELECT id FROM ids)
        AND NOT EXISTS (SELECT 1 FROM prof WHERE prof.id = seen.id AND prof.version = seen.ctid)
    ) OR EXISTS (
      SELECT 1 FROM accounts seen WHERE seen.id IN (SELECT account_id FROM keyed)
        AND NOT EXISTS (SELECT 1 FROM acc WHERE acc.id = seen.id AND acc.version = seen.ctid)
    ) AS raced
`

/**
 * Sends the group's snapshot statement; decode its answer with `decodeGroupSnapshot`. Planned on
 * every run: it scans seven tables by arrays of keys, and a plan cached while a table was small
 * (a fresh schema) keeps scanning it whole as it grows (measured: 20 ms instead of 2 for a group
 * of 32 a few seconds after start), while planning it costs about 1 ms per group.
 */
export function readGroupSnapshot(sql: Sql, requests: readonly CallRequest[]): Promise<rows.Row[]> {
  const all = (pick: (request: CallRequest) => readonly string[]) => [
    ...new Set(requests.flatMap(pick)),
  ]
  return sql.rows(
    snapshotSql,
    [
      all((request) => request.anonymousIds),
      all((request) => request.userIds),
      all((request) => request.accountKeys),
      all((request) => [request.messageKey]),
      all((request) => request.suppressionKeys),
      requests.some((request) => request.impressions),
    ],
    'each time',
  )
}

/** What one snapshot statement read, and whether it raced another transaction's row locks. */
export function decodeGroupSnapshot(result: rows.Row[]): { state: GroupState; raced: boolean } {
  const [row] = result
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
