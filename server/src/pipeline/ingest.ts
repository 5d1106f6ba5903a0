import { randomUUID } from 'node:crypto'
import { findSuppression, suppressedResult } from '../privacy/check-suppression.ts'
import type { StoredEvent } from '../profile/profile.ts'
import { recordVisit } from '../profile/visitor-stats.ts'
import type { Store, StoreWriter } from '../store/store.ts'
import { applyTraits } from './apply-traits.ts'
import type { IngestEvent, IngestResult } from './ingest-event.ts'
import { resolveAccount } from './resolve-account.ts'
import { resolveIdentity } from './resolve-identity.ts'
import type { Warning } from './warnings.ts'

/** The measurement step: track events named as goals count as conversions. */
export interface GoalRecorder {
  isGoal(eventName: string): boolean
  /** Records the conversion for the experiences the profile was shown, inside the call's transaction. */
  recordConversion(tx: StoreWriter, profileId: string, goal: string, at: number): Promise<void>
}

/** What the pipeline needs from outside. */
export interface IngestDeps {
  store: Store
  /** Makes ids for new profiles, accounts and rotated devices. Default in the app: UUID v4. */
  newId: () => string
  /** Counts goal conversions; without it no event is a goal. */
  personalization?: GoalRecorder | undefined
}

/**
 * Applies one validated call, in one transaction, in the order the product promises:
 * suppression -> dedup -> resolve identity -> merge traits -> merge account -> count the visit
 * -> store -> count a goal conversion.
 * The promise resolves only after the commit, so a 2xx always means "durable".
 */
export function ingest(event: IngestEvent, deps: IngestDeps): Promise<IngestResult> {
  const messageId = event.messageId ?? randomUUID()
  return deps.store.transaction(async (tx) => {
    const suppressed = await findSuppression(tx, event)
    if (suppressed !== undefined) return suppressedResult(event, suppressed)
    const warnings: Warning[] = [...event.warnings]
    if (!(await tx.claimMessage(`${event.source}:${messageId}`, event.receivedAt))) {
      return duplicateOf(tx, event, warnings)
    }
    await tx.lock(identityLocks(event))

    const identity = await resolveIdentity(tx, event, deps.newId, warnings)
    let profile = identity.profile
    profile = {
      ...profile,
      traits: applyTraits(profile.traits, event.traits, event.at, 'traits', warnings),
    }
    profile = await resolveAccount(
      tx,
      profile,
      event,
      { newId: deps.newId, emailMayHaveChanged: identity.merged || 'email' in event.traits },
      warnings,
    )
    const goal =
      event.type === 'track' &&
      event.event !== undefined &&
      deps.personalization?.isGoal(event.event)
        ? event.event
        : undefined
    profile = {
      ...profile,
      visitor: recordVisit(profile.visitor, { ...visitOf(event), conversion: goal !== undefined }),
      updatedAt: Math.max(profile.updatedAt, event.receivedAt),
    }
    await tx.putProfile(profile)
    const stored = storedEventOf(event, profile.id, messageId)
    if (stored !== undefined) await tx.appendEvent(stored)
    if (goal !== undefined) {
      await deps.personalization?.recordConversion(tx, profile.id, goal, event.at)
    }

    return {
      profileId: profile.id,
      userId: profile.userId,
      anonymousId: identity.anonymousId,
      rotated: identity.rotated,
      duplicate: false,
      warnings,
    }
  })
}

function identityLocks(event: IngestEvent): string[] {
  const keys: string[] = []
  if (event.anonymousId !== undefined) keys.push(`anonymous:${event.anonymousId}`)
  if (event.userId !== undefined) keys.push(`user:${event.userId}`)
  if (event.previousId !== undefined) keys.push(`anonymous:${event.previousId}`)
  return keys
}

/** A retried message: answer as the first time would have, change nothing. */
async function duplicateOf(
  tx: StoreWriter,
  event: IngestEvent,
  warnings: Warning[],
): Promise<IngestResult> {
  const byUser = event.userId === undefined ? undefined : await tx.profileIdByUserId(event.userId)
  const byDevice =
    event.anonymousId === undefined ? undefined : await tx.profileIdByAnonymousId(event.anonymousId)
  const profileId = byUser ?? byDevice
  const profile = profileId === undefined ? undefined : await tx.profile(profileId)
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
