import { randomUUID } from 'node:crypto'
import type { Store } from '../store/store.ts'
import type { IngestEvent, IngestResult } from './ingest-event.ts'
import { callRequestOf, goalOf, planCall, type GoalCounter } from './plan-call.ts'

/** What the pipeline needs from outside. */
export interface IngestDeps {
  store: Store
  /** Makes ids for new profiles, accounts and rotated devices. Default in the app: UUID v4. */
  newId: () => string
  /** Counts goal conversions; without it no event is a goal. */
  personalization?: GoalCounter | undefined
}

/**
 * Applies one validated call at the grain of a call: the store reads the call's identity
 * neighbourhood in one go, `planCall` (pure) decides the writes and the answer, and the store
 * writes them as one batch. The promise resolves only after the commit, so a 2xx always means
 * "durable".
 */
export function ingest(event: IngestEvent, deps: IngestDeps): Promise<IngestResult> {
  const messageId = event.messageId ?? randomUUID()
  const goal = goalOf(event, deps.personalization)
  const request = callRequestOf(event, messageId, goal)
  return deps.store.runCall(request, (snapshot) =>
    planCall(snapshot, request, event, {
      messageId,
      newId: deps.newId,
      goal,
      goals: deps.personalization,
    }),
  )
}
