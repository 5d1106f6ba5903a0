import { materializeTraits } from '../traits/trait-tree.ts'
import type { StoreWriter } from '../store/store.ts'
import { suppressionsOf } from './suppression-keys.ts'

/** What a delete request removed. */
export interface ErasedProfile {
  profileId: string
  userId: string | null
  anonymousIds: number
  events: number
  mergeLog: number
}

/**
 * Erases one profile and everything held on it, inside the caller's transaction: the profile,
 * every anonymous id linked to it, its events, and every merge-log entry that names it, a
 * profile merged into it, its user id or one of its devices. Its user id, devices and email are
 * then suppressed, so a retried or late call cannot bring the profile back. The shared company
 * account stays: it holds company facts that other users share.
 */
export async function eraseProfile(
  tx: StoreWriter,
  profileId: string,
  at: number,
): Promise<ErasedProfile | undefined> {
  const profile = await tx.profile(profileId)
  if (profile === undefined) return undefined
  const anonymousIds = await tx.anonymousIds(profileId)
  await tx.lock([
    ...anonymousIds.map((id) => `anonymous:${id}`),
    ...(profile.userId === null ? [] : [`user:${profile.userId}`]),
  ])
  const profileIds = await foldedProfiles(tx, profileId)
  const userIds = profile.userId === null ? [] : [profile.userId]

  for (const anonymousId of anonymousIds) await tx.unlinkAnonymousId(anonymousId)
  const events = await tx.deleteEvents(profileId)
  const mergeLog = await tx.deleteMergeLog({ profileIds, userIds, anonymousIds })
  await tx.deleteProfile(profileId)

  const email = materializeTraits(profile.traits).email
  await tx.suppress(
    suppressionsOf(
      {
        userId: userIds,
        anonymousId: anonymousIds,
        email: typeof email === 'string' ? [email] : [],
      },
      'deleted',
      at,
    ),
  )
  return { profileId, userId: profile.userId, anonymousIds: anonymousIds.length, events, mergeLog }
}

/** The profile and every profile merged into it, at any depth, from the merge log. */
async function foldedProfiles(tx: StoreWriter, profileId: string): Promise<string[]> {
  const found = new Set([profileId])
  const queue = [profileId]
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const entry of await tx.mergeLog(id)) {
      const from = entry.fromProfileId
      if (
        entry.kind === 'merged' &&
        entry.intoProfileId === id &&
        from !== null &&
        !found.has(from)
      ) {
        found.add(from)
        queue.push(from)
      }
    }
  }
  return [...found]
}
