import type { InferredFacts, MergeKind } from '../profile/profile.ts'
import type { JsonObject } from '../traits/json.ts'
import type { Warning } from './warnings.ts'
import type { PersonalizedVisitor } from '../profile/personalized-visitor.ts'

/** The kinds of call, named as in the Segment spec. */
export type EventType = 'identify' | 'group' | 'track' | 'page' | 'alias'

/** What a page view tells about where the visitor is and came from. */
export interface PageInfo {
  url?: string
  path?: string
  referrer?: string
  title?: string
  search?: string
  utm?: Record<string, string>
}

/**
 * One call, validated and normalised at the edge, in the single shape the pipeline works on,
 * whichever endpoint it came through.
 */
export interface IngestEvent {
  type: EventType
  /**
   * `browser`: the page's own call (a device that can rotate its anonymous id);
   * `server`: a write-key call from the site's backend, trusted.
   */
  channel: 'browser' | 'server'
  /** Dedup scope: a message id counts once per source (a write key, or the browser). */
  source: string
  messageId: string | undefined
  anonymousId: string | undefined
  userId: string | undefined
  /** `alias` calls: the id the user was known by before. */
  previousId?: string
  /** User traits, reserved ones normalised, without `company`. */
  traits: JsonObject
  /** Company traits to merge into the account; `null` leaves the current account. */
  company: JsonObject | null | undefined
  event?: string
  name?: string
  properties?: JsonObject
  page?: PageInfo
  /**
   * The visitor's address, from `http/client-address`: the connection's for browser traffic,
   * `context.ip` for a server key. For enrichment; not stored.
   */
  clientIp?: string | undefined
  /** Event time (ms), corrected for the sender's clock. */
  at: number
  /** When the container received the call (ms). */
  receivedAt: number
  /** Caveats found at the edge, returned with the response. */
  warnings: Warning[]
  /** Browser calls with enrichment on: what the request's address told (never the address). */
  inferred?: InferredFacts
}

/** What the pipeline did with a call. */
export interface IngestResult {
  profileId: string
  userId: string | null
  /** The anonymous id the device should use from now on (a new one after a rotation). */
  anonymousId: string | null
  /** True when the device must start over with `anonymousId` (another user logged in on it). */
  rotated: boolean
  /** True when the message id was seen before and this call changed nothing. */
  duplicate: boolean
  warnings: Warning[]
  /** The identity changes the call made (the merge log's kinds), for the metrics. */
  merges: MergeKind[]
  /**
   * The profile as the call left it, with its impressions and (when the call read or wrote it)
   * its account: only for a call that asked (`IngestCall.withVisitor`) and wrote.
   */
  visitor?: PersonalizedVisitor
}
