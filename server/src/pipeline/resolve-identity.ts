import { decideIdentity } from '../identity/decide-identity.ts'
import { mergeProfiles } from '../profile/merge-profiles.ts'
import { newProfile, type MergeKind, type Profile } from '../profile/profile.ts'
import { StoreConflictError } from '../store/store-conflict.ts'
import type { StoreWriter } from '../store/store.ts'
import type { IngestEvent } from './ingest-event.ts'
import type { Warning } from './warnings.ts'

/** The profile a call lands on, and what the device must do about its anonymous id. */
export interface ResolvedIdentity {
  profile: Profile
  anonymousId: string | null
  rotated: boolean
  /** True when another profile was folded in (its traits may carry a work email). */
  merged: boolean
}

/**
 * Finds or creates the profile a call belongs to and carries out the identity rules of SPEC
 * section 3 inside the caller's transaction, logging every change.
 */
export async function resolveIdentity(
  tx: StoreWriter,
  event: IngestEvent,
  newId: () => string,
  warnings: Warning[],
): Promise<ResolvedIdentity> {
  const { anonymousId, userId, at } = event
  const log = (
    kind: MergeKind,
    entry: { from: string | null; into: string; anonymousId: string | null; reason: string },
  ) =>
    tx.appendMergeLog({
      at: event.receivedAt,
      kind,
      fromProfileId: entry.from,
      intoProfileId: entry.into,
      anonymousId: entry.anonymousId,
      userId: userId ?? null,
      reason: entry.reason,
      messageId: event.messageId ?? null,
    })

  if (event.type === 'alias' && event.previousId !== undefined) {
    const refused = await refuseAliasOfKnownUser(tx, event.previousId, userId, warnings)
    if (refused !== undefined)
      return { profile: refused, anonymousId: null, rotated: false, merged: false }
  }

  const anonymousProfileId =
    anonymousId === undefined ? undefined : await tx.profileIdByAnonymousId(anonymousId)
  const anonymousProfile =
    anonymousProfileId === undefined ? undefined : await tx.profile(anonymousProfileId)
  const userProfileId = userId === undefined ? undefined : await tx.profileIdByUserId(userId)
  const plan = decideIdentity({ anonymousId, userId, anonymousProfile, userProfileId })
  const reason = event.type === 'alias' ? 'alias call' : `${event.type} call`

  switch (plan.kind) {
    case 'create': {
      const profile = newProfile(newId(), plan.userId, at)
      if (plan.anonymousId !== null) {
        await tx.linkAnonymousId(plan.anonymousId, profile.id, event.receivedAt)
        if (plan.userId !== null) {
          await log('identified', {
            from: null,
            into: profile.id,
            anonymousId: plan.anonymousId,
            reason,
          })
        }
      }
      return { profile, anonymousId: plan.anonymousId, rotated: false, merged: false }
    }
    case 'use': {
      const profile =
        anonymousProfile?.id === plan.profileId ? anonymousProfile : await load(tx, plan.profileId)
      if (plan.setUserId !== undefined) {
        profile.userId = plan.setUserId
        await log('identified', {
          from: null,
          into: profile.id,
          anonymousId: anonymousId ?? null,
          reason,
        })
      }
      if (plan.addAnonymousId !== undefined) {
        await tx.linkAnonymousId(plan.addAnonymousId, profile.id, event.receivedAt)
        await log('alias_added', {
          from: null,
          into: profile.id,
          anonymousId: plan.addAnonymousId,
          reason,
        })
      }
      return { profile, anonymousId: anonymousId ?? null, rotated: false, merged: false }
    }
    case 'merge': {
      const from = anonymousProfile ?? (await load(tx, plan.fromProfileId))
      const into = await load(tx, plan.intoProfileId)
      await tx.moveProfileData(from.id, into.id)
      await tx.deleteProfile(from.id)
      await log('merged', {
        from: from.id,
        into: into.id,
        anonymousId: anonymousId ?? null,
        reason,
      })
      return {
        profile: mergeProfiles(into, from, event.receivedAt),
        anonymousId: anonymousId ?? null,
        rotated: false,
        merged: true,
      }
    }
    case 'conflict': {
      await tx.unlinkAnonymousId(plan.anonymousId)
      const profile =
        plan.userProfileId === undefined
          ? newProfile(newId(), userId ?? null, at)
          : await load(tx, plan.userProfileId)
      await log('detached', {
        from: plan.previousProfileId,
        into: profile.id,
        anonymousId: plan.anonymousId,
        reason: `shared device: it was ${plan.previousUserId}'s; the two users are never merged`,
      })
      warnings.push({
        code: 'known_user_conflict',
        message:
          'This device was identified as another user. The users were not merged; the device was detached from the other user' +
          (event.channel === 'browser' ? ' and must use the new anonymous id.' : '.'),
        path: 'userId',
      })
      if (event.channel !== 'browser') {
        return { profile, anonymousId: null, rotated: false, merged: false }
      }
      const fresh = newId()
      await tx.linkAnonymousId(fresh, profile.id, event.receivedAt)
      await log('alias_added', {
        from: null,
        into: profile.id,
        anonymousId: fresh,
        reason: 'new anonymous id for a device another user had used',
      })
      return { profile, anonymousId: fresh, rotated: true, merged: false }
    }
  }
}

async function load(tx: StoreWriter, id: string): Promise<Profile> {
  const profile = await tx.profile(id)
  // Another instance merged it away after this transaction found the link: run again.
  if (profile === undefined) throw new StoreConflictError(`profile ${id} is linked but missing`)
  return profile
}

/**
 * `alias(previousId → userId)` where `previousId` is itself a known user: two known users are
 * never merged, so the call changes nothing but the warning it returns.
 */
async function refuseAliasOfKnownUser(
  tx: StoreWriter,
  previousId: string,
  userId: string | undefined,
  warnings: Warning[],
): Promise<Profile | undefined> {
  const previousProfileId = await tx.profileIdByUserId(previousId)
  if (previousProfileId === undefined) return undefined
  const profile = await load(tx, previousProfileId)
  if (profile.userId === userId) return profile
  warnings.push({
    code: 'alias_refused',
    message: `previousId ${JSON.stringify(previousId)} is another known user; known users are never merged`,
    path: 'previousId',
  })
  return profile
}
