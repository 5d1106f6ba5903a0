import type { Account, MergeLogEntry, Profile } from '../../profile/profile.ts'
import type { StoreReader } from '../store.ts'
import * as rows from '../store-rows.ts'
import { postgresReader, type Sql } from './postgres-queries.ts'

/**
 * Everything about one profile that the admin lookup, the console's profile page and the privacy
 * export read, found by a user id or a device in one statement: the profile, its devices, its
 * account with that account's keys, and its merge log. `$1` is the user id or the device.
 */
function neighbourhoodSql(profileIdOf: string): string {
  return `
  WITH found AS (${profileIdOf}), p AS (SELECT * FROM profiles WHERE id = (SELECT id FROM found))
  SELECT
    (SELECT id FROM found) AS id,
    (SELECT row_to_json(p) FROM p) AS profile,
    (SELECT coalesce(json_agg(anonymous_id ORDER BY linked_at, seq), '[]') FROM anonymous_ids
      WHERE profile_id = (SELECT id FROM found)) AS devices,
    (SELECT row_to_json(a) FROM accounts a WHERE a.id = (SELECT account_id FROM p)) AS account,
    (SELECT coalesce(json_agg(key ORDER BY seq), '[]') FROM account_keys
      WHERE account_id = (SELECT account_id FROM p)) AS account_keys,
    (SELECT coalesce(json_agg(row_to_json(m) ORDER BY seq), '[]') FROM merge_log m
      WHERE m.into_profile_id = (SELECT id FROM found)
         OR m.from_profile_id = (SELECT id FROM found))
      AS merge_log`
}

const byUserSql = neighbourhoodSql('SELECT id FROM profiles WHERE user_id = $1')
const byDeviceSql = neighbourhoodSql(
  'SELECT profile_id AS id FROM anonymous_ids WHERE anonymous_id = $1',
)

interface Neighbourhood {
  profile: Profile | undefined
  anonymousIds: string[]
  mergeLog: MergeLogEntry[]
  accountId: string | null
  account: Account | undefined
  accountKeys: string[]
}

/**
 * The reader of a read session (one REPEATABLE READ snapshot): when it finds a profile by a user
 * id or a device, it reads that profile's neighbourhood in the same statement, and answers the
 * session's later reads of it (the profile, its devices, merge log, account and account keys)
 * from what it read. The admin lookup is then one statement instead of seven. A caller that only
 * wanted the id pays a few index lookups more.
 */
export function prefetchingReader(sql: Sql): StoreReader {
  const plain = postgresReader(sql, { lockRows: false })
  const known = new Map<string, Neighbourhood>()
  const byAccount = (accountId: string) =>
    [...known.values()].find((found) => found.accountId === accountId)

  const find = async (text: string, key: string): Promise<string | undefined> => {
    const [row] = await sql.rows(text, [key])
    const id = row?.id as string | null | undefined
    if (row === undefined || id === null || id === undefined) return undefined
    const account = row.account as rows.Row | null
    const profile = row.profile === null ? undefined : rows.toProfile(row.profile as rows.Row)
    known.set(id, {
      profile,
      anonymousIds: row.devices as string[],
      mergeLog: (row.merge_log as rows.Row[]).map(rows.toMergeLogEntry),
      accountId: (profile === undefined ? null : (row.profile as rows.Row).account_id) as
        string | null,
      account: account === null ? undefined : rows.toAccount(account),
      accountKeys: row.account_keys as string[],
    })
    return id
  }

  return {
    ...plain,
    profileIdByUserId: (userId) => find(byUserSql, userId),
    profileIdByAnonymousId: (anonymousId) => find(byDeviceSql, anonymousId),
    profile: async (id) => (known.has(id) ? known.get(id)?.profile : plain.profile(id)),
    anonymousIds: async (profileId) => {
      const found = known.get(profileId)
      return found === undefined ? plain.anonymousIds(profileId) : [...found.anonymousIds]
    },
    mergeLog: async (profileId) => {
      const found = known.get(profileId)
      return found === undefined ? plain.mergeLog(profileId) : [...found.mergeLog]
    },
    account: async (id) => {
      const found = byAccount(id)
      return found === undefined ? plain.account(id) : found.account
    },
    accountKeys: async (accountId) => {
      const found = byAccount(accountId)
      return found === undefined ? plain.accountKeys(accountId) : [...found.accountKeys]
    },
  }
}
