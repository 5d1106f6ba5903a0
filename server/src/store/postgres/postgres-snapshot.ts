import type { Impression } from '../../measurement/exposure.ts'
import type { CallRequest, CallSnapshot } from '../call-batch.ts'
import * as rows from '../store-rows.ts'
import type { Sql } from './postgres-queries.ts'

/**
 * A call's whole snapshot in one statement (one round trip instead of about ten). Run after the
 * call's advisory locks: a new statement takes a new snapshot at READ COMMITTED, so it sees
 * every commit made before the locks were granted. Profile and account rows are read
 * `FOR UPDATE`, as the writer's own reads are.
 */
const snapshotSql = `
  WITH dev AS (
    SELECT anonymous_id, profile_id FROM anonymous_ids WHERE anonymous_id = ANY($1::text[])
  ), usr AS (
    SELECT user_id, id AS profile_id FROM profiles WHERE user_id = ANY($2::text[])
  ), prof AS (
    SELECT * FROM profiles
    WHERE id IN (SELECT profile_id FROM dev UNION SELECT profile_id FROM usr)
    FOR UPDATE
  ), keyed AS (
    SELECT key, account_id FROM account_keys WHERE key = ANY($3::text[])
  ), acc AS (
    SELECT * FROM accounts WHERE id IN (SELECT account_id FROM keyed) FOR UPDATE
  )
  SELECT
    EXISTS (SELECT 1 FROM messages WHERE key = $4) AS seen,
    (SELECT coalesce(json_agg(key), '[]') FROM suppressions WHERE key = ANY($5::text[]))
      AS suppressed,
    (SELECT coalesce(json_agg(json_build_object('anonymousId', anonymous_id,
       'profileId', profile_id)), '[]') FROM dev) AS devices,
    (SELECT coalesce(json_agg(json_build_object('userId', user_id, 'profileId', profile_id)),
       '[]') FROM usr) AS users,
    (SELECT coalesce(json_agg(row_to_json(prof)), '[]') FROM prof) AS profiles,
    (SELECT coalesce(json_agg(json_build_object('key', key, 'accountId', account_id)), '[]')
       FROM keyed) AS account_keys,
    (SELECT coalesce(json_agg(json_build_object('row', row_to_json(acc), 'keys',
       (SELECT json_agg(k.key ORDER BY k.seq) FROM account_keys k WHERE k.account_id = acc.id))),
       '[]') FROM acc) AS accounts,
    CASE WHEN $6::boolean THEN (SELECT coalesce(json_agg(row_to_json(i) ORDER BY i.at), '[]')
       FROM impressions i WHERE i.profile_id IN (SELECT id FROM prof)) ELSE '[]' END
      AS impressions
`

export async function readPostgresSnapshot(sql: Sql, request: CallRequest): Promise<CallSnapshot> {
  const [row] = await sql.rows(snapshotSql, [
    request.anonymousIds,
    request.userIds,
    request.accountKeys,
    request.messageKey,
    request.suppressionKeys,
    request.impressions,
  ])
  if (row === undefined) throw new Error('the snapshot query returned no row')
  return {
    messageSeen: row.seen === true,
    suppressed: row.suppressed as string[],
    devices: row.devices as CallSnapshot['devices'],
    users: row.users as CallSnapshot['users'],
    profiles: (row.profiles as rows.Row[]).map(rows.toProfile),
    accountKeys: row.account_keys as CallSnapshot['accountKeys'],
    accounts: (row.accounts as { row: rows.Row; keys: string[] }[]).map((entry) => ({
      account: rows.toAccount(entry.row),
      keys: entry.keys,
    })),
    impressions: (row.impressions as rows.Row[]).map((impression): Impression =>
      rows.toImpression(impression),
    ),
  }
}
