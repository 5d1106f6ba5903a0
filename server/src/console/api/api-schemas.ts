import { z } from 'zod'
import { auditEntrySchema } from '../../audit/audit-entry.ts'
import { versionKinds } from '../../config-versions/config-version.ts'
import { roles } from '../../console-users/console-user.ts'
import { experienceStatuses } from '../../personalization/config-schema.ts'
import { payloadFields } from '../../openapi/answer-schemas.ts'
import { previewDevices } from '../preview-visitor.ts'

/*
 * What the console's JSON API (`/console/api/…`) reads and answers. Request schemas are parsed
 * with `parseWith` (a bad field is `invalid_field` with its path); a config document is checked
 * by the loader instead (`invalid_config` with every issue). Answer schemas describe the
 * answers in `/openapi.json`; the API tests check real answers against them.
 */

const configDocument = z.record(z.string(), z.unknown()).meta({
  description:
    'A personalisation config as the YAML file holds it (docs/personalization.md): segments, experiences, attributionWindowDays. Checked by the loader: every problem comes back with its path.',
})

const versionNumber = z.number().int().positive()
const note = z.string().max(2_000).optional()
const confirmMoves = z.boolean().optional().meta({
  description:
    'Publish even though it moves visitors who already have a recorded bucket (`confirmation_required` lists them)',
})

/** `?before=&limit=` of a list read newest first. */
export const pageQuery = z.object({
  before: z.coerce.number().int().positive().optional().meta({
    description: 'Only items older than this one (the `next` of the previous page)',
  }),
  limit: z.coerce.number().int().min(1).max(100).optional().default(20),
})

export const diffQuery = z.object({
  from: z.coerce.number().int().positive().meta({ description: 'The older version' }),
  to: z.coerce.number().int().positive().meta({ description: 'The newer version' }),
})

export const validateBody = z.strictObject({ document: configDocument })

export const draftDiffBody = z.strictObject({
  document: configDocument,
  against: versionNumber.optional().meta({
    description: 'The version to compare with. Default: the newest',
  }),
})

export const previewBody = z.strictObject({
  document: configDocument.optional().meta({
    description: 'A draft to preview. Default: the config in force',
  }),
  url: z.string().min(1).max(2_000),
  device: z.enum(previewDevices).optional().default('desktop'),
  profile: z.string().max(400).optional().default('').meta({
    description: 'A profile id, user id or anonymous id; empty to use the traits',
  }),
  userTraits: z.record(z.string(), z.unknown()).optional(),
  companyTraits: z.record(z.string(), z.unknown()).optional(),
})

export const audienceBody = z.strictObject({
  rule: z.unknown().meta({
    description:
      "A segment's rule: {all: […]}, {any: […]}, {not: {…}} or {attribute, operator, value}",
  }),
})

export const publishBody = z.strictObject({
  document: configDocument,
  baseVersion: versionNumber.nullable().meta({
    description: 'The version the draft was edited from (null into an empty store)',
  }),
  note,
  confirmMoves,
})

export const rollbackBody = z.strictObject({
  version: versionNumber.meta({ description: 'The earlier version to make current again' }),
  baseVersion: versionNumber.meta({
    description:
      'The version in force when the person chose to roll back: refused when another was published since, which the rollback would otherwise undo unseen',
  }),
  note,
  confirmMoves,
})

/**
 * A status change: `{experience, status, winner?}` (a winner to conclude), or a variation paused
 * or resumed: `{experience, variation, paused}`.
 */
