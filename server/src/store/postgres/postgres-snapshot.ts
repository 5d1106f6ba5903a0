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
 */
const snapshotSql = `
  WITH dev AS (
    SELECT anonymous_id, profile_id FROM anonymous_ids WHERE anonymous_id = ANY($1::text[])
  ), usr AS (
    SELECT user_id, id AS profile_id FROM profiles WHERE user_id = ANY($2::text[])
  ), prof AS (
    SELECT * FROM profiles
    WHERE id IN (SELECT profile_id FROM dev UNION SELECT profile_id FROM usr)
    ORDER BY id FOR UPDATE
  ), keyed AS (
    SELECT key, account_id FROM account_keys WHERE key = ANY($3::text[])
  ), acc AS (
    SELECT * FROM accounts WHERE id IN (SELECT account_id FROM keyed) ORDER BY id FOR UPDATE
  )
  SELECT
    (SELECT coalesce(json_agg(key), '[]') FROM messages WHERE key = ANY($4::text[])) AS seen,
    (SELECT coalesce(json_agg(key), '[]') FROM suppressions WHERE key = ANY($5::text[]))
      AS suppressed,
    (SELECT coalesce(json_agg(json_build_array(anonymous_id, profile_id)), '[]') FROM dev)
      AS devices,
    (SELECT coalesce(json_agg(json_build_array(user_id, profile_id)), '[]') FROM usr) AS users,
    (SELECT coalesce(json_agg(row_to_json(prof)), '[]') FROM prof) AS profiles,
    (SELECT coalesce(json_agg(json_build_array(key, account_id)), '[]') FROM keyed)
      AS account_keys,
    (SELECT coalesce(json_agg(json_build_object('row', row_to_json(acc), 'keys',
       (SELECT json_agg(k.key ORDER BY k.seq) FROM account_keys k WHERE k.account_id = acc.id))),
       '[]') FROM acc) AS accounts,
    CASE WHEN $6::boolean THEN (SELECT coalesce(json_agg(row_to_json(i) ORDER BY i.at), '[]')
       FROM impressions i WHERE i.profile_id IN (SELECT id FROM prof)) ELSE '[]' END
      AS impressions
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

/** The statement's one row, decoded once for every call of the group. */
export function decodeGroupSnapshot(result: rows.Row[]): GroupState {
  const [row] = result
  if (row === undefined) throw new Error('the snapshot query returned no row')
  const impressions = new Map<string, Impression[]>()
  for (const impression of (row.impressions as rows.Row[]).map(rows.toImpression)) {
    const held = impressions.get(impression.profileId)
    if (held === undefined) impressions.set(impression.profileId, [impression])
    else held.push(impression)
  }
  return {
    seen: new Set(row.seen as string[]),
    suppressed: new Set(row.suppressed as string[]),
    devices: new Map(row.devices as [string, string][]),
    users: new Map(row.users as [string, string][]),
    profiles: new Map(
      (row.profiles as rows.Row[]).map((profile) => [
        profile.id as string,
        rows.toProfile(profile),
      ]),
    ),
    accountKeys: new Map(row.account_keys as [string, string][]),
    accounts: new Map(
      (row.accounts as { row: rows.Row; keys: string[] }[]).map((entry) => [
        entry.row.id as string,
        { account: rows.toAccount(entry.row), keys: entry.keys },
      ]),
    ),
    impressions,
  }
}
