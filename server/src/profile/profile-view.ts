import type { JsonObject } from '../traits/json.ts'
import { materializeTraits } from '../traits/trait-tree.ts'
import { readNeighbourhoodOf } from '../store/profile-neighbourhood.ts'
import type { ProfileNeighbourhood, StoreReader } from '../store/store.ts'
import { deriveNames } from './derive-names.ts'
import type { AccountLink, MergeLogEntry, VisitorStats } from './profile.ts'

/** A profile as the admin API shows it: traits as plain values, its devices, account and log. */
export interface ProfileView {
  id: string
  userId: string | null
  anonymousIds: string[]
  traits: JsonObject
  account: { id: string; keys: string[]; traits: JsonObject; link: Omit<AccountLink, 'id'> } | null
  visitor: VisitorStats
  createdAt: string
  updatedAt: string
  mergeLog: (Omit<MergeLogEntry, 'at'> & { at: string })[]
}

/** Reads everything the admin lookup shows of one profile, or `undefined` when it is unknown. */
export async function readProfileView(
  reader: StoreReader,
  profileId: string,
): Promise<ProfileView | undefined> {
  const found = await readNeighbourhoodOf(reader, profileId)
  return found === undefined ? undefined : profileView(found)
}

/** A profile's neighbourhood as the admin API shows it. */
export function profileView(found: ProfileNeighbourhood): ProfileView {
  const { profile, account } = found
  return {
    id: profile.id,
    userId: profile.userId,
    anonymousIds: found.anonymousIds,
    traits: deriveNames(materializeTraits(profile.traits)),
    account:
      account === undefined || profile.account === null
        ? null
        : {
            id: account.id,
            keys: found.accountKeys,
            traits: materializeTraits(account.traits),
            link: { source: profile.account.source, at: profile.account.at },
          },
    visitor: profile.visitor,
    createdAt: new Date(profile.createdAt).toISOString(),
    updatedAt: new Date(profile.updatedAt).toISOString(),
    mergeLog: found.mergeLog.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
  }
}
