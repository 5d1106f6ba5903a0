import { companyKeys, workEmailDomain } from '../accounts/account-keys.ts'
import { goalConversions } from '../measurement/goal-conversions.ts'
import type { Impression } from '../measurement/exposure.ts'
import {
  findSuppression,
  suppressedResult,
  suppressionCandidates,
} from '../privacy/check-suppression.ts'
import type { Account, Profile, StoredEvent } from '../profile/profile.ts'
import { recordVisit } from '../profile/visitor-stats.ts'
import type { CallPlan, CallRequest, CallSnapshot, Planner, WriteOp } from '../store/call-batch.ts'
import { applyTraits } from './apply-traits.ts'
import type { IngestCall } from './ingest-call.ts'
import type { IngestEvent, IngestResult } from './ingest-event.ts'
import { resolveAccount } from './resolve-account.ts'
import { resolveIdentity } from './resolve-identity.ts'
import { KeyNotRead, SnapshotView } from './snapshot-view.ts'
import type { Warning } from './warnings.ts'

/** A call's plan for an engine: what to read first, and the pure function from it to the writes. */
export function plannerOf(call: IngestCall): {
  request: CallRequest
  plan: Planner<IngestResult>
} {
  const request = callRequestOf(call)
  return { request, plan: (snapshot) => planCall(snapshot, request, call) }
}

/**
 * What a call must read: the devices and user ids it names, the account keys its company traits
 * and email give, its message key and the suppression keys of its identifiers; locked in that
 * neighbourhood so two calls about the same identity queue on engines that lock.
 */
export function callRequestOf(call: IngestCall): CallRequest {
  const { event } = call
  const anonymousIds = [event.anonymousId, event.previousId].filter(isDefined)
  const userIds = [event.userId, event.previousId].filter(isDefined)
  const accountKeys =
    event.company === null || event.company === undefined ? [] : companyKeys(event.company)
  // The email's domain account is looked up only when no company decides the account (see
  // resolve-account.ts): locking it otherwise would queue every call of a shared domain.
  const domain =
    event.company === null || accountKeys.length > 0
      ? undefined
      : workEmailDomain(event.traits.email)
  if (domain !== undefined) accountKeys.push(`domain:${domain}`)
  const locks: string[] = []
  if (event.anonymousId !== undefined) locks.push(`anonymous:${event.anonymousId}`)
  if (event.userId !== undefined) locks.push(`user:${event.userId}`)
  if (event.previousId !== undefined) locks.push(`anonymous:${event.previousId}`)
  locks.push(...accountKeys.map((key) => `account:${key}`))
  return {
    locks,
    anonymousIds,
    userIds,
    accountKeys,
    messageKey: `${event.source}:${call.messageId}`,
    suppressionKeys: suppressionCandidates(event).map((candidate) => candidate.key),
    impressions: call.goal !== undefined || call.withVisitor === true,
  }
}

/**
 * The pipeline as one pure function: from a call's snapshot (read as `request` asked) to the
 * writes it makes and its answer, in the order the product promises: suppression -> dedup ->
 * resolve identity -> merge traits -> merge account -> count the visit -> store -> count a goal
 * conversion. Asks to read more when the account step needs a key the snapshot lacks.
 */
export function planCall(
  snapshot: CallSnapshot,
  request: CallRequest,
  call: IngestCall,
): CallPlan<IngestResult> {
  const { event } = call
  // Which identifier is suppressed is worked out only for a call the store found suppressed.
  const suppressed =
    snapshot.suppressed.length === 0
      ? undefined
      : findSuppression(suppressionCandidates(event), snapshot.suppressed)
  if (suppressed !== undefined) {
    return { kind: 'write', writes: [], result: suppressedResult(event, suppressed) }
  }
  const view = new SnapshotView(snapshot, request)
  const warnings: Warning[] = [...event.warnings]
  if (snapshot.messageSeen) {
    return { kind: 'write', writes: [], result: duplicateOf(view, event, warnings) }
  }
  const writes: WriteOp[] = [
    { op: 'claimMessage', key: request.messageKey, receivedAt: event.receivedAt },
  ]
  try {
    const newId = idSource(call.ids)
    const identity = resolveIdentity(view, writes, event, newId, warnings)
    let profile = identity.profile
    profile = {
      ...profile,
      traits: applyTraits(profile.traits, event.traits, event.at, 'traits', warnings),
    }
    profile = resolveAccount(
      view,
      writes,
      profile,
      event,
      { newId, emailMayHaveChanged: identity.merged || 'email' in event.traits },
      warnings,
    )
    const { goal } = call
    profile = {
      ...profile,
      visitor: recordVisit(profile.visitor, { ...visitOf(event), conversion: goal !== undefined }),
      updatedAt: Math.max(profile.updatedAt, event.receivedAt),
    }
    writes.push({ op: 'putProfile', profile })
    const stored = storedEventOf(event, profile.id, call.messageId)
    if (stored !== undefined) writes.push({ op: 'appendEvent', event: stored })
    const impressions =
      goal !== undefined || call.withVisitor === true
        ? impressionsAfter(view, writes, profile.id)
        : []
    if (goal !== undefined) {
      for (const conversion of goalConversions(impressions, profile.id, goal, event.at)) {
        writes.push({ op: 'recordConversion', conversion })
      }
    }
    return {
      kind: 'write',
      writes,
      result: {
        profileId: profile.id,
        userId: profile.userId,
        anonymousId: identity.anonymousId,
        rotated: identity.rotated,
        duplicate: false,
        warnings,
        merges: writes.flatMap((write) =>
          write.op === 'appendMergeLog' ? [write.entry.kind] : [],
        ),
        ...(call.withVisitor === true
          ? { visitor: { profile, account: accountAfter(view, writes, profile), impressions } }
          : {}),
      },
    }
  } catch (error) {
    if (error instanceof KeyNotRead) return { kind: 'read-more', accountKeys: [error.key] }
    throw error
  }
}

