import type { Conversion, Impression } from '../measurement/exposure.ts'
import type { Account, MergeLogEntry, Profile, StoredEvent } from '../profile/profile.ts'

/*
 * A call at the grain the engines work in: one read of the call's identity neighbourhood (a
 * snapshot), a pure plan made from it, and one batch of writes. See `run-call.ts` for the
 * generic way to carry it out inside a transaction and the pipeline's `plan-call.ts` for the plan.
 */

/** What a call reads before it decides anything. Every list may be empty. */
export interface CallRequest {
  /** Lock names taken before the read, in one global order (`user:…`, `anonymous:…`, `account:…`). */
  locks: readonly string[]
  /** Devices the call names: their links to profiles are read, with those profiles. */
  anonymousIds: readonly string[]
  /** User ids the call names: the profiles that hold them are read. */
  userIds: readonly string[]
  /** Account lookup keys (`id:…`, `domain:…`): their accounts are read, with all their keys. */
  accountKeys: readonly string[]
  /** The dedup key of the call's message id (`<source>:<messageId>`). */
  messageKey: string
  /** Suppression keys of the identifiers the call carries. */
  suppressionKeys: readonly string[]
  /** Whether to read the impressions of the profiles found (a goal conversion needs them). */
  impressions: boolean
}

/** What the store held for a `CallRequest`, as one consistent view. Lists keep request order. */
export interface CallSnapshot {
  messageSeen: boolean
  /** The subset of the request's suppression keys that are suppressed. */
  suppressed: string[]
  devices: { anonymousId: string; profileId: string }[]
  users: { userId: string; profileId: string }[]
  /** Every profile a device or user id of the request points at, once each. */
  profiles: Profile[]
  accountKeys: { key: string; accountId: string }[]
  /**
   * Every account a key points at, with all the keys it holds (oldest first) when the request
   * names an `id:` key no account holds (the only case the plan reads them; else engines may
   * leave them out).
   */
  accounts: { account: Account; keys: string[] }[]
  /** The impressions of the profiles found, when the request asked for them. */
  impressions: Impression[]
}

/** A snapshot of a store that holds nothing the request names. */
export function emptySnapshot(): CallSnapshot {
  return {
    messageSeen: false,
    suppressed: [],
    devices: [],
    users: [],
    profiles: [],
    accountKeys: [],
    accounts: [],
    impressions: [],
  }
}

/** One write of a call's batch; the engine applies them in order, in one transaction. */
export type WriteOp =
  /** Must be first: when another call claimed the key meanwhile, the whole batch is re-planned. */
  | { op: 'claimMessage'; key: string; receivedAt: number }
  | { op: 'putProfile'; profile: Profile }
  | { op: 'deleteProfile'; id: string }
  | { op: 'linkAnonymousId'; anonymousId: string; profileId: string; at: number }
  | { op: 'unlinkAnonymousId'; anonymousId: string }
  | { op: 'moveProfileData'; fromProfileId: string; toProfileId: string }
  | { op: 'putAccount'; account: Account }
  | { op: 'linkAccountKey'; key: string; accountId: string }
  | { op: 'appendMergeLog'; entry: MergeLogEntry }
  | { op: 'appendEvent'; event: StoredEvent }
  | { op: 'recordConversion'; conversion: Conversion }

/**
 * What a plan decided: the writes and the answer, or that it needs more account keys read first
 * (a merge brought in a work email whose domain the first read could not know).
 */
export type CallPlan<T> =
  { kind: 'write'; writes: WriteOp[]; result: T } | { kind: 'read-more'; accountKeys: string[] }

/** A pure function from a snapshot to a plan; it may be asked again with a fresher snapshot. */
export type Planner<T> = (snapshot: CallSnapshot) => CallPlan<T>
