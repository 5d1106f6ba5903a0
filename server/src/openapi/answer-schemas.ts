import { experienceStatuses } from '../personalization/config-schema.ts'
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

/** A tracking-API call's answer: `{success}`, and with a browser write key the browser fields. */
export const trackingAnswer = successAnswer.extend({
  anonymousId: z.string().optional().meta({ description: 'With a browser write key' }),
  userId: z.string().nullable().optional().meta({ description: 'With a browser write key' }),
  rotated: z.literal(true).optional(),
  segments: payloadFields.segments
    .optional()
    .meta({ description: 'With a browser write key, on identify, page and group' }),
  experiences: payloadFields.experiences
    .optional()
    .meta({ description: 'With a browser write key, on identify, page and group' }),
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

const interval = z.object({ low: z.number(), high: z.number() })

const arm = z.object({
  variation: z.string(),
  visitors: z.number().int(),
  conversions: z.number().int(),
  conversionRate: z.number(),
  rateInterval: interval.nullable().meta({ description: 'Wilson 95 % interval of the rate' }),
})

const lift = z
  .object({
    estimate: z.number(),
    interval: interval.meta({ description: 'Fixed-horizon 95 % interval' }),
    sequentialInterval: interval
      .nullable()
      .meta({ description: 'Always-valid 95 % interval (mSPRT): safe to read every day' }),
  })
  .nullable()

const verdict = z.object({
  status: z.enum(['collecting', 'ready', 'winner', 'loser', 'inconclusive', 'invalid']),
  reason: z.string(),
})

export const reportAnswer = z.object({
  experience: z.string(),
  status: z.enum(experienceStatuses),
  concluded: z.object({ winner: z.string(), at: z.string() }).optional().meta({
    description:
      "A concluded experience's winner and conclusion time: the report counts nothing after it",
  }),
  holdout: z.number(),
  attributionWindowDays: z.number(),
  visitors: z.record(z.string(), z.number().int()),
  health: z.object({
    sampleRatio: z
      .object({
        chiSquare: z.number(),
        degreesOfFreedom: z.number().int(),
        pValue: z.number(),
        mismatch: z.boolean(),
        threshold: z.number(),
        arms: z.array(
          z.object({
            variation: z.string(),
            observed: z.number().int(),
            expectedShare: z.number(),
          }),
        ),
      })
      .nullable()
      .meta({ description: 'Chi-square of exposures against the configured split' }),
  }),
  verdict: verdict.meta({ description: "The first goal's verdict: the experience's headline" }),
  goals: z.array(
    z.object({
      goal: z.string(),
      control: arm,
      variations: z.array(
        arm.extend({
          lift: z.number().nullable(),
          pValue: z.number().nullable(),
          z: z.number().nullable(),
          absoluteLift: lift,
          relativeLift: lift,
          sequentialPValue: z.number().nullable(),
          adjustedPValue: z.number().nullable().meta({ description: 'Holm across variations' }),
          chanceToBeat: z.number().nullable(),
          expectedLoss: z.number().nullable(),
        }),
      ),
      minimumSample: z.object({
        met: z.boolean(),
        exposed: z.number().int(),
        conversions: z.number().int(),
      }),
      verdict,
    }),
  ),
  method: z
    .record(z.string(), z.unknown())
    .meta({ description: 'How the numbers were computed: level, interval, sequential, prior, …' }),
})

export const healthAnswer = z.object({ status: z.literal('ok') })

export const readyAnswer = z.object({ status: z.literal('ready'), store: z.string() })

export const errorAnswer = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    path: z.string().optional().meta({ description: 'The field, header or query parameter' }),
    details: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'What a client needs to act on some errors: `issues` of `invalid_config`, the versions published in between of `config_version_conflict`, `impacts` of `confirmation_required`',
    }),
  }),
})