/**
 * The impressions a profile holds once this call's merge moved the other profile's over: the
 * receiving profile's row stands where both hold one of the same experience.
 */
function impressionsAfter(
  view: SnapshotView,
  writes: readonly WriteOp[],
  profileId: string,
): Impression[] {
  const own = view.impressions(profileId)
  const moved = writes.flatMap((write) =>
    write.op === 'moveProfileData' && write.toProfileId === profileId
      ? view.impressions(write.fromProfileId)
      : [],
  )
  const held = new Set(own.map((impression) => impression.experienceId))
  return [
    ...own,
    ...moved
      .filter((impression) => !held.has(impression.experienceId))
      .map((impression) => ({ ...impression, profileId })),
  ]
}

/**
 * The profile's account as the call leaves it: the last one it wrote, else the snapshot's;
 * `undefined` when the call neither read nor wrote it (a page view reads no account).
 */
function accountAfter(
  view: SnapshotView,
  writes: readonly WriteOp[],
  profile: Profile,
): Account | undefined {
  const id = profile.account?.id ?? null
  if (id === null) return undefined
  const written = writes.findLast((write) => write.op === 'putAccount' && write.account.id === id)
  return written?.op === 'putAccount' ? written.account : view.account(id)
}

/** A retried message: answer as the first time would have, change nothing. */
function duplicateOf(view: SnapshotView, event: IngestEvent, warnings: Warning[]): IngestResult {
  const byUser = event.userId === undefined ? undefined : view.profileIdByUserId(event.userId)
  const byDevice =
    event.anonymousId === undefined ? undefined : view.profileIdByAnonymousId(event.anonymousId)
  const profileId = byUser ?? byDevice
  const profile = profileId === undefined ? undefined : view.profile(profileId)
  warnings.push({
    code: 'duplicate_message',
    message: 'This messageId was already processed; the call had no further effect',
    path: 'messageId',
  })
  return {
    profileId: profile?.id ?? '',
    userId: profile?.userId ?? null,
    anonymousId: event.anonymousId ?? null,
    rotated: false,
    duplicate: true,
    warnings,
    merges: [],
  }
}

/** The plan's id source: the call's fresh ids in order (see `IngestCall.ids`). */
function idSource(ids: readonly string[]): () => string {
  let next = 0
  return () => {
    const id = ids[next]
    // More than `idsPerCall` would be a bug in the plan, not bad input.
    if (id === undefined) throw new Error('the call ran out of fresh ids')
    next += 1
    return id
  }
}

function visitOf(event: IngestEvent): Parameters<typeof recordVisit>[1] {
  const inferred = event.inferred === undefined ? {} : { inferred: event.inferred }
  const page = event.page
  if (event.type !== 'page' || page === undefined)
    return { type: event.type, at: event.at, ...inferred }
  const touch: { url?: string; referrer?: string; utm?: Record<string, string> } = {}
  if (page.url !== undefined) touch.url = page.url
  if (page.referrer !== undefined) touch.referrer = page.referrer
  if (page.utm !== undefined) touch.utm = page.utm
  const path = pagePath(page)
  return { type: 'page', at: event.at, touch, ...(path === undefined ? {} : { path }), ...inferred }
}

function pagePath(page: { url?: string; path?: string }): string | undefined {
  if (page.path !== undefined) return page.path
  if (page.url === undefined || !URL.canParse(page.url)) return undefined
  return new URL(page.url).pathname
}

function storedEventOf(
  event: IngestEvent,
  profileId: string,
  messageId: string,
): StoredEvent | undefined {
  if (event.type !== 'page' && event.type !== 'track') return undefined
  const properties: Record<string, unknown> = { ...event.properties }
  if (event.type === 'page' && event.page !== undefined) properties.page = event.page
  return {
    profileId,
    type: event.type,
    name: (event.type === 'track' ? event.event : event.name) ?? null,
    at: event.at,
    receivedAt: event.receivedAt,
    messageId,
    properties,
  }
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined
}
