import { randomUUID } from 'node:crypto'
import type { GoalSpec } from '../measurement/goal-conversions.ts'
import type { Store } from '../store/store.ts'
import { idsPerCall, type IngestCall } from './ingest-call.ts'
import type { IngestEvent, IngestResult } from './ingest-event.ts'

/** The goals the pipeline counts: the personalisation config's, as plain data. */
export interface GoalSource {
  /** The goal a track event of this name reaches, if the config names it as one. */
  goal(eventName: string): GoalSpec | undefined
}

/** What the pipeline needs from outside. */
export interface IngestDeps {
  store: Store
  /** Makes ids for new profiles, accounts and rotated devices. Default in the app: UUID v4. */
  newId: () => string
  /** Counts goal conversions; without it no event is a goal. */
  personalization?: GoalSource | undefined
}

/**
 * Applies one validated call at the grain of a call: the store reads the call's identity
 * neighbourhood in one go, `planCall` (pure) decides the writes and the answer, and the store
 * writes them as one batch. The promise resolves only after the commit, so a 2xx always means
 * "durable".
 */
export function ingest(
  event: IngestEvent,
  deps: IngestDeps,
  options?: Pick<IngestCall, 'withVisitor'>,
): Promise<IngestResult> {
  return deps.store.runCall(ingestCallOf(event, deps, options?.withVisitor === true))
}

/** The call as data: its message id, the fresh ids its plan may take, the goal it reaches. */
export function ingestCallOf(
  event: IngestEvent,
  deps: Pick<IngestDeps, 'newId' | 'personalization'>,
  withVisitor = false,
): IngestCall {
  const goal =
    event.type === 'track' && event.event !== undefined
      ? deps.personalization?.goal(event.event)
      : undefined
  return {
    event,
    messageId: event.messageId ?? randomUUID(),
    ids: Array.from({ length: idsPerCall }, () => deps.newId()),
    goal,
    withVisitor,
  }
}
