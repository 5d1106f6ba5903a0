import { mergeTraitTrees } from '../traits/trait-tree.ts'
import type { AccountLink, Profile } from './profile.ts'
import { mergeVisitorStats } from './visitor-stats.ts'

/**
 * Folds an anonymous profile into the profile it turned out to be (`into` keeps its id and user
 * id, so its experiment buckets stand). Per-trait times decide conflicts, first-touch facts keep
 * the earliest, counters add up.
 */
export function mergeProfiles(into: Profile, from: Profile, at: number): Profile {
  return {
    ...into,
    account: strongerLink(into.account, from.account),
    traits: mergeTraitTrees(into.traits, from.traits),
    visitor: mergeVisitorStats(into.visitor, from.visitor),
    createdAt: Math.min(into.createdAt, from.createdAt),
    updatedAt: Math.max(into.updatedAt, at),
  }
}

/**
 * The link that stands between two: one from company traits outranks a guess from an email
 * domain; between equals, the later one wins.
 */
export function strongerLink(a: AccountLink | null, b: AccountLink | null): AccountLink | null {
  if (a === null) return b
  if (b === null) return a
  if (a.source !== b.source) return a.source === 'company' ? a : b
  return b.at > a.at ? b : a
}