export const statusBody = z
  .strictObject({
    experience: z.string().min(1),
    status: z.enum(experienceStatuses).optional(),
    winner: z.string().min(1).optional().meta({ description: 'Required to conclude' }),
    variation: z.string().min(1).optional(),
    paused: z.boolean().optional(),
    // Optional, unlike a publish's or rollback's: a status change is applied to the newest
    // version and touches one field, so it keeps whatever was published since.
    baseVersion: versionNumber.optional().meta({
      description:
        'The version the change was decided on: when given, refused if another was published since. Without it the change is applied to the newest version, keeping everything published since',
    }),
    note,
  })
  .superRefine((input, ctx) => {
    const forVariation = input.variation !== undefined || input.paused !== undefined
    if (forVariation && input.status !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: 'give either a status, or a variation and paused, not both',
      })
    } else if (forVariation) {
      const missing = input.variation === undefined ? 'variation' : 'paused'
      if (input.variation === undefined || input.paused === undefined) {
        ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required` })
      }
    } else if (input.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'status is required' })
    } else if (input.status === 'concluded' && input.winner === undefined) {
      ctx.addIssue({ code: 'custom', path: ['winner'], message: 'name the winner to conclude' })
    } else if (input.status !== 'concluded' && input.winner !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['winner'], message: 'only concluding takes a winner' })
    }
  })

// Answers.

const issue = z.object({
  path: z.string(),
  at: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
})

const versionMetaAnswer = z.object({
  number: z.number().int(),
  kind: z.enum(versionKinds),
  author: z.string(),
  at: z.number(),
  note: z.string(),
  baseVersion: z.number().int().nullable(),
  restoredFrom: z.number().int().nullable(),
})

const itemChange = z.object({ id: z.string(), fields: z.array(z.string()) })
const listDiff = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(itemChange),
  reordered: z.boolean(),
})
const diffAnswer = z.object({
  settings: z.array(z.string()),
  segments: listDiff,
  experiences: listDiff.extend({
    changed: z.array(itemChange.extend({ variations: listDiff.optional() })),
  }),
  unchanged: z.boolean(),
})

const impact = z.object({
  experience: z.string(),
  variation: z.string().optional(),
  change: z.string(),
  movesRecordedVisitors: z.boolean(),
  newVisitorsMoved: z.number().optional(),
  recordedVisitors: z.number().int().optional().meta({
    description: 'Visitors recorded in the arm a removed variation leaves (so many will move)',
  }),
  message: z.string(),
})

const configState = z.object({
  source: z.enum(['store', 'file']),
  editable: z.boolean(),
  pinned: z.object({ file: z.string(), reason: z.string() }).optional(),
  version: versionMetaAnswer.nullable().meta({ description: 'In force on this instance' }),
})

export const meAnswer = z.object({
  person: z.object({
    name: z.string(),
    role: z.enum(roles),
    kind: z.enum(['user', 'operator']),
  }),
  csrf: z.string().meta({ description: 'Send it as the X-CSRF-Token header of every change' }),
  mayPublish: z.boolean(),
  config: configState,
  propagationBoundMs: z.number().int(),
})

export const configAnswer = configState.extend({
  document: z.record(z.string(), z.unknown()),
})

export const versionsAnswer = z.object({
  versions: z.array(versionMetaAnswer.extend({ summary: z.string() })),
  next: z.number().int().nullable(),
})

export const versionAnswer = z.object({
  version: versionMetaAnswer,
  document: z.record(z.string(), z.unknown()),
})

export const diffBetweenAnswer = z.object({
  from: z.number().int(),
  to: z.number().int(),
  diff: diffAnswer,
  summary: z.string(),
  impacts: z.array(impact),
})

export const draftDiffAnswer = z.object({
  against: z.number().int().nullable(),
  diff: diffAnswer,
  summary: z.string(),
  impacts: z.array(impact),
})

export const validateAnswer = z.object({ valid: z.boolean(), issues: z.array(issue) })

export const previewAnswer = z.object({ who: z.string(), ...payloadFields })

export const audienceAnswer = z.object({
  total: z.number().int(),
  sampled: z.number().int(),
  estimate: z.number().int(),
  exact: z.boolean(),
  low: z.number().int(),
  high: z.number().int(),
})

export const publishedAnswer = z.object({
  version: versionMetaAnswer,
  diff: diffAnswer,
  summary: z.string(),
  impacts: z.array(impact),
})

export const auditAnswer = z.object({
  entries: z.array(auditEntrySchema),
  next: z.number().int().nullable(),
})
