import { z } from 'zod'
import { attributeProblem } from './attributes.ts'
import { operators, type Condition, type Rule } from './rule-types.ts'
import { compilePagePattern } from './url-pattern.ts'
import { compileTemplate, TemplateError } from './template.ts'

/** Short messages for the common cases, instead of zod's "Invalid input: …". */
export function configErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `is required (expected ${article(issue.expected)})`
    return `expected ${article(issue.expected)}`
  }
  if (issue.code === 'invalid_key') {
    // A record key (a slot name): say what is wrong with it rather than "Invalid key in record".
    const inner = issue.issues[0]
    return typeof inner?.message === 'string' ? inner.message : 'not a valid key'
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
  }
  return undefined
}

function article(expected: string): string {
  if (expected === 'array') return 'a list'
  if (expected === 'object' || expected === 'record') return 'a mapping'
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`
}

const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'expected an id of letters, digits, _ . - (max 100)')
const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a string, number or boolean',
})
const text = z.string().min(1, 'expected a non-empty string')
const isoDate = text.refine(
  (value) => !Number.isNaN(Date.parse(value)),
  'expected a number or an ISO date',
)

/** What `value` must be for each operator; `exists` / `not_exists` take none. */
const valueSchemas: Record<(typeof operators)[number], z.ZodType | undefined> = {
  equal: scalar,
  not_equal: scalar,
  in: z.array(scalar).min(1, 'expected a non-empty list'),
  not_in: z.array(scalar).min(1, 'expected a non-empty list'),
  includes: scalar,
  not_includes: scalar,
  starts_with: text,
  ends_with: text,
  matches: text.superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern)
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a valid regular expression: ${(error as Error).message}`,
      })
    }
  }),
  gt: z.union([z.number(), isoDate], { error: 'expected a number or an ISO date' }),
  gte: z.union([z.number(), isoDate], { error: 'expected a number or an ISO date' }),
  lt: z.union([z.number(), isoDate], { error: 'expected a number or an ISO date' }),
  lte: z.union([z.number(), isoDate], { error: 'expected a number or an ISO date' }),
  exists: undefined,
  not_exists: undefined,
}

const conditionSchema = z
  .strictObject({
    attribute: z.string().superRefine((path, ctx) => {
      const problem = attributeProblem(path)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    }),
    operator: z.enum(operators, { error: `expected one of ${operators.join(', ')}` }),
    value: z.unknown().optional(),
  })
  .superRefine((condition, ctx) => {
    const schema = valueSchemas[condition.operator]
    if (schema === undefined) {
      if (condition.value !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `${condition.operator} takes no value`,
        })
      }
      return
    }
    if (condition.value === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `${condition.operator} needs a value`,
      })
      return
    }
    const result = schema.safeParse(condition.value, { error: configErrorMap })
    for (const issue of result.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['value', ...issue.path], message: issue.message })
    }
  })

const ruleKeys = ['all', 'any', 'not', 'attribute'] as const

/**
 * A rule node is told apart by its key (`all`, `any`, `not`, else a condition), so an error
 * names the path inside the right branch instead of "no union member matched".
 */
const ruleSchema: z.ZodType<Rule> = z.lazy(() =>
  z.unknown().transform((node, ctx): Rule => {
    const key =
      typeof node === 'object' && node !== null && !Array.isArray(node)
        ? ruleKeys.find((name) => Object.hasOwn(node, name))
        : undefined
    const schema =
      key === 'all' || key === 'any'
        ? z.strictObject({
            [key]: z.array(ruleSchema).min(1, 'expected a non-empty list of rules'),
          })
        : key === 'not'
          ? z.strictObject({ not: ruleSchema })
          : key === 'attribute'
            ? conditionSchema
            : undefined
    if (schema === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'expected a rule: {all: [...]}, {any: [...]}, {not: {...}} or {attribute, operator, value}',
      })
      return z.NEVER
    }
    const result = schema.safeParse(node, { error: configErrorMap })
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
      }
      return z.NEVER
    }
    return result.data as Condition
  }),
)

const templateSchema = z.string().superRefine((source, ctx) => {
  try {
    compileTemplate(source)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    ctx.addIssue({ code: 'custom', message: error.message })
  }
})

/** Names an object key may not have: they would reach an object's prototype. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype'])

const slot = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a slot name of letters, digits, _ -')
  .refine((name) => !reservedKeys.has(name), 'this slot name is reserved')

const variationSchema = z.strictObject({
  id: id.refine((value) => value !== 'control', '"control" is reserved for the holdout'),
  description: z.string().optional(),
  weight: z.number().min(0, 'expected a weight >= 0').default(1),
  /**
   * A paused variation takes no new visitors; those already in it see the control's content
   * (the page's default) and their conversions are not counted. Default: false.
   */
  paused: z.boolean().default(false),
  content: z.record(slot, templateSchema),
})

