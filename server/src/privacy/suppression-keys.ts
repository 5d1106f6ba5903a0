import { hash } from 'node:crypto'
import type { Suppression } from '../store/store.ts'

/** The identifiers a suppression can name. */
export type SuppressionKind = Suppression['kind']

/**
 * The stored key of a suppressed identifier: SHA-256 of its kind and value (emails trimmed and
 * lower-cased as the pipeline stores them). The store can match later calls against it without
 * keeping the identifier of someone who asked to be forgotten in clear.
 */
export function suppressionKey(kind: SuppressionKind, value: string): string {
  const normalized = kind === 'email' ? value.trim().toLowerCase() : value
  return hash('sha256', `${kind}\u0000${normalized}`, 'hex')
}

/** Suppression records for each given identifier, ready for `StoreWriter.suppress`. */
export function suppressionsOf(
  ids: Partial<Record<SuppressionKind, readonly string[]>>,
  reason: Suppression['reason'],
  at: number,
): Suppression[] {
  return (Object.entries(ids) as [SuppressionKind, readonly string[]][]).flatMap(([kind, values]) =>
    values.map((value) => ({ key: suppressionKey(kind, value), kind, reason, at })),
  )
}
