import type { Account, MergeLogEntry, Profile } from '../../profile/profile.ts'
import type { StoreReader } from '../store.ts'
import * as rows from '../store-rows.ts'
import { postgresReader, type Sql } from './postgres-queries.ts'

/**
 * Everything about one profile that the console's profile page and the privacy export read,
 * found by a user id or a device in one statement (`parley_profile_neighbourhood`,
 * postgres-schema.ts): the profile, its devices, its account with that account's keys, and its
 * merge log; null when nothing is found.
 */
const neighbourhoodSql = 'SELECT parley_profile_neighbourhood($1, $2) AS found'

/**
 * What `parley_profile_neighbourhood` found: `profile` is undefined for a device whose profile is
 * gone, and `accountKeys` are those of the profile's account id, whether that account exists.
 */
export interface FoundNeighbourhood {
  id: string
  profile: Profile | undefined
  anonymousIds: string[]
  mergeLog: MergeLogEntry[]
  accountId: string | null
  account: Account | undefined
  accountKeys: string[]
}

type Neighbourhood = Omit<FoundNeighbourhood, 'id'>

/** Decodes one answer of `parley_profile_neighbourhood` (JSON null: nothing found). */
export function decodeNeighbourhood(found: unknown): FoundNeighbourhood | undefined {
  const row = found as rows.Row | null | undefined
  if (row === null || row === undefined) return undefined
  const profileRow = row.profile as rows.Row | null
  const account = row.account as rows.Row | null
  return {
    id: row.id as string,
    profile: profileRow === null ? undefined : rows.toProfile(profileRow),
    anonymousIds: row.devices as string[],
    mergeLog: (row.merge_log as rows.Row[]).map(rows.toMergeLogEntry),
    accountId: (profileRow?.account_id ?? null) as string | null,
    account: account === null ? undefined : rows.toAccount(account),
    accountKeys: row.account_keys as string[],
  }
}

/**
 * The reader of a read session (one REPEATABLE READ snapshot): when it finds a profile by a user
 * id or a device, it reads that profile's neighbourhood in the same statement, and answers the
 * session's later reads of it (the profile, its devices, merge log, account and account keys)
 * from what it read. A profile's whole view is then one statement instead of seven (the admin
 * lookup groups such statements: `postgres-lookup-groups.ts`). A caller that only wanted the id
 * pays a few index lookups more.
 */
export function prefetchingReader(sql: Sql): StoreReader {
  const plain = postgresReader(sql, { lockRows: false })
  const known = new Map<string, Neighbourhood>()
  const byAccount = (accountId: string) =>
    [...known.values()].find((found) => found.accountId === accountId)

  const find = async (by: 'user' | 'device', key: string): Promise<string | undefined> => {
    const params = by === 'user' ? [key, null] : [null, key]
    const [result] = await sql.rows(neighbourhoodSql, params, 'cached')
    const found = decodeNeighbourhood(result?.found)
    if (found === undefined) return undefined
    const { id, ...neighbourhood } = found
    known.set(id, neighbourhood)
    return id
  }

  return {
    ...plain,
    profileIdByUserId: (userId) => find('user', userId),
    profileIdByAnonymousId: (anonymousId) => find('device', anonymousId),
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
