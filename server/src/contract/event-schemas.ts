import { z } from 'zod'
import { isJsonObject, type JsonObject } from '../traits/json.ts'

/** Ids may arrive as numbers from some SDKs; they are stored as strings. */
const id = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .pipe(z.string().max(10_000))

/** ISO 8601 text or Unix milliseconds, as a number of milliseconds. */
const instant = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date-time' })
    return z.NEVER
  }
  return ms
})

const object = z.custom<JsonObject>(isJsonObject, { message: 'expected an object' })

/** Fields every call shares (Segment's common fields). Unknown fields are ignored. */
const common = {
  anonymousId: id.nullish(),
  userId: id.nullish(),
  messageId: z.string().min(1).max(400).optional(),
  timestamp: instant.optional(),
  originalTimestamp: instant.optional(),
  sentAt: instant.optional(),
  context: object.optional(),
}

export const identifySchema = z.object({ ...common, traits: object.nullish() })

export const groupSchema = z.object({ ...common, groupId: id, traits: object.nullish() })

export const trackSchema = z.object({
  ...common,
  event: z.string().trim().min(1, 'expected an event name').max(400),
  properties: object.nullish(),
})

export const pageSchema = z.object({
  ...common,
  name: z.string().max(400).nullish(),
  category: z.string().max(400).nullish(),
  properties: object.nullish(),
})

export const aliasSchema = z.object({ ...common, previousId: id, userId: id })

/** Browser identify: the Segment fields plus the identity-verification hash. */
export const browserIdentifySchema = identifySchema.extend({
  userHash: z.string().max(200).optional(),
})

export const batchSchema = z.object({
  batch: z.array(z.unknown()),
  sentAt: instant.optional(),
  context: object.optional(),
})

export const schemasByType = {
  identify: identifySchema,
  group: groupSchema,
  track: trackSchema,
  page: pageSchema,
  alias: aliasSchema,
} as const

export type CallType = keyof typeof schemasByType
export type ParsedCall = z.output<(typeof schemasByType)[CallType]> & {
  traits?: JsonObject | null
  groupId?: string
  event?: string
  properties?: JsonObject | null
  name?: string | null
  previousId?: string
}