/**
 * Where an experience is in its life: `draft` (never served, never counted), `running`,
 * `paused` (not served, not counted), `concluded` (everyone in its audience gets the winner;
 * its report is frozen at `concludedAt`). Absent means `running`, as before statuses existed.
 */
export const experienceStatuses = ['draft', 'running', 'paused', 'concluded'] as const
export type ExperienceStatus = (typeof experienceStatuses)[number]

const isoTime = text.refine(
  (value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)),
  'expected an ISO 8601 date and time such as 2026-06-01T12:00:00Z',
)

const experienceSchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    segments: z.array(id).default([]),
    pages: z
      .array(
        text.superRefine((pattern, ctx) => {
          try {
            compilePagePattern(pattern)
          } catch (error) {
            ctx.addIssue({
              code: 'custom',
              message: `not a valid page pattern: ${(error as Error).message}`,
            })
          }
        }),
      )
      .default([]),
    priority: z.number().default(0),
    holdout: z
      .number()
      .min(0, 'expected a share from 0 to 1')
      .lt(1, 'expected a share below 1')
      .default(0),
    goals: z.array(text).default([]),
    status: z
      .enum(experienceStatuses, { error: `expected one of ${experienceStatuses.join(', ')}` })
      .default('running'),
    /** The variation id (or `control`) a concluded experience serves to everyone. */
    winner: id.optional(),
    /** When it was concluded (ISO 8601); a version stamps it when left out. */
    concludedAt: isoTime.optional(),
    variations: z.array(variationSchema).min(1, 'expected at least one variation'),
  })
  .superRefine((experience, ctx) => {
    flagDuplicateIds(experience.variations, 'variations', 'variation', ctx)
    if (experience.variations.every((variation) => variation.weight === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['variations'],
        message: 'at least one variation needs a weight above 0',
      })
    } else if (
      experience.status === 'running' &&
      experience.variations.every((variation) => variation.paused || variation.weight === 0)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['variations'],
        message:
          'a running experience needs a variation that is not paused and has a weight above 0 (pause the experience instead)',
      })
    }
    checkConclusion(experience, ctx)
  })

/** A concluded experience names its winner; no other status has one. */
function checkConclusion(
  experience: {
    status: ExperienceStatus
    winner?: string | undefined
    concludedAt?: string | undefined
    variations: readonly { id: string }[]
  },
  ctx: z.RefinementCtx,
): void {
  if (experience.status !== 'concluded') {
    for (const field of ['winner', 'concludedAt'] as const) {
      if (experience[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `only a concluded experience has ${field === 'winner' ? 'a winner' : 'a conclusion time'}`,
        })
      }
    }
    return
  }
  const arms = ['control', ...experience.variations.map((variation) => variation.id)]
  if (experience.winner === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['winner'],
      message: `a concluded experience needs a winner: one of ${arms.join(', ')}`,
    })
  } else if (!arms.includes(experience.winner)) {
    ctx.addIssue({
      code: 'custom',
      path: ['winner'],
      message: `no variation has the id "${experience.winner}": expected one of ${arms.join(', ')}`,
    })
  }
}

/** Reports every item whose id an earlier item of the same list already has. */
function flagDuplicateIds(
  items: readonly { id: string }[],
  list: string,
  noun: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>()
  items.forEach((item, index) => {
    if (seen.has(item.id)) {
      ctx.addIssue({
        code: 'custom',
        path: [list, index, 'id'],
        message: `duplicate ${noun} id "${item.id}"`,
      })
    }
    seen.add(item.id)
  })
}

const segmentSchema = z.strictObject({ id, description: z.string().optional(), rule: ruleSchema })

/** A segment's rule on its own, as the console's segment builder sizes a draft audience. */
export const ruleDocumentSchema = z.strictObject({ rule: ruleSchema })

/** The personalisation file: segments, experiences and the attribution window. */
export const personalizationConfigSchema = z
  .strictObject({
    /** Days after a visitor's first impression in which a goal counts. Default: 7. */
    attributionWindowDays: z.number().positive('expected a number of days above 0').default(7),
    segments: z.array(segmentSchema).default([]),
    experiences: z.array(experienceSchema).default([]),
  })
  .superRefine((config, ctx) => {
    flagDuplicateIds(config.segments, 'segments', 'segment', ctx)
    flagDuplicateIds(config.experiences, 'experiences', 'experience', ctx)
    const segmentIds = new Set(config.segments.map((segment) => segment.id))
    config.experiences.forEach((experience, index) => {
      experience.segments.forEach((segmentId, position) => {
        if (!segmentIds.has(segmentId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['experiences', index, 'segments', position],
            message: `no segment has the id "${segmentId}"`,
          })
        }
      })
    })
  })

/** A validated personalisation config, defaults filled in. */
export type PersonalizationConfig = z.output<typeof personalizationConfigSchema>
export type ExperienceConfig = PersonalizationConfig['experiences'][number]
export type VariationConfig = ExperienceConfig['variations'][number]
export type SegmentConfig = PersonalizationConfig['segments'][number]
