import { decideIdentity } from '../identity/decide-identity.ts'
import { mergeProfiles } from '../profile/merge-profiles.ts'
import { newProfile, type MergeKind, type Profile } from '../profile/profile.ts'
import type { WriteOp } from '../store/call-batch.ts'
import { StoreConflictError } from '../store/store-conflict.ts'
import type { IngestEvent } from './ingest-event.ts'
import type { SnapshotView } from './snapshot-view.ts'
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
 * section 3 on the call's snapshot, adding the writes (links, merges, every change logged) to
 * `writes`. Pure apart from `newId`.
 */
export function resolveIdentity(
  view: SnapshotView,
  writes: WriteOp[],
  event: IngestEvent,
  newId: () => string,
  warnings: Warning[],
): ResolvedIdentity {
  const { anonymousId, userId, at } = event
  const log = (
    kind: MergeKind,
    entry: { from: string | null; into: string; anonymousId: string | null; reason: string },
  ) =>
    writes.push({
      op: 'appendMergeLog',
      entry: {
        at: event.receivedAt,
        kind,
        fromProfileId: entry.from,
        intoProfileId: entry.into,
        anonymousId: entry.anonymousId,
        userId: userId ?? null,
        reason: entry.reason,
        messageId: event.messageId ?? null,
      },
    })

  const link = (linked: string, profileId: string) =>
    writes.push({ op: 'linkAnonymousId', anonymousId: linked, profileId, at: event.receivedAt })

  if (event.type === 'alias' && event.previousId !== undefined) {
    const refused = refuseAliasOfKnownUser(view, event.previousId, userId, warnings)
    if (refused !== undefined)
      return { profile: refused, anonymousId: null, rotated: false, merged: false }
  }

  const anonymousProfileId =
    anonymousId === undefined ? undefined : view.profileIdByAnonymousId(anonymousId)
  const anonymousProfile =
    anonymousProfileId === undefined ? undefined : view.profile(anonymousProfileId)
  const userProfileId = userId === undefined ? undefined : view.profileIdByUserId(userId)
  const plan = decideIdentity({ anonymousId, userId, anonymousProfile, userProfileId })
  const reason = event.type === 'alias' ? 'alias call' : `${event.type} call`

  switch (plan.kind) {
    case 'create': {
      const profile = newProfile(newId(), plan.userId, at)
      if (plan.anonymousId !== null) {
        link(plan.anonymousId, profile.id)
        if (plan.userId !== null) {
          log('identified', {
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
      const found =
        anonymousProfile?.id === plan.profileId ? anonymousProfile : load(view, plan.profileId)
      const profile = plan.setUserId === undefined ? found : { ...found, userId: plan.setUserId }
      if (plan.setUserId !== undefined) {
        log('identified', {
          from: null,
          into: profile.id,
          anonymousId: anonymousId ?? null,
          reason,
        })
      }
      if (plan.addAnonymousId !== undefined) {
        link(plan.addAnonymousId, profile.id)
        log('alias_added', {
          from: null,
          into: profile.id,
          anonymousId: plan.addAnonymousId,
          reason,
        })
      }
      return { profile, anonymousId: anonymousId ?? null, rotated: false, merged: false }
    }
    case 'merge': {
      const from = anonymousProfile ?? load(view, plan.fromProfileId)
      const into = load(view, plan.intoProfileId)
      writes.push({ op: 'moveProfileData', fromProfileId: from.id, toProfileId: into.id })
      writes.push({ op: 'deleteProfile', id: from.id })
      log('merged', {
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
      writes.push({ op: 'unlinkAnonymousId', anonymousId: plan.anonymousId })
      const profile =
        plan.userProfileId === undefined
          ? newProfile(newId(), userId ?? null, at)
          : load(view, plan.userProfileId)
      log('detached', {
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
      link(fresh, profile.id)
      log('alias_added', {
        from: null,
        into: profile.id,
        anonymousId: fresh,
        reason: 'new anonymous id for a device another user had used',
      })
      return { profile, anonymousId: fresh, rotated: true, merged: false }
    }
  }
}

function load(view: SnapshotView, id: string): Profile {
  const profile = view.profile(id)
  // Another instance merged it away after this transaction found the link: run again.
  if (profile === undefined) throw new StoreConflictError(`profile ${id} is linked but missing`)
  return profile
}

/**
 * `alias(previousId → userId)` where `previousId` is itself a known user: two known users are
 * never merged, so the call changes nothing but the warning it returns.
 */
function refuseAliasOfKnownUser(
  view: SnapshotView,
  previousId: string,
  userId: string | undefined,
  warnings: Warning[],
): Profile | undefined {
  const previousProfileId = view.profileIdByUserId(previousId)
  if (previousProfileId === undefined) return undefined
  const profile = load(view, previousProfileId)
  if (profile.userId === userId) return profile
  warnings.push({
    code: 'alias_refused',
    message: `previousId ${JSON.stringify(previousId)} is another known user; known users are never merged`,
    path: 'previousId',
  })
  return profile
}
