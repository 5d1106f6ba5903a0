import type { ProfileKey, ProfileNeighbourhood, Store, StoreReader } from './store.ts'

/** The id of the profile `key` names, or `undefined`. */
export function findProfileId(reader: StoreReader, key: ProfileKey): Promise<string | undefined> {
  return key.kind === 'userId'
    ? reader.profileIdByUserId(key.value)
    : reader.profileIdByAnonymousId(key.value)
}

/** A profile's neighbourhood through the plain reader methods; `undefined` without the profile. */
export async function readNeighbourhoodOf(
  reader: StoreReader,
  profileId: string,
): Promise<ProfileNeighbourhood | undefined> {
  const profile = await reader.profile(profileId)
  if (profile === undefined) return undefined
  const accountId = profile.account?.id ?? null
  const account = accountId === null ? undefined : await reader.account(accountId)
  return {
    profile,
    anonymousIds: await reader.anonymousIds(profileId),
    mergeLog: await reader.mergeLog(profileId),
    account,
    accountKeys: account === undefined ? [] : await reader.accountKeys(account.id),
  }
}

/**
 * `Store.readNeighbourhood` through one read session: what every engine can do, whatever it does
 * faster.
 */
export function readNeighbourhoodOnce(
  store: Pick<Store, 'read'>,
  key: ProfileKey,
): Promise<ProfileNeighbourhood | undefined> {
  return store.read(async (reader) => {
    const profileId = await findProfileId(reader, key)
    return profileId === undefined ? undefined : readNeighbourhoodOf(reader, profileId)
  })
}
