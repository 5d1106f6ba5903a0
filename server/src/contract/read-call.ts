import type { z } from 'zod'
import type { IngestEvent } from '../pipeline/ingest-event.ts'
import { schemasByType, type CallType, type ParsedCall } from './event-schemas.ts'
import { inspectJson } from './inspect-json.ts'
import { parseWith } from './parse-with.ts'
import { toIngestEvent, type CallOrigin } from './to-ingest-event.ts'

/**
 * The edge of the pipeline for one call: shape checks (depth, key count, forbidden keys), then the
 * zod schema, then normalisation into an `IngestEvent`. Throws an `AppError` naming the path.
 */
export function readCall<S extends z.ZodType = (typeof schemasByType)[CallType]>(
  type: CallType,
  body: unknown,
  origin: CallOrigin,
  schema?: S,
): { call: z.output<S>; event: IngestEvent } {
  const inspected = inspectJson(body, { path: origin.path })
  const call = parseWith(schema ?? schemasByType[type], inspected.value, origin.path) as z.output<S>
  const event = toIngestEvent(type, call as ParsedCall, {
    ...origin,
    warnings: [...(origin.warnings ?? []), ...inspected.warnings],
  })
  return { call, event }
}
