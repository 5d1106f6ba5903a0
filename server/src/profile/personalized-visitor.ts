import type { Impression } from '../measurement/exposure.ts'
import type { StoreReader } from '../store/store.ts'
import type { Account, Profile } from './profile.ts'

/**
 * What personalising reads of a profile: itself (absent once erased), its account, and the
 * impressions that keep its buckets. `account` may be absent while the profile names one: the
 * personaliser then reads it.
 */
export interface PersonalizedVisitor {
  profile: Profile | undefined
  account: Account | undefined
  impressions: Impression[]
}

/** Reads what personalising `profileId` needs, inside the caller's read. */
export async function readPersonalizedVisitor(
  reader: StoreReader,
  profileId: string,
): Promise<PersonalizedVisitor> {
  const profile = await reader.profile(profileId)
  const accountId = profile?.account?.id ?? null
  return {
    profile,
    account: accountId === null ? undefined : await reader.account(accountId),
    impressions: profile === undefined ? [] : await reader.impressions(profileId),
  }
}
