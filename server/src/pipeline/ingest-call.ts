import type { GoalSpec } from '../measurement/goal-conversions.ts'
import type { IngestEvent } from './ingest-event.ts'

/**
 * One pipeline call as plain data, everything its pure plan needs besides the snapshot, so an
 * engine can run it wherever its data is (the SQLite engine runs it on its own thread).
 */
export interface IngestCall {
  event: IngestEvent
  /** The call's message id: the sender's, or one made for it. */
  messageId: string
  /**
   * Fresh ids the plan takes in order for a new profile, a new account or a rotated device; a
   * call needs at most `idsPerCall`.
   */
  ids: readonly string[]
  /** The goal this call reaches (a track event the config names as a goal), if any. */
  goal: GoalSpec | undefined
  /**
   * Whether the result carries the profile as the call left it (`IngestResult.visitor`), for a
   * browser answer's payload. Default: no.
   */
  withVisitor?: boolean
}

/** Most fresh ids one call's plan can use: a new profile, a rotated device id and an account. */
export const idsPerCall = 3
