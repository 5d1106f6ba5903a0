import type { IngestEvent } from '../../server/src/pipeline/ingest-event.ts'

/**
 * A validated call as the contract hands it to the pipeline: by default an identify from a
 * server key with message id `m1`, no ids, no traits, at 1,000 ms; `fields` override.
 */
export function serverEvent(fields: Partial<IngestEvent> = {}): IngestEvent {
  return {
    type: 'identify',
    channel: 'server',
    source: 'test',
    messageId: 'm1',
    anonymousId: undefined,
    userId: undefined,
    traits: {},
    company: undefined,
    at: 1_000,
    receivedAt: 1_000,
    warnings: [],
    ...fields,
  }
}
