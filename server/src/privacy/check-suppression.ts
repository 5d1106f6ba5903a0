import type { IngestEvent, IngestResult } from '../pipeline/ingest-event.ts'
import { suppressionKey, type SuppressionKind } from './suppression-keys.ts'

/** The identifier that got a call dropped, and where it was in the call. */
export interface SuppressedBy {
  kind: SuppressionKind
  path: string
}

/** One identifier of a call that a suppression could name, with its key. */
export interface SuppressionCandidate extends SuppressedBy {
  key: string
}

/**
 * Every identifier a call carries (user id, anonymous id, alias `previousId`, trait email), with
 * its suppression key. The pipeline reads which keys are suppressed before anything else, so a
 * suppressed call writes nothing, not even its message id.
 */
export function suppressionCandidates(event: IngestEvent): SuppressionCandidate[] {
  const candidates: { kind: SuppressionKind; value: string; path: string }[] = []
  if (event.userId !== undefined)
    candidates.push({ kind: 'userId', value: event.userId, path: 'userId' })
  if (event.previousId !== undefined)
    candidates.push({ kind: 'userId', value: event.previousId, path: 'previousId' })
  if (event.anonymousId !== undefined)
    candidates.push({ kind: 'anonymousId', value: event.anonymousId, path: 'anonymousId' })
  if (event.previousId !== undefined)
    candidates.push({ kind: 'anonymousId', value: event.previousId, path: 'previousId' })
  const email = event.traits.email
  if (typeof email === 'string')
    candidates.push({ kind: 'email', value: email, path: 'traits.email' })
  return candidates.map(({ kind, value, path }) => ({
    kind,
    path,
    key: suppressionKey(kind, value),
  }))
}

/** The first candidate whose key is among the `suppressed` ones. */
export function findSuppression(
  candidates: readonly SuppressionCandidate[],
  suppressed: readonly string[],
): SuppressedBy | undefined {
  const hits = new Set(suppressed)
  const hit = candidates.find((candidate) => hits.has(candidate.key))
  return hit === undefined ? undefined : { kind: hit.kind, path: hit.path }
}

/** The answer to a suppressed call: accepted (200, so clients do not retry) and flagged. */
export function suppressedResult(event: IngestEvent, by: SuppressedBy): IngestResult {
  return {
    profileId: '',
    userId: null,
    anonymousId: event.anonymousId ?? null,
    rotated: false,
    duplicate: false,
    warnings: [
      ...event.warnings,
      {
        code: 'suppressed',
        message: `This ${by.kind} is suppressed at the user's request; the call was dropped`,
        path: by.path,
      },
    ],
    merges: [],
  }
}
