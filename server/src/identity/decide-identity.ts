/** What is known before deciding: the ids of the call and the profiles they already point at. */
export interface IdentityFacts {
  anonymousId: string | undefined
  userId: string | undefined
  /** The profile the anonymous id belongs to, if any. */
  anonymousProfile: { id: string; userId: string | null } | undefined
  /** The profile that already knows the user id, if any. */
  userProfileId: string | undefined
}

/**
 * What to do with the call's identities (SPEC section 3). Pure: the pipeline carries it out.
 * - `create`: nobody is known yet; a new profile for the user and/or the device.
 * - `use`: the call belongs to an existing profile, possibly learning its user id or a device.
 * - `merge`: an anonymous device profile folds into the known user's profile.
 * - `conflict`: the device is already another known user's: the two are never merged; the device
 *   is detached from that user and the call goes to its own user.
 */
export type IdentityPlan =
  | { kind: 'create'; userId: string | null; anonymousId: string | null }
  | { kind: 'use'; profileId: string; setUserId?: string; addAnonymousId?: string }
  | { kind: 'merge'; fromProfileId: string; intoProfileId: string }
  | {
      kind: 'conflict'
      anonymousId: string
      previousProfileId: string
      previousUserId: string
      userProfileId: string | undefined
    }

export function decideIdentity(facts: IdentityFacts): IdentityPlan {
  const { anonymousId, userId, anonymousProfile, userProfileId } = facts
  if (userId === undefined) {
    if (anonymousProfile !== undefined) return { kind: 'use', profileId: anonymousProfile.id }
    return { kind: 'create', userId: null, anonymousId: anonymousId ?? null }
  }
  if (anonymousProfile === undefined) {
    if (userProfileId === undefined)
      return { kind: 'create', userId, anonymousId: anonymousId ?? null }
    return anonymousId === undefined
      ? { kind: 'use', profileId: userProfileId }
      : { kind: 'use', profileId: userProfileId, addAnonymousId: anonymousId }
  }
  if (anonymousProfile.userId === userId) return { kind: 'use', profileId: anonymousProfile.id }
  if (anonymousProfile.userId === null) {
    return userProfileId === undefined
      ? { kind: 'use', profileId: anonymousProfile.id, setUserId: userId }
      : { kind: 'merge', fromProfileId: anonymousProfile.id, intoProfileId: userProfileId }
  }
  return {
    kind: 'conflict',
    anonymousId: anonymousId ?? '',
    previousProfileId: anonymousProfile.id,
    previousUserId: anonymousProfile.userId,
    userProfileId,
  }
}
