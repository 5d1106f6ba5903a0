import type { JsonObject } from '../traits/json.ts'
import type { IngestEvent } from './ingest-event.ts'

/** What an identify made inside the container (not parsed from a request) says. */
export interface IdentifyFields {
  channel: IngestEvent['channel']
  source: string
  anonymousId: string
  userId?: string
  traits?: JsonObject
  company?: JsonObject
  /** Event and receipt time (ms). */
  at: number
}

/**
 * An identify event built by the container itself: a new device's profile on `/v1/personalize`,
 * or seed data in benchmarks. No message id (the pipeline makes one), no warnings.
 */
export function identifyEvent(fields: IdentifyFields): IngestEvent {
  return {
    type: 'identify',
    channel: fields.channel,
    source: fields.source,
    messageId: undefined,
    anonymousId: fields.anonymousId,
    userId: fields.userId,
    traits: fields.traits ?? {},
    company: fields.company,
    at: fields.at,
    receivedAt: fields.at,
    warnings: [],
  }
}
