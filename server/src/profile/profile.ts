import type { TraitNode } from '../traits/trait-tree.ts'

/** Where a visitor first came from: kept from the earliest event, through every merge. */
export interface FirstTouch {
  at: number
  url?: string
  referrer?: string
  utm?: Record<string, string>
}

/** One path the visitor viewed, with the time of the latest view. */
export interface VisitedPath {
  path: string
  at: number
}

/**
 * What the container counted about a visitor; counters add up when profiles merge. The fields
 * added after the first release are optional: profiles stored before them read as zero / none.
 */
export interface VisitorStats {
  firstSeenAt: number
  lastSeenAt: number
  pageViews: number
  events: number
  firstTouch?: FirstTouch
  /** Page-view sessions: a new one starts after 30 minutes of quiet. */
  sessions?: number
  /** Track events named as goals in the personalisation config. */
  conversions?: number
  /** Distinct page paths, latest view first, at most 50. */
  visitedPaths?: VisitedPath[]
  /** What enrichment derived from the latest enriched browser call (never the address). */
  inferred?: InferredFacts
}

/**
 * Facts derived from a request's address by enrichment, kept while the profile lives (the
 * privacy export shows them, a delete erases them). The address itself is never stored.
 */
export interface InferredFacts {
  at: number
  country?: string
  region?: string
  asn?: number
  org?: string
  /** The inferred company's domain; its traits are never written to an account. */
  companyDomain?: string
  companySource?: 'ranges' | 'provider'
}

/**
 * The link from a profile to its company account. `id: null` records an explicit "no company"
 * (`company: null`), which a work-email guess does not override.
 */
export interface AccountLink {
  id: string | null
  /** `company` (traits or a group call) always outranks `email` (a guess from the domain). */
  source: 'company' | 'email'
  at: number
}

/** One person: anonymous until a user id is known, then that user's one profile. */
export interface Profile {
  id: string
  userId: string | null
  account: AccountLink | null
  traits: TraitNode
  visitor: VisitorStats
  createdAt: number
  updatedAt: number
}

/** A company, shared by every profile linked to it. */
export interface Account {
  id: string
  traits: TraitNode
  createdAt: number
  updatedAt: number
}

/** Why a profile's identity changed; every change is written to the merge log. */
export type MergeKind = 'identified' | 'merged' | 'alias_added' | 'detached'

/** One audited identity change: who (anonymous id, user id), into whom, why and when. */
export interface MergeLogEntry {
  at: number
  kind: MergeKind
  fromProfileId: string | null
  intoProfileId: string
  anonymousId: string | null
  userId: string | null
  reason: string
  messageId: string | null
}

/** A page view or track event as kept for audit, export and later attribution. */
export interface StoredEvent {
  profileId: string
  type: 'page' | 'track'
  name: string | null
  at: number
  receivedAt: number
  messageId: string
  properties: Record<string, unknown>
}

/** A fresh profile for a visitor first seen at `at`. */
export function newProfile(id: string, userId: string | null, at: number): Profile {
  return {
    id,
    userId,
    account: null,
    traits: {},
    visitor: { firstSeenAt: at, lastSeenAt: at, pageViews: 0, events: 0 },
    createdAt: at,
    updatedAt: at,
  }
}
