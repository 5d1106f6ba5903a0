import { z } from 'zod'

/**
 * The shapes of the container's answers, for the OpenAPI description only: answers are built in
 * code, not parsed. `test/openapi/answers-match.test.ts` checks real answers against them.
 */
const json = z.record(z.string(), z.unknown())

export const warningSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
})

const warnings = z.array(warningSchema).optional().meta({
  description: 'Caveats on an accepted call (`junk_user_id`, `forbidden_key`, …); see docs/api.md',
})

export const successAnswer = z.object({ success: z.literal(true), warnings })

export const batchAnswer = z.object({
  success: z.literal(true),
  rejected: z
    .array(
      z.object({
        index: z.number().int(),
        code: z.string(),
        message: z.string(),
        path: z.string().optional(),
      }),
    )
    .optional()
    .meta({ description: 'Events of the batch that were refused; the others were stored' }),
  warnings,
})

const experienceDecision = z.object({
  id: z.string(),
  variation: z.string(),
  control: z.boolean(),
  content: z.record(z.string(), z.string()),
})

export const payloadFields = {
  segments: z.array(z.string()),
  experiences: z.array(experienceDecision),
}

export const personalizeAnswer = z.object({
  anonymousId: z.string(),
  userId: z.string().optional(),
  ...payloadFields,
})

export const browserAnswer = z.object({
  anonymousId: z.string(),
  userId: z.string().nullable().optional(),
  rotated: z.literal(true).optional(),
  segments: payloadFields.segments.optional().meta({ description: 'Not on track answers' }),
  experiences: payloadFields.experiences.optional().meta({ description: 'Not on track answers' }),
  warnings,
})

const mergeLogEntry = z.object({
  at: z.string(),
  kind: z.string(),
  fromProfileId: z.string().nullable(),
  intoProfileId: z.string(),
  anonymousId: z.string().nullable(),
  userId: z.string().nullable(),
  reason: z.string(),
  messageId: z.string().nullable(),
})

export const profileView = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  anonymousIds: z.array(z.string()),
  traits: json,
  account: z
    .object({ id: z.string(), keys: z.array(z.string()), traits: json, link: json })
    .nullable(),
  visitor: json,
  createdAt: z.string(),
  updatedAt: z.string(),
  mergeLog: z.array(mergeLogEntry),
})

export const lookupAnswer = z.object({ profile: profileView })

export const exportAnswer = z.object({
  exportedAt: z.string(),
  profile: profileView,
  events: z.array(json),
})

export const deleteAnswer = z.object({
  deleted: z
    .object({
      profileId: z.string(),
      userId: z.string().nullable(),
      anonymousIds: z.number().int(),
      events: z.number().int(),
      mergeLog: z.number().int(),
    })
    .nullable(),
})

const kinds = z.enum(['userId', 'anonymousId', 'email'])

export const suppressAnswer = z.object({ suppressed: z.array(kinds) })

export const suppressionsAnswer = z.object({
  suppressed: z.partialRecord(kinds, z.boolean()),
})

export const liftAnswer = z.object({ lifted: z.number().int() })

const arm = z.object({
  variation: z.string(),
  visitors: z.number().int(),
  conversions: z.number().int(),
  conversionRate: z.number(),
})

export const reportAnswer = z.object({
  experience: z.string(),
  holdout: z.number(),
  attributionWindowDays: z.number(),
  visitors: z.record(z.string(), z.number().int()),
  goals: z.array(
    z.object({
      goal: z.string(),
      control: arm,
      variations: z.array(
        arm.extend({ lift: z.number().nullable(), pValue: z.number().nullable() }),
      ),
    }),
  ),
})

export const healthAnswer = z.object({ status: z.literal('ok') })

export const readyAnswer = z.object({ status: z.literal('ready'), store: z.string() })

export const errorAnswer = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    path: z.string().optional().meta({ description: 'The field, header or query parameter' }),
  }),
})
